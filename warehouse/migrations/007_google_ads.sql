-- Google Ads tables, typed. Customer ids are 10 digits without dashes; money is in the
-- account currency (spend = cost_micros / 1e6; budgets stay in micros as the API has them).
CREATE SCHEMA IF NOT EXISTS google_ads;

CREATE TABLE IF NOT EXISTS google_ads.accounts (
    account_id    VARCHAR,
    name          VARCHAR,
    currency      VARCHAR,
    timezone_name VARCHAR,
    status        VARCHAR,
    is_manager    BOOLEAN,
    _run_id       VARCHAR,
    _loaded_at    TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS google_ads.campaigns (
    account_id          VARCHAR,
    campaign_id         VARCHAR,
    name                VARCHAR,
    status              VARCHAR,
    channel_type        VARCHAR,
    start_date          DATE,
    budget_id           VARCHAR,
    daily_budget_micros BIGINT,
    _run_id             VARCHAR,
    _loaded_at          TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS google_ads.ad_groups (
    account_id  VARCHAR,
    campaign_id VARCHAR,
    ad_group_id VARCHAR,
    name        VARCHAR,
    status      VARCHAR,
    type        VARCHAR,
    _run_id     VARCHAR,
    _loaded_at  TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS google_ads.ads (
    account_id  VARCHAR,
    campaign_id VARCHAR,
    ad_group_id VARCHAR,
    ad_id       VARCHAR,
    name        VARCHAR,
    type        VARCHAR,
    status      VARCHAR,
    _run_id     VARCHAR,
    _loaded_at  TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS google_ads.ad_performance_daily (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    ad_group_id      VARCHAR,
    ad_id            VARCHAR,
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
