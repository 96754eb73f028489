"""Declarative streams of the Meta connector: names, tables, keys, fields, models."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from connectors.meta_ads import settings as C
from connectors.meta_ads.models import (
    AccountRow,
    AdRow,
    AdSetRow,
    CampaignRow,
    GraphAd,
    GraphAdSet,
    GraphCampaign,
    InsightDailyRow,
)
from connectors.streams import StreamSpec

__all__ = ["ENTITY_ENDPOINTS", "STREAMS", "EntityEndpoint"]

ACCOUNTS = StreamSpec("accounts", f"{C.PLATFORM}.accounts", ("account_id",), None, AccountRow)
CAMPAIGNS = StreamSpec("campaigns", f"{C.PLATFORM}.campaigns", ("campaign_id",), None, CampaignRow)
AD_SETS = StreamSpec("ad_sets", f"{C.PLATFORM}.ad_sets", ("ad_set_id",), None, AdSetRow)
ADS = StreamSpec("ads", f"{C.PLATFORM}.ads", ("ad_id",), None, AdRow)
AD_INSIGHTS_DAILY = StreamSpec(
    "ad_insights_daily",
    f"{C.PLATFORM}.ad_insights_daily",
    ("ad_id", "date"),
    "date",
    InsightDailyRow,
)

STREAMS: tuple[StreamSpec, ...] = (ACCOUNTS, CAMPAIGNS, AD_SETS, ADS, AD_INSIGHTS_DAILY)


@dataclass(frozen=True)
class EntityEndpoint:
    """Where an entity stream is read from.

    Attributes:
        edge: the account edge (``campaigns``, ``adsets``, ``ads``).
        fields: the ``fields`` parameter.
        model: the edge model that parses one record.

    """

    edge: str
    fields: tuple[str, ...]
    model: type[BaseModel]


ENTITY_ENDPOINTS: dict[str, EntityEndpoint] = {
    "campaigns": EntityEndpoint("campaigns", C.CAMPAIGN_FIELDS, GraphCampaign),
    "ad_sets": EntityEndpoint("adsets", C.AD_SET_FIELDS, GraphAdSet),
    "ads": EntityEndpoint("ads", C.AD_FIELDS, GraphAd),
}
