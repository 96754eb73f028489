-- Acme Ads tables, typed. Ids are decimal strings; days are the account's days; money columns
-- are in the account currency, major units. (A real platform takes the next free number; the
-- fixture takes 900 so that no migration added to the repo later collides with it.)
CREATE SCHEMA IF NOT EXISTS acme_ads;

CREATE TABLE IF NOT EXISTS acme_ads.accounts (
    account_id    VARCHAR,
    name          VARCHAR,
    currency      VARCHAR,
    timezone_name VARCHAR,
    status        VARCHAR,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS acme_ads.campaigns (
    account_id   VARCHAR,
    campaign_id  VARCHAR,
    name         VARCHAR,
    status       VARCHAR,
    objective    VARCHAR,
    daily_budget DECIMAL(18, 4),
    currency     VARCHAR,
    created_time TIMESTAMPTZ,
    updated_time TIMESTAMPTZ,
    _run_id      VARCHAR,
    _loaded_at   TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS acme_ads.ad_stats_daily (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    ad_id            VARCHAR,
    date             DATE,
    currency         VARCHAR,
    spend            DECIMAL(18, 4),
    impressions      BIGINT,
    clicks           BIGINT,
    conversions      BIGINT,
    conversion_value DECIMAL(18, 4),
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);
