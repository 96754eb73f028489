"""Synthetic Meta insight batches for the warehouse benchmarks, written straight to landing.

DuckDB generates the rows (`range()`), so a 5-million-row batch costs seconds, not minutes of
Python. Ads run for a year; `changed_pct` percent of rows get one extra conversion, which
makes a re-pull that restates part of the data.
"""

from __future__ import annotations

from datetime import date

import warehouse
from warehouse.landing import LandingFile, landing_path

DAY0 = date(2024, 1, 1)
DAYS = 365


def land_insights(
    wh: warehouse.Warehouse, rows: int, run_id: str, changed_pct: int = 0
) -> LandingFile:
    """Land `rows` ad-day insight rows of account act_1001 and return the landing file."""
    path = landing_path(wh.landing_root, "meta_ads", "ad_insights_daily", "act_1001", run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    bump = f"CASE WHEN i % 100 < {changed_pct} THEN 1 ELSE 0 END"
    wh.execute(f"""
        COPY (
            SELECT '1001' AS account_id,
                   CAST(100 + (i // {DAYS}) // 200 AS VARCHAR) AS campaign_id,
                   CAST(1000 + (i // {DAYS}) // 20 AS VARCHAR) AS ad_set_id,
                   CAST(100000 + i // {DAYS} AS VARCHAR) AS ad_id,
                   DATE '{DAY0}' + CAST(i % {DAYS} AS INTEGER) AS date,
                   'EUR' AS currency,
                   CAST((i % 9973) / 100.0 AS DECIMAL(18, 4)) AS spend,
                   CAST(1000 + i % 5000 AS BIGINT) AS impressions,
                   CAST(i % 50 AS BIGINT) AS clicks,
                   CAST(i % 7 + {bump} AS DECIMAL(18, 4)) AS conversions,
                   CAST((i % 7 + {bump}) * 12.5 AS DECIMAL(18, 4)) AS conversion_value,
                   '7d_click_1d_view' AS attribution_setting
            FROM range({rows}) AS t(i)
        ) TO '{path}' (FORMAT parquet)
    """)
    return LandingFile(
        "meta_ads",
        "ad_insights_daily",
        "meta_ads.ad_insights_daily",
        "act_1001",
        run_id,
        path,
        None,
        rows,
        0,
    )
