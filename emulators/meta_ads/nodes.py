"""Graph nodes of the market: ad accounts, campaigns, ad sets and ads with field selection.

``render(node_type, values, fields)`` keeps the requested fields and rejects unknown ones
with Graph's ``(#100) Tried accessing nonexisting field`` error. Without ``fields``,
Graph returns ``id`` only (plus ``name`` on nothing else here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from emulators.market import Account, Ad, AdGroup, Campaign, Market
from emulators.meta_ads.errors import nonexisting_field

PLATFORM = "meta_ads"

OBJECTIVES = {"sales": "OUTCOME_SALES", "traffic": "OUTCOME_TRAFFIC",
              "awareness": "OUTCOME_AWARENESS"}


def graph_time(moment: datetime) -> str:
    """Graph's timestamp format: ``2026-01-05T10:00:00-0500``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def parse_fields(raw: str | None) -> list[str]:
    """``fields`` as sent: comma separated (``id,name``) or a JSON list (SDK async)."""
    if not raw:
        return []
    text = raw.strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return [str(f).strip() for f in loaded if str(f).strip()]
    return [f.strip() for f in text.split(",") if f.strip()]


def select(node_type: str, values: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Keep ``fields`` of ``values`` (always ``id``); unknown names are a Graph error."""
    for name in fields:
        if name not in values:
            raise nonexisting_field(name, node_type)
    wanted = fields or ["id"]
    out = {"id": values["id"]}
    out.update({k: values[k] for k in wanted if values[k] is not None})
    return out


def effective(market: Market, chain: list[tuple[str, str]]) -> str:
    """Graph ``effective_status``: the first paused parent wins."""
    for label, entity_id in chain:
        if market.status(PLATFORM, entity_id) != "ACTIVE":
            return label
    return "ACTIVE"


def account_values(market: Market, acc: Account) -> dict[str, Any]:
    """All fields of an ``AdAccount`` node."""
    return {
        "id": acc.id, "account_id": acc.number, "name": acc.name, "currency": acc.currency,
        "timezone_name": acc.timezone,
        "timezone_offset_hours_utc": (
            market.local_now(PLATFORM, acc.id).utcoffset() or timedelta(0)
        ).total_seconds() / 3600,
        "account_status": 1, "disable_reason": 0, "created_time": graph_time(acc.created_time),
        "business_name": "Northwind Outfitters",
    }


def _budget(market: Market, entity_id: str) -> str | None:
    minor = market.budget(PLATFORM, entity_id)
    return None if minor is None else str(minor)


def campaign_values(market: Market, c: Campaign) -> dict[str, Any]:
    """All fields of a ``Campaign`` node."""
    status = market.status(PLATFORM, c.id)
    return {
        "id": c.id, "account_id": c.account_id.removeprefix("act_"), "name": c.name,
        "objective": OBJECTIVES.get(c.objective, "OUTCOME_SALES"), "status": status,
        "configured_status": status,
        "effective_status": effective(market, [("PAUSED", c.id)]),
        "daily_budget": _budget(market, c.id), "lifetime_budget": "0",
        "buying_type": "AUCTION",
        "bid_strategy": "LOWEST_COST_WITHOUT_CAP" if c.budget_level == "campaign" else None,
        "start_time": graph_time(c.created_time), "created_time": graph_time(c.created_time),
        "updated_time": graph_time(market.updated_time(PLATFORM, c.id)),
    }


def adset_values(market: Market, g: AdGroup) -> dict[str, Any]:
    """All fields of an ``AdSet`` node."""
    status = market.status(PLATFORM, g.id)
    return {
        "id": g.id, "account_id": g.account_id.removeprefix("act_"), "name": g.name,
        "campaign_id": g.campaign_id, "status": status, "configured_status": status,
        "effective_status": effective(market, [("CAMPAIGN_PAUSED", g.campaign_id),
                                               ("PAUSED", g.id)]),
        "daily_budget": _budget(market, g.id), "lifetime_budget": "0",
        "billing_event": "IMPRESSIONS",
        "optimization_goal": "OFFSITE_CONVERSIONS",
        "start_time": graph_time(g.created_time), "created_time": graph_time(g.created_time),
        "updated_time": graph_time(market.updated_time(PLATFORM, g.id)),
    }


def ad_values(market: Market, a: Ad) -> dict[str, Any]:
    """All fields of an ``Ad`` node."""
    status = market.status(PLATFORM, a.id)
    return {
        "id": a.id, "account_id": a.account_id.removeprefix("act_"), "name": a.name,
        "campaign_id": a.campaign_id, "adset_id": a.ad_group_id, "status": status,
        "configured_status": status,
        "effective_status": effective(market, [("CAMPAIGN_PAUSED", a.campaign_id),
                                               ("ADSET_PAUSED", a.ad_group_id),
                                               ("PAUSED", a.id)]),
        "creative": {"id": str(int(a.id) + 500_000_000)},
        "created_time": graph_time(a.created_time),
        "updated_time": graph_time(market.updated_time(PLATFORM, a.id)),
    }


NODE_TYPES: dict[type, tuple[str, Callable[[Market, Any], dict[str, Any]]]] = {
    Account: ("AdAccount", account_values),
    Campaign: ("Campaign", campaign_values),
    AdGroup: ("AdSet", adset_values),
    Ad: ("Ad", ad_values),
}
