"""LinkedIn Ads tables (DDL in migrations/006_linkedin_ads.sql) and their quality suites."""

from __future__ import annotations

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

TABLES: tuple[TableSpec, ...] = (
    account_table("linkedin_ads.accounts"),
    object_table("linkedin_ads.campaigns", "campaign_id"),
    object_table("linkedin_ads.creatives", "creative_id"),
    report_table("linkedin_ads.ad_analytics_daily", "creative_id"),
)
