"""Meta Ads tables (DDL in migrations/003_meta_ads.sql and 018) and their quality suites.

The insights' view-through part (migration 018) is not negative and not above its total.
"""

from __future__ import annotations

from dataclasses import replace

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.quality.checks import non_negative, part_le_total
from warehouse.spec import TableSpec

__all__ = ["TABLES"]


def _insights() -> TableSpec:
    base = report_table("meta_ads.ad_insights_daily", "ad_id")
    return replace(base, checks=(
        *base.checks,
        replace(non_negative("view_conversions", "view_conversion_value"),
                name="view_metrics_non_negative"),
        part_le_total("view_conversions", "conversions"),
        part_le_total("view_conversion_value", "conversion_value"),
    ))


TABLES: tuple[TableSpec, ...] = (
    account_table("meta_ads.accounts"),
    object_table("meta_ads.campaigns", "campaign_id"),
    object_table("meta_ads.ad_sets", "ad_set_id"),
    object_table("meta_ads.ads", "ad_id"),
    _insights(),
)
