"""LinkedIn Ads tables (DDL in migrations/006_linkedin_ads.sql and 016) and their quality suites.

Campaign groups (migration 016) are what ``core.campaigns`` holds for LinkedIn, so a group
must carry a name (attribution matches UTM campaign names to spend through it), a known
currency and budgets that are not negative.
"""

from __future__ import annotations

from dataclasses import replace

from warehouse.platforms._suites import account_table, object_table, report_table
from warehouse.quality.checks import known_currency, non_negative
from warehouse.spec import CheckKind, CheckSpec, Severity, TableSpec

__all__ = ["TABLES"]


def _campaign_groups() -> TableSpec:
    base = object_table("linkedin_ads.campaign_groups", "campaign_group_id")
    return replace(base, checks=(
        *base.checks,
        CheckSpec("names_not_null", CheckKind.NOT_NULL, Severity.ERROR, ("account_id", "name")),
        known_currency("currency"),
        non_negative("daily_budget", "total_budget"),
    ))


TABLES: tuple[TableSpec, ...] = (
    account_table("linkedin_ads.accounts"),
    _campaign_groups(),
    object_table("linkedin_ads.campaigns", "campaign_id"),
    object_table("linkedin_ads.creatives", "creative_id"),
    report_table("linkedin_ads.ad_analytics_daily", "creative_id"),
)
