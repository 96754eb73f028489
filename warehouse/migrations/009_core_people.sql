-- People, identifiers, touchpoints, conversions and orders across CRM, analytics, commerce
-- and offline sources. Each source's core model refreshes its own slice (platform, account)
-- inside the publish transaction, as the ad platforms do for the ad tables.
--
-- person_key is stable across sources: 'em:' || the first 16 hex digits of sha256 of the
-- normalised email (trimmed, lower-cased) when an email is known. Sources without an email
-- on a row (GA4 sessions, anonymous form views) leave person_key NULL and record the
-- anonymous id; core.identity_links then joins anonymous ids, click ids and CRM ids to the
-- person_key wherever one event carries both (a form with a hidden GA client id, an order
-- whose landing URL carried a gclid).
CREATE SCHEMA IF NOT EXISTS core;

CREATE OR REPLACE MACRO core.person_key(email) AS
    CASE WHEN email IS NULL OR trim(email) = '' THEN NULL
         ELSE 'em:' || left(sha256(lower(trim(email))), 16) END;

CREATE TABLE IF NOT EXISTS core.identity_links (
    platform      VARCHAR NOT NULL,  -- the source that saw the link (hubspot, shopify, ...)
    account_id    VARCHAR NOT NULL,  -- unified '<platform>:<native account>'
    person_key    VARCHAR NOT NULL,
    id_type       VARCHAR NOT NULL,  -- email, phone, crm_id, client_id, gclid, fbclid,
                                     -- li_fat_id, shopify_customer_id
    id_value      VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.touchpoints (
    platform       VARCHAR NOT NULL,   -- the source that recorded it (ga4, hubspot, ...)
    account_id     VARCHAR NOT NULL,
    touchpoint_id  VARCHAR NOT NULL,   -- unique within the platform
    occurred_at    TIMESTAMPTZ NOT NULL,
    person_key     VARCHAR,            -- NULL until identity links resolve it
    anonymous_id   VARCHAR,            -- GA4 client id, HubSpot utk, ...
    kind           VARCHAR NOT NULL,   -- session, click, view, form_view, email_open, ...
    channel        VARCHAR,            -- google_ads, meta_ads, organic_search, email, direct...
    ad_platform    VARCHAR,            -- the ad platform of paid touches
    campaign_id    VARCHAR,            -- unified '<ad platform>:<id>' when known
    campaign_name  VARCHAR,
    click_id_type  VARCHAR,            -- gclid, fbclid, li_fat_id
    click_id       VARCHAR,
    utm_source     VARCHAR,
    utm_medium     VARCHAR,
    utm_campaign   VARCHAR,
    landing_page   VARCHAR,
    _run_id        VARCHAR,
    _loaded_at     TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.conversions (
    platform         VARCHAR NOT NULL,  -- hubspot, ga4, shopify, offline
    account_id       VARCHAR NOT NULL,
    conversion_id    VARCHAR NOT NULL,  -- unique within the platform
    occurred_at      TIMESTAMPTZ NOT NULL,
    kind             VARCHAR NOT NULL,  -- lead, order, deal, key_event, store_sale
    person_key       VARCHAR,
    anonymous_id     VARCHAR,
    click_id_type    VARCHAR,
    click_id         VARCHAR,
    value            DECIMAL(18, 4),
    currency         VARCHAR,
    value_reporting  DECIMAL(18, 4),
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.orders (
    platform        VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    order_id        VARCHAR NOT NULL,
    ordered_at      TIMESTAMPTZ NOT NULL,
    person_key      VARCHAR,
    customer_id     VARCHAR,
    total           DECIMAL(18, 4),
    currency        VARCHAR,
    total_reporting DECIMAL(18, 4),
    line_items      INTEGER,
    landing_page    VARCHAR,
    utm_source      VARCHAR,
    utm_medium      VARCHAR,
    utm_campaign    VARCHAR,
    click_id_type   VARCHAR,
    click_id        VARCHAR,
    _run_id         VARCHAR,
    _loaded_at      TIMESTAMPTZ
);

-- One row per person: the identifiers every source linked to the key, merged.
CREATE OR REPLACE VIEW core.people AS
SELECT person_key,
       min(first_seen_at) AS first_seen_at,
       max(CASE WHEN id_type = 'email' THEN id_value END) AS email,
       max(CASE WHEN id_type = 'phone' THEN id_value END) AS phone,
       max(CASE WHEN id_type = 'crm_id' THEN id_value END) AS crm_id,
       max(CASE WHEN id_type = 'shopify_customer_id' THEN id_value END) AS shopify_customer_id,
       count(DISTINCT CASE WHEN id_type = 'client_id' THEN id_value END) AS anonymous_ids,
       count(DISTINCT CASE WHEN id_type IN ('gclid', 'fbclid', 'li_fat_id')
                           THEN id_value END) AS click_ids,
       list(DISTINCT platform ORDER BY platform) AS sources
FROM core.identity_links
GROUP BY person_key;
