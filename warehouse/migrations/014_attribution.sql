-- Attribution results: one row per run x model x channel (x campaign) for a period of
-- conversions. Every run is kept (the report compares a run with the previous one); the
-- `*_latest` views give the newest run of each period, which is what the budget flow reads.
-- A run's rows are written in one transaction after their checks passed (credit of every
-- model sums exactly to the run's conversions and value), so a reader never sees half a run.
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE IF NOT EXISTS marts.attribution_runs (
    run_id                       VARCHAR PRIMARY KEY,
    built_at                     TIMESTAMPTZ NOT NULL,
    period_start                 DATE NOT NULL,       -- first conversion day
    period_end                   DATE NOT NULL,       -- last conversion day (inclusive)
    lookback_days                INTEGER NOT NULL,
    acquisition_lookback_days    INTEGER NOT NULL,
    window_rule                  VARCHAR NOT NULL,    -- the lookback rule in words
    models                       VARCHAR[] NOT NULL,
    journeys                     BIGINT NOT NULL,
    converting_journeys          BIGINT NOT NULL,
    conversions                  DECIMAL(24, 6) NOT NULL,
    value                        DECIMAL(24, 6) NOT NULL,
    spend                        DECIMAL(24, 4) NOT NULL,
    conversions_without_touches  BIGINT NOT NULL,
    duplicate_conversions        BIGINT NOT NULL,
    reporting_currency           VARCHAR NOT NULL,
    report_path                  VARCHAR,
    flow_run_id                  VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.attribution_channel_credit (
    run_id        VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    model         VARCHAR NOT NULL,
    channel       VARCHAR NOT NULL,
    conversions   DECIMAL(24, 6) NOT NULL,  -- credited conversions
    value         DECIMAL(24, 6) NOT NULL,  -- credited value, reporting currency
    spend         DECIMAL(24, 4) NOT NULL,  -- the channel's spend in the period (0: none)
    roas          DOUBLE,                   -- value / spend, NULL without spend
    PRIMARY KEY (run_id, model, channel)
);

CREATE TABLE IF NOT EXISTS marts.attribution_campaign_credit (
    run_id        VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    model         VARCHAR NOT NULL,
    channel       VARCHAR NOT NULL,
    campaign      VARCHAR NOT NULL,         -- campaign id or name as touches carry it,
                                            -- '(none)' for touches without a campaign
    conversions   DECIMAL(24, 6) NOT NULL,
    value         DECIMAL(24, 6) NOT NULL,
    spend         DECIMAL(24, 4) NOT NULL,  -- spend of the campaign(s) matched by id or name
    roas          DOUBLE,
    PRIMARY KEY (run_id, model, channel, campaign)
);

CREATE OR REPLACE VIEW marts.attribution_latest_runs AS
SELECT * FROM marts.attribution_runs
QUALIFY row_number() OVER (PARTITION BY period_start, period_end
                           ORDER BY built_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW marts.attribution_channel_latest AS
SELECT c.*, r.built_at
FROM marts.attribution_channel_credit AS c
JOIN marts.attribution_latest_runs AS r USING (run_id);

CREATE OR REPLACE VIEW marts.attribution_campaign_latest AS
SELECT c.*, r.built_at
FROM marts.attribution_campaign_credit AS c
JOIN marts.attribution_latest_runs AS r USING (run_id);
