-- Offline conversions from a drop folder (closed deals, store sales); one row per conversion.
-- Lineage: the file and line each row came from.
CREATE SCHEMA IF NOT EXISTS offline_conversions;

CREATE TABLE IF NOT EXISTS offline_conversions.conversions (
    account_id     VARCHAR,       -- the source name of the drop folder
    conversion_id  VARCHAR,
    occurred_at    TIMESTAMPTZ,
    occurred_date  DATE,          -- the day in the source's time zone
    kind           VARCHAR,       -- deal, store_sale
    value          DECIMAL(18, 4),
    currency       VARCHAR,
    email          VARCHAR,
    email_sha256   VARCHAR,
    phone          VARCHAR,
    crm_id         VARCHAR,
    click_id_type  VARCHAR,
    click_id       VARCHAR,
    order_id       VARCHAR,
    source_file    VARCHAR,
    source_line    INTEGER,
    _run_id        VARCHAR,
    _loaded_at     TIMESTAMPTZ
);
