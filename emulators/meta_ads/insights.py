"""Ads Insights: parse a query the way Graph validates it, then build rows from the market.

Rows are ad-day facts from ``Market.truth`` (as of the account's today, so today's row is
partial and past days carry the conversions reported so far), grouped by ``level`` and
``time_increment``. Only days with delivery produce rows; every number is a string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from emulators.curves import CLICK_WINDOWS, DEFAULT_WINDOWS, VIEW_WINDOWS
from emulators.market import Ad, DayTruth, Market
from emulators.meta_ads.errors import GraphError, invalid_parameter, nonexisting_field
from emulators.meta_ads.nodes import PLATFORM, parse_fields

LEVELS = ("account", "campaign", "adset", "ad")
LEVEL_FIELDS = {
    "account": ("account_id", "account_name"),
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
INSIGHT_FIELDS = frozenset({
    *(f for fs in LEVEL_FIELDS.values() for f in fs), "account_currency", "date_start",
    "date_stop", "spend", "impressions", "clicks", "cpm", "ctr", "cpc", "actions",
    "action_values", "objective",
})
DEFAULT_FIELDS = ("impressions", "spend")
# 7d_view and 28d_view are accepted but no longer returned (Meta, January 2026).
RETIRED_WINDOWS = frozenset({"7d_view", "28d_view"})
KNOWN_WINDOWS = frozenset({*CLICK_WINDOWS, *VIEW_WINDOWS, "1d_ev", *RETIRED_WINDOWS})
PURCHASE_TYPES = ("purchase", "offsite_conversion.fb_pixel_purchase", "omni_purchase")
MAX_MONTHS = 37


@dataclass(frozen=True)
class InsightsQuery:
    """A validated insights request."""

    level: str
    fields: tuple[str, ...]
    since: date
    until: date
    increment: int | None  # days per row; None = one row for the whole range
    windows: tuple[str, ...]  # requested, minus retired ones (empty: account default)

    def describe(self) -> dict[str, str]:
        """Fields a report run echoes back."""
        return {"date_start": self.since.isoformat(), "date_stop": self.until.isoformat()}


def _json_list(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        loaded = json.loads(raw)
    except ValueError:
        return [p.strip() for p in raw.split(",") if p.strip()]
    return [str(x) for x in loaded] if isinstance(loaded, list) else [str(loaded)]


def _date(text: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise invalid_parameter(f"{name} must be a date in the format YYYY-MM-DD") from exc


def _range(params: dict[str, str], today: date) -> tuple[date, date]:
    if params.get("time_range"):
        try:
            spec = json.loads(params["time_range"])
        except ValueError as exc:
            raise invalid_parameter("Param time_range must be a JSON object") from exc
        if not isinstance(spec, dict) or not {"since", "until"} <= spec.keys():
            raise invalid_parameter("time_range requires since and until")
        return _date(spec["since"], "since"), _date(spec["until"], "until")
    preset = params.get("date_preset", "last_30d")
    presets = {
        "today": (today, today),
        "yesterday": (today - timedelta(days=1),) * 2,
        "last_7d": (today - timedelta(days=7), today - timedelta(days=1)),
        "last_14d": (today - timedelta(days=14), today - timedelta(days=1)),
        "last_28d": (today - timedelta(days=28), today - timedelta(days=1)),
        "last_30d": (today - timedelta(days=30), today - timedelta(days=1)),
        "last_90d": (today - timedelta(days=90), today - timedelta(days=1)),
    }
    if preset not in presets:
        raise invalid_parameter(f"date_preset {preset!r} is not supported by the emulator")
    return presets[preset]


def parse_query(params: dict[str, str], default_level: str, today: date) -> InsightsQuery:
    """Validate insights parameters as Graph does (unknown fields, ranges, windows)."""
    level = params.get("level", default_level)
    if level not in LEVELS:
        raise invalid_parameter(f"level must be one of {', '.join(LEVELS)}")
    fields = tuple(parse_fields(params.get("fields"))) or DEFAULT_FIELDS
    for name in fields:
        if name not in INSIGHT_FIELDS:
            raise nonexisting_field(name, "AdsInsights")
    since, until = _range(params, today)
    if since > until:
        raise invalid_parameter("since must be on or before until")
    oldest = date(today.year - (MAX_MONTHS // 12), today.month, 1) - timedelta(days=31)
    if since < oldest:
        raise GraphError(
            3018,
            "The start date of the time range cannot be beyond 37 months from the current date",
        )
    raw_inc = params.get("time_increment", "all_days")
    if raw_inc == "all_days":
        increment = None
    elif raw_inc.isdigit() and 1 <= int(raw_inc) <= 90:
        increment = int(raw_inc)
    else:
        raise invalid_parameter("time_increment must be all_days or an integer from 1 to 90")
    windows = _json_list(params.get("action_attribution_windows"))
    for w in windows:
        if w not in KNOWN_WINDOWS:
            raise invalid_parameter(f"action_attribution_windows: unknown window {w!r}")
    kept = tuple(w for w in windows if w not in RETIRED_WINDOWS)
    return InsightsQuery(level, fields, since, min(until, today), increment, kept)


@dataclass
class _Bucket:
    keys: dict[str, str]
    start: date
    stop: date
    spend: Decimal = Decimal("0.00")
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    value: Decimal = Decimal("0.00")
    by_window: dict[str, int] = field(default_factory=dict)
    value_by_window: dict[str, Decimal] = field(default_factory=dict)

    def add(self, t: DayTruth) -> None:
        self.spend += t.spend
        self.impressions += t.impressions
        self.clicks += t.clicks
        self.conversions += t.conversions
        self.value += t.value
        for w, n in t.conversions_by_window.items():
            self.by_window[w] = self.by_window.get(w, 0) + n
        for w, v in t.value_by_window.items():
            self.value_by_window[w] = self.value_by_window.get(w, Decimal("0.00")) + v


def _keys(market: Market, ad: Ad, level: str) -> dict[str, str]:
    acc = market.account(PLATFORM, ad.account_id)
    assert acc is not None
    keys = {"account_id": acc.number, "account_name": acc.name,
            "account_currency": acc.currency}
    names = {
        "campaign": (ad.campaign_id, market.entity(PLATFORM, ad.campaign_id)),
        "adset": (ad.ad_group_id, market.entity(PLATFORM, ad.ad_group_id)),
        "ad": (ad.id, ad),
    }
    for lvl in LEVELS[1 : LEVELS.index(level) + 1]:
        entity_id, entity = names[lvl]
        keys[f"{lvl}_id"] = entity_id
        keys[f"{lvl}_name"] = getattr(entity, "name", "")
    return keys


def _action(kind: str, total: str, windows: dict[str, str]) -> dict[str, str]:
    return {"action_type": kind, "value": total, **windows}


def _actions(b: _Bucket, windows: tuple[str, ...]) -> tuple[list[Any], list[Any]]:
    def counts(n: int, per: dict[str, int]) -> dict[str, str]:
        return {w: str(per.get(w, 0)) for w in windows}

    def money(per: dict[str, Decimal]) -> dict[str, str]:
        return {w: f"{per.get(w, Decimal('0')):.2f}" for w in windows}

    actions: list[Any] = []
    values: list[Any] = []
    if b.clicks:
        clicks = {w: str(b.clicks if w in CLICK_WINDOWS else 0) for w in windows}
        actions.append(_action("link_click", str(b.clicks), clicks))
    if b.conversions or any(b.by_window.get(w, 0) for w in windows):
        for kind in PURCHASE_TYPES:
            actions.append(_action(kind, str(b.conversions), counts(b.conversions, b.by_window)))
            values.append(_action(kind, f"{b.value:.2f}", money(b.value_by_window)))
    return actions, values


def _ratio(num: Decimal | int, den: Decimal | int, scale: int) -> str:
    return f"{Decimal(num) * scale / Decimal(den):.6f}" if den else "0"


def build_rows(market: Market, ads: Iterable[Ad], query: InsightsQuery) -> list[dict[str, Any]]:
    """Insights rows for ``ads`` (all in one account) as Graph returns them."""
    windows = query.windows or DEFAULT_WINDOWS
    buckets: dict[tuple[str, date], _Bucket] = {}
    span = (query.until - query.since).days + 1
    for ad in ads:
        as_of = market.local_today(PLATFORM, ad.account_id)
        keys = _keys(market, ad, query.level)
        level_id = keys.get(f"{query.level}_id", keys["account_id"])
        for offset in range(span):
            day = query.since + timedelta(days=offset)
            truth = market.truth(PLATFORM, ad.id, day, as_of=as_of, windows=windows)
            if not truth.delivered:
                continue
            inc = query.increment or span
            start = query.since + timedelta(days=(offset // inc) * inc)
            stop = min(query.until, start + timedelta(days=inc - 1))
            bucket = buckets.setdefault((level_id, start), _Bucket(keys, start, stop))
            bucket.add(truth)
    rows = []
    for _, b in sorted(buckets.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        actions, values = _actions(b, query.windows)
        full: dict[str, Any] = {
            **b.keys, "date_start": b.start.isoformat(), "date_stop": b.stop.isoformat(),
            "spend": f"{b.spend:.2f}", "impressions": str(b.impressions),
            "clicks": str(b.clicks), "cpm": _ratio(b.spend, b.impressions, 1000),
            "ctr": _ratio(b.clicks, b.impressions, 100), "cpc": _ratio(b.spend, b.clicks, 1),
            "actions": actions or None, "action_values": values or None,
            "objective": None,
        }
        row = {k: full[k] for k in query.fields if full.get(k) is not None}
        row["date_start"], row["date_stop"] = full["date_start"], full["date_stop"]
        rows.append(row)
    return rows
