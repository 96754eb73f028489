-- HubSpot CRM tables, typed. One portal is one account (portal_id). Instants are UTC;
-- modified_date / membership_date / submitted_date are days in the portal's time zone (the
-- connector's windows). Deal amounts are in the deal currency, major units.
CREATE SCHEMA IF NOT EXISTS hubspot;

CREATE TABLE IF NOT EXISTS hubspot.contacts (
    portal_id       VARCHAR,
    contact_id      VARCHAR,
    email           VARCHAR,
    email_status    VARCHAR,   -- valid, missing, malformed
    first_name      VARCHAR,
    last_name       VARCHAR,
    phone           VARCHAR,
    lifecycle_stage VARCHAR,
    company_id      VARCHAR,
    ga_client_id    VARCHAR,   -- hidden form fields the site captured
    gclid           VARCHAR,
    fbclid          VARCHAR,
    li_fat_id       VARCHAR,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    modified_date   DATE,
    archived        BOOLEAN,
    _run_id         VARCHAR,
    _loaded_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS hubspot.companies (
    portal_id     VARCHAR,
    company_id    VARCHAR,
    name          VARCHAR,
    domain        VARCHAR,
    created_at    TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ,
    modified_date DATE,
    archived      BOOLEAN,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS hubspot.deals (
    portal_id         VARCHAR,
    deal_id           VARCHAR,
    deal_name         VARCHAR,
    pipeline_id       VARCHAR,
    pipeline_label    VARCHAR,
    stage_id          VARCHAR,
    stage_label       VARCHAR,
    stage_probability DECIMAL(9, 4),
    is_closed         BOOLEAN,
    is_won            BOOLEAN,
    amount            DECIMAL(18, 4),
    currency          VARCHAR,
    close_date        TIMESTAMPTZ,
    contact_id        VARCHAR,
    created_at        TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ,
    modified_date     DATE,
    archived          BOOLEAN,
    _run_id           VARCHAR,
    _loaded_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS hubspot.lists (
    portal_id       VARCHAR,
    list_id         VARCHAR,
    name            VARCHAR,
    processing_type VARCHAR,
    object_type_id  VARCHAR,
    size            BIGINT,
    created_at      TIMESTAMPTZ,
    updated_at      TIMESTAMPTZ,
    _run_id         VARCHAR,
    _loaded_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS hubspot.list_memberships (
    portal_id       VARCHAR,
    list_id         VARCHAR,
    record_id       VARCHAR,
    member_since    TIMESTAMPTZ,
    membership_date DATE,
    _run_id         VARCHAR,
    _loaded_at      TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS hubspot.form_submissions (
    portal_id      VARCHAR,
    submission_id  VARCHAR,
    form_id        VARCHAR,
    form_name      VARCHAR,
    submitted_at   TIMESTAMPTZ,
    submitted_date DATE,
    email          VARCHAR,
    first_name     VARCHAR,
    last_name      VARCHAR,
    phone          VARCHAR,
    page_url       VARCHAR,
    ga_client_id   VARCHAR,
    click_id_type  VARCHAR,
    click_id       VARCHAR,
    utm_source     VARCHAR,
    utm_medium     VARCHAR,
    utm_campaign   VARCHAR,
    _run_id        VARCHAR,
    _loaded_at     TIMESTAMPTZ
);
