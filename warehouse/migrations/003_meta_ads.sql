-- Meta (Facebook/Instagram) Ads tables, typed. Natural keys are declared with the quality
-- suites in warehouse/platforms/meta_ads.py (merge keys; no DuckDB index on purpose: the
-- staging suite proves uniqueness before every merge and ART indexes slow bulk merges).
CREATE SCHEMA IF NOT EXISTS meta_ads;

CREATE TABLE IF NOT EXISTS meta_ads.accounts (
    account_id     VARCHAR,
    name           VARCHAR,
    currency       VARCHAR,
    timezone_name  VARCHAR,
    account_status INTEGER,
    _run_id        VARCHAR,
    _loaded_at     TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS meta_ads.campaigns (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    name             VARCHAR,
    status           VARCHAR,
    effective_status VARCHAR,
    objective        VARCHAR,
    daily_budget     BIGINT,
    lifetime_budget  BIGINT,
    created_time     TIMESTAMPTZ,
    updated_time     TIMESTAMPTZ,
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS meta_ads.ad_sets (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    ad_set_id        VARCHAR,
    name             VARCHAR,
    status           VARCHAR,
    effective_status VARCHAR,
    daily_budget     BIGINT,
    created_time     TIMESTAMPTZ,
    updated_time     TIMESTAMPTZ,
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS meta_ads.ads (
    account_id       VARCHAR,
    campaign_id      VARCHAR,
    ad_set_id        VARCHAR,
    ad_id            VARCHAR,
    name             VARCHAR,
    status           VARCHAR,
    effective_status VARCHAR,
    creative_id      VARCHAR,
    created_time     TIMESTAMPTZ,
    updated_time     TIMESTAMPTZ,
    _run_id          VARCHAR,
    _loaded_at       TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS meta_ads.ad_insights_daily (
    account_id          VARCHAR,
    campaign_id         VARCHAR,
    ad_set_id           VARCHAR,
    ad_id               VARCHAR,
    date                DATE,
    currency            VARCHAR,
    spend               DECIMAL(18, 4),
    impressions         BIGINT,
    clicks              BIGINT,
    conversions         DECIMAL(18, 4),
    conversion_value    DECIMAL(18, 4),
    attribution_setting VARCHAR,
    _run_id             VARCHAR,
    _loaded_at          TIMESTAMPTZ
);
