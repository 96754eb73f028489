-- Cross-channel tables. Ids are unified as '<platform>:<native id>'; money keeps the account
-- currency in `spend` and the reporting currency in `spend_reporting` (see core.fx_rates).
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE IF NOT EXISTS core.fx_rates (
    currency    VARCHAR NOT NULL,
    valid_from  DATE NOT NULL,
    rate_to_usd DECIMAL(18, 8) NOT NULL,
    source      VARCHAR NOT NULL,
    PRIMARY KEY (currency, valid_from)
);

CREATE TABLE IF NOT EXISTS core.accounts (
    platform          VARCHAR NOT NULL,
    account_id        VARCHAR NOT NULL,
    native_account_id VARCHAR NOT NULL,
    name              VARCHAR,
    currency          VARCHAR,
    timezone_name     VARCHAR,
    status            VARCHAR,
    _run_id           VARCHAR,
    _loaded_at        TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.campaigns (
    platform           VARCHAR NOT NULL,
    account_id         VARCHAR NOT NULL,
    campaign_id        VARCHAR NOT NULL,
    native_campaign_id VARCHAR NOT NULL,
    name               VARCHAR,
    status             VARCHAR,
    objective          VARCHAR,
    daily_budget       BIGINT,
    lifetime_budget    BIGINT,
    created_time       TIMESTAMPTZ,
    updated_time       TIMESTAMPTZ,
    _run_id            VARCHAR,
    _loaded_at         TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.ad_groups (
    platform           VARCHAR NOT NULL,
    account_id         VARCHAR NOT NULL,
    campaign_id        VARCHAR NOT NULL,
    ad_group_id        VARCHAR NOT NULL,
    native_ad_group_id VARCHAR NOT NULL,
    name               VARCHAR,
    status             VARCHAR,
    daily_budget       BIGINT,
    created_time       TIMESTAMPTZ,
    updated_time       TIMESTAMPTZ,
    _run_id            VARCHAR,
    _loaded_at         TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.ads (
    platform     VARCHAR NOT NULL,
    account_id   VARCHAR NOT NULL,
    campaign_id  VARCHAR NOT NULL,
    ad_group_id  VARCHAR NOT NULL,
    ad_id        VARCHAR NOT NULL,
    native_ad_id VARCHAR NOT NULL,
    name         VARCHAR,
    status       VARCHAR,
    creative_id  VARCHAR,
    created_time TIMESTAMPTZ,
    updated_time TIMESTAMPTZ,
    _run_id      VARCHAR,
    _loaded_at   TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS core.ad_performance_daily (
    date                       DATE NOT NULL,
    platform                   VARCHAR NOT NULL,
    account_id                 VARCHAR NOT NULL,
    campaign_id                VARCHAR,
    ad_group_id                VARCHAR,
    ad_id                      VARCHAR NOT NULL,
    currency                   VARCHAR,
    spend                      DECIMAL(18, 4),
    spend_reporting            DECIMAL(18, 4),
    impressions                BIGINT,
    clicks                     BIGINT,
    conversions                DECIMAL(18, 4),
    conversion_value           DECIMAL(18, 4),
    conversion_value_reporting DECIMAL(18, 4),
    reporting_currency         VARCHAR NOT NULL,
    _run_id                    VARCHAR,
    _loaded_at                 TIMESTAMPTZ
);
