"""Declarative streams of the LinkedIn connector: names, tables, keys, models."""

from __future__ import annotations

from connectors.linkedin_ads import settings as C
from connectors.linkedin_ads.models import (
    AccountRow,
    AnalyticsDailyRow,
    CampaignGroupRow,
    CampaignRow,
    CreativeRow,
)
from connectors.streams import StreamSpec

__all__ = ["ENTITY_FINDERS", "STREAMS"]

ACCOUNTS = StreamSpec("accounts", f"{C.PLATFORM}.accounts", ("account_id",), None, AccountRow)
CAMPAIGN_GROUPS = StreamSpec(
    "campaign_groups",
    f"{C.PLATFORM}.campaign_groups",
    ("campaign_group_id",),
    None,
    CampaignGroupRow,
)
CAMPAIGNS = StreamSpec("campaigns", f"{C.PLATFORM}.campaigns", ("campaign_id",), None, CampaignRow)
CREATIVES = StreamSpec("creatives", f"{C.PLATFORM}.creatives", ("creative_id",), None, CreativeRow)
AD_ANALYTICS_DAILY = StreamSpec(
    "ad_analytics_daily",
    f"{C.PLATFORM}.ad_analytics_daily",
    ("creative_id", "date"),
    "date",
    AnalyticsDailyRow,
)

STREAMS: tuple[StreamSpec, ...] = (
    ACCOUNTS, CAMPAIGN_GROUPS, CAMPAIGNS, CREATIVES, AD_ANALYTICS_DAILY,
)

# Entity stream -> (sub-resource of /rest/adAccounts/{id}, finder name).
ENTITY_FINDERS: dict[str, tuple[str, str]] = {
    "campaign_groups": ("adCampaignGroups", "search"),
    "campaigns": ("adCampaigns", "search"),
    "creatives": ("creatives", "criteria"),
}
