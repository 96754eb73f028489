"""Google Ads tables (DDL in migrations/007_google_ads.sql) and their quality suites."""

from __future__ import annotations

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

TABLES: tuple[TableSpec, ...] = (
    account_table("google_ads.accounts"),
    object_table("google_ads.campaigns", "campaign_id"),
    object_table("google_ads.ad_groups", "ad_group_id"),
    object_table("google_ads.ads", "ad_id"),
    report_table("google_ads.ad_performance_daily", "ad_id"),
)
