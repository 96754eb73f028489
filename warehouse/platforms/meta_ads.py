"""Meta Ads tables (DDL in migrations/003_meta_ads.sql) and their quality suites."""

from __future__ import annotations

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

TABLES: tuple[TableSpec, ...] = (
    account_table("meta_ads.accounts"),
    object_table("meta_ads.campaigns", "campaign_id"),
    object_table("meta_ads.ad_sets", "ad_set_id"),
    object_table("meta_ads.ads", "ad_id"),
    report_table("meta_ads.ad_insights_daily", "ad_id"),
)
