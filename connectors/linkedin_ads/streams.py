"""Declarative streams of the LinkedIn connector: names, tables, keys, models."""

from __future__ import annotations

from connectors.linkedin_ads import settings as C
from connectors.linkedin_ads.models import AccountRow, AnalyticsDailyRow, CampaignRow, CreativeRow
from connectors.streams import StreamSpec

__all__ = ["ENTITY_FINDERS", "STREAMS"]

ACCOUNTS = StreamSpec("accounts", f"{C.PLATFORM}.accounts", ("account_id",), None, AccountRow)
CAMPAIGNS = StreamSpec("campaigns", f"{C.PLATFORM}.campaigns", ("campaign_id",), None, CampaignRow)
CREATIVES = StreamSpec("creatives", f"{C.PLATFORM}.creatives", ("creative_id",), None, CreativeRow)
AD_ANALYTICS_DAILY = StreamSpec(
    "ad_analytics_daily",
    f"{C.PLATFORM}.ad_analytics_daily",
    ("creative_id", "date"),
    "date",
    AnalyticsDailyRow,
)

STREAMS: tuple[StreamSpec, ...] = (ACCOUNTS, CAMPAIGNS, CREATIVES, AD_ANALYTICS_DAILY)

# Entity stream -> (sub-resource of /rest/adAccounts/{id}, finder name).
ENTITY_FINDERS: dict[str, tuple[str, str]] = {
    "campaigns": ("adCampaigns", "search"),
    "creatives": ("creatives", "criteria"),
}
