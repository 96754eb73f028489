"""Declarative streams of the Acme Ads connector: names, tables, keys, models."""

from __future__ import annotations

from connectors.streams import StreamSpec

from . import settings as C
from .models import AccountRow, AdStatsDailyRow, CampaignRow

__all__ = ["STREAMS"]

ACCOUNTS = StreamSpec("accounts", f"{C.PLATFORM}.accounts", ("account_id",), None, AccountRow)
CAMPAIGNS = StreamSpec("campaigns", f"{C.PLATFORM}.campaigns", ("campaign_id",), None, CampaignRow)
AD_STATS_DAILY = StreamSpec(
    "ad_stats_daily", f"{C.PLATFORM}.ad_stats_daily", ("ad_id", "date"), "date", AdStatsDailyRow
)

STREAMS: tuple[StreamSpec, ...] = (ACCOUNTS, CAMPAIGNS, AD_STATS_DAILY)
