-- Rates by day for converting spend: each currency's rate (units of USD) valid on each day of
-- a window (the latest valid_from <= day), beside the reporting currency's rate that day.
-- The ASOF join runs on the small (day x currency) grid, then the core models hash-join it
-- to their rows: ~5x faster than ASOF joins on the rows themselves. Every platform's core
-- model converts through this one macro.
CREATE OR REPLACE MACRO core.fx_rates_by_day(date_from, date_to, reporting) AS TABLE
WITH grid AS (
    SELECT CAST(g.d AS DATE) AS date, c.currency
    FROM generate_series(CAST(date_from AS TIMESTAMP), CAST(date_to AS TIMESTAMP),
                         INTERVAL 1 DAY) AS g(d)
    CROSS JOIN (SELECT DISTINCT currency FROM core.fx_rates) AS c
),
rates AS (
    SELECT grid.date, grid.currency, fx.rate_to_usd
    FROM grid ASOF JOIN core.fx_rates AS fx
        ON fx.currency = grid.currency AND grid.date >= fx.valid_from
)
SELECT src.date, src.currency, src.rate_to_usd, rep.rate_to_usd AS reporting_rate_to_usd
FROM rates AS src
LEFT JOIN rates AS rep ON rep.currency = reporting AND rep.date = src.date;
