"""Declarative streams of the Google Ads connector: names, tables, keys, GAQL, models."""

from __future__ import annotations

from connectors.google_ads import settings as C
from connectors.google_ads.models import (
    AccountRow,
    AdGroupRow,
    AdPerformanceDailyRow,
    AdRow,
    CampaignRow,
)
from connectors.streams import StreamSpec

__all__ = ["ENTITY_QUERIES", "STREAMS"]

ACCOUNTS = StreamSpec("accounts", f"{C.PLATFORM}.accounts", ("account_id",), None, AccountRow)
CAMPAIGNS = StreamSpec("campaigns", f"{C.PLATFORM}.campaigns", ("campaign_id",), None, CampaignRow)
AD_GROUPS = StreamSpec("ad_groups", f"{C.PLATFORM}.ad_groups", ("ad_group_id",), None, AdGroupRow)
ADS = StreamSpec("ads", f"{C.PLATFORM}.ads", ("ad_id",), None, AdRow)
AD_PERFORMANCE_DAILY = StreamSpec(
    "ad_performance_daily",
    f"{C.PLATFORM}.ad_performance_daily",
    ("ad_id", "date"),
    "date",
    AdPerformanceDailyRow,
)

STREAMS: tuple[StreamSpec, ...] = (ACCOUNTS, CAMPAIGNS, AD_GROUPS, ADS, AD_PERFORMANCE_DAILY)

# Entity streams: one paged ``:search`` each.
ENTITY_QUERIES: dict[str, str] = {
    "accounts": C.ACCOUNTS_QUERY,
    "campaigns": C.CAMPAIGNS_QUERY,
    "ad_groups": C.AD_GROUPS_QUERY,
    "ads": C.ADS_QUERY,
}
