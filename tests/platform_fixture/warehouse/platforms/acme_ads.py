"""Acme Ads tables (DDL in migrations/900_acme_ads.sql) and their quality suites."""

from __future__ import annotations

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

TABLES: tuple[TableSpec, ...] = (
    account_table("acme_ads.accounts"),
    object_table("acme_ads.campaigns", "campaign_id"),
    report_table("acme_ads.ad_stats_daily", "ad_id"),
)
