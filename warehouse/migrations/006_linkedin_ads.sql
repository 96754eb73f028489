-- LinkedIn Ads tables, typed. Ids are bare decimal strings (the connector strips URNs).
-- LinkedIn reports days in UTC; money columns are in the account currency, major units.
CREATE SCHEMA IF NOT EXISTS linkedin_ads;

CREATE TABLE IF NOT EXISTS linkedin_ads.accounts (
    account_id    VARCHAR,
    name          VARCHAR,
    currency      VARCHAR,
    timezone_name VARCHAR,
    status        VARCHAR,
    type          VARCHAR,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS linkedin_ads.campaigns (
    account_id        VARCHAR,
    campaign_id       VARCHAR,
    campaign_group_id VARCHAR,
    name              VARCHAR,
    status            VARCHAR,
    type              VARCHAR,
    cost_type         VARCHAR,
    objective_type    VARCHAR,
    daily_budget      DECIMAL(18, 4),
    currency          VARCHAR,
    created_time      TIMESTAMPTZ,
    updated_time      TIMESTAMPTZ,
    _run_id           VARCHAR,
    _loaded_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS linkedin_ads.creatives (
    account_id   VARCHAR,
    campaign_id  VARCHAR,
    creative_id  VARCHAR,
    name         VARCHAR,
    status       VARCHAR,
    is_serving   BOOLEAN,
    created_time TIMESTAMPTZ,
    updated_time TIMESTAMPTZ,
    _run_id      VARCHAR,
    _loaded_at   TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS linkedin_ads.ad_analytics_daily (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    creative_id      VARCHAR,
    date             DATE,
    currency         VARCHAR,
    spend            DECIMAL(18, 4),
    impressions      BIGINT,
    clicks           BIGINT,
    conversions      DECIMAL(18, 4),
    conversion_value DECIMAL(18, 4),
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);
