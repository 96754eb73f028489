-- GA4 tables, typed. Property ids are bare numbers; days are the property's local days;
-- money columns are in the property's currency (major units). Metrics may be restated for a
-- few days after a day ends: the connector re-reads its lookback and publish merges on the
-- natural keys (see warehouse/platforms/ga4.py).
CREATE SCHEMA IF NOT EXISTS ga4;

CREATE TABLE IF NOT EXISTS ga4.properties (
    property_id   VARCHAR,
    name          VARCHAR,
    currency      VARCHAR,
    timezone_name VARCHAR,
    property_type VARCHAR,
    service_level VARCHAR,
    account       VARCHAR,
    create_time   TIMESTAMPTZ,
    update_time   TIMESTAMPTZ,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS ga4.custom_dimensions (
    property_id         VARCHAR,
    custom_dimension_id VARCHAR,
    api_name            VARCHAR,  -- the Data API name, e.g. customEvent:ga_client_id
    parameter_name      VARCHAR,
    display_name        VARCHAR,
    scope               VARCHAR,
    description         VARCHAR,
    _run_id             VARCHAR,
    _loaded_at          TIMESTAMPTZ
);

-- Sessions, key events and revenue by day, session source/medium/campaign and landing page.
CREATE TABLE IF NOT EXISTS ga4.traffic_daily (
    property_id   VARCHAR,
    date          DATE,
    source        VARCHAR,
    medium        VARCHAR,
    campaign_name VARCHAR,
    landing_page  VARCHAR,
    currency      VARCHAR,
    sessions      BIGINT,
    key_events    DECIMAL(18, 4),
    total_revenue DECIMAL(18, 4),
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

-- One row per GA client id, session start minute and traffic source: the sessions that
-- attribution joins to people (client_id) and to ad clicks (the landing page's query).
CREATE TABLE IF NOT EXISTS ga4.sessions (
    property_id             VARCHAR,
    date                    DATE,
    session_key             VARCHAR,
    client_id               VARCHAR,
    session_start           TIMESTAMPTZ,
    source                  VARCHAR,
    medium                  VARCHAR,
    campaign_name           VARCHAR,
    landing_page_plus_query VARCHAR,
    currency                VARCHAR,
    sessions                BIGINT,
    key_events              DECIMAL(18, 4),
    total_revenue           DECIMAL(18, 4),
    _run_id                 VARCHAR,
    _loaded_at              TIMESTAMPTZ
);
