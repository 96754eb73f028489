-- Operational tables: API call log, incremental cursors, loads, quality results, quarantine.
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE IF NOT EXISTS ops.api_calls (
    run_id            VARCHAR,
    platform          VARCHAR NOT NULL,
    account_id        VARCHAR,
    endpoint          VARCHAR NOT NULL,
    method            VARCHAR NOT NULL,
    status            INTEGER,
    attempt           INTEGER NOT NULL,
    latency_ms        DOUBLE,
    throttle_headroom DOUBLE,
    error             VARCHAR,
    started_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.extract_state (
    platform    VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    stream      VARCHAR NOT NULL,
    cursor_date DATE,
    updated_at  TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (platform, account_id, stream)
);

CREATE TABLE IF NOT EXISTS ops.loads (
    run_id     VARCHAR NOT NULL,
    platform   VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    rows       BIGINT NOT NULL,
    inserted   BIGINT NOT NULL,
    updated    BIGINT NOT NULL,
    status     VARCHAR NOT NULL CHECK (status IN ('published', 'quarantined')),
    "at"       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.quality_results (
    run_id     VARCHAR NOT NULL,
    platform   VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL CHECK (severity IN ('ERROR', 'WARN')),
    passed     BOOLEAN NOT NULL,
    observed   VARCHAR,
    samples    VARCHAR,
    "at"       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS ops.quarantine (
    run_id          VARCHAR NOT NULL,
    platform        VARCHAR NOT NULL,
    account_id      VARCHAR NOT NULL,
    stream          VARCHAR NOT NULL,
    table_name      VARCHAR NOT NULL,
    source_path     VARCHAR NOT NULL,
    quarantine_path VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    "at"            TIMESTAMPTZ NOT NULL
);

CREATE SCHEMA IF NOT EXISTS staging;
