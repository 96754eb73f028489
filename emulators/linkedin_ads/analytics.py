"""The ``/rest/adAnalytics`` finders (``analytics`` and ``statistics``) over the market.

A query is parsed from the raw Rest.li query string (see ``restli.py``) into an
``AnalyticsQuery``; ``build_elements`` renders one element per pivot value and day (DAILY)
or per pivot value (ALL), only for creatives that delivered, from ``Market.truth`` as of
today, so a later query of a past day shows the late conversions that arrived meanwhile.
Market days are rendered as the UTC days LinkedIn reports in (the market's local day of an
account is taken to be that UTC day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from emulators.linkedin_ads import errors
from emulators.linkedin_ads.entities import (
    ACCOUNT_URN,
    CAMPAIGN_GROUP_URN,
    CAMPAIGN_URN,
    CREATIVE_URN,
    PLATFORM,
    urn_number,
)
from emulators.linkedin_ads.restli import RestliParseError, parse_value
from emulators.market import Ad, Market

PIVOTS = ("ACCOUNT", "CAMPAIGN_GROUP", "CAMPAIGN", "CREATIVE")
GRANULARITIES = ("DAILY", "ALL")
KEY_FIELDS = ("dateRange", "pivotValues")
# Metrics the emulator computes; the zero ones exist so that wide requests are realistic.
METRICS = (
    "impressions",
    "clicks",
    "landingPageClicks",
    "costInLocalCurrency",
    "externalWebsiteConversions",
    "conversionValueInLocalCurrency",
    "likes",
    "shares",
    "comments",
    "follows",
    "totalEngagements",
    "videoViews",
    "oneClickLeads",
    "opens",
    "sends",
    "reactions",
    "otherEngagements",
    "videoCompletions",
    "videoStarts",
    "fullScreenPlays",
    "jobApplications",
    "registrations",
)
MONEY = frozenset({"costInLocalCurrency", "conversionValueInLocalCurrency"})


@dataclass(frozen=True)
class AnalyticsQuery:
    """A parsed adAnalytics request."""

    pivots: tuple[str, ...]
    granularity: str
    start: date
    end: date
    accounts: tuple[str, ...]
    campaigns: tuple[str, ...] | None
    fields: tuple[str, ...]


def _urns(value: Any, prefix: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise errors.illegal(f"{name} must be a non-empty List(...) of {prefix}N URNs")
    out = []
    for item in value:
        number = urn_number(item, prefix) if isinstance(item, str) else None
        if number is None:
            raise errors.illegal(f"{name}: {item!r} is not a {prefix}N URN")
        out.append(number)
    return tuple(out)


def _day(value: Any, name: str) -> date:
    if not isinstance(value, dict) or set(value) != {"year", "month", "day"}:
        raise errors.illegal(f"dateRange.{name} must be (year:Y,month:M,day:D)")
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (TypeError, ValueError):
        raise errors.illegal(f"dateRange.{name} is not a valid date") from None


def parse_analytics(
    params: dict[str, str], today: date, max_fields: int
) -> AnalyticsQuery:
    """Parse and validate the raw query parameters of an adAnalytics request.

    Raises:
        LinkedInError: 400 for malformed Rest.li, unknown values, more than ``max_fields``
            fields, paging parameters, or a missing finder / date range / account.

    """
    try:
        return _parse(params, today, max_fields)
    except RestliParseError as exc:
        raise errors.illegal(f"Invalid Rest.li syntax: {exc}") from None


def _parse(params: dict[str, str], today: date, max_fields: int) -> AnalyticsQuery:
    finder = params.get("q")
    if finder not in ("analytics", "statistics"):
        raise errors.illegal("q must be analytics or statistics")
    if "start" in params or "count" in params or "pageToken" in params:
        raise errors.illegal("Setting a paging start value is not permitted: adAnalytics "
                             "does not paginate")
    if finder == "analytics":
        raw = params.get("pivot")
        if raw is None:
            raise errors.illegal("pivot is required by the analytics finder")
        pivot = parse_value(raw)
        if isinstance(pivot, dict) and set(pivot) == {"value"}:
            pivot = pivot["value"]  # the older (value:CAMPAIGN) form
        pivots: tuple[Any, ...] = (pivot,)
    else:
        raw = params.get("pivots")
        if raw is None:
            raise errors.illegal("pivots is required by the statistics finder")
        parsed = parse_value(raw)
        if not isinstance(parsed, list) or not 1 <= len(parsed) <= 3:
            raise errors.illegal("pivots must be List(...) of 1 to 3 pivots")
        pivots = tuple(parsed)
    for pivot in pivots:
        if pivot not in PIVOTS:
            raise errors.illegal(f"Unsupported pivot {pivot!r} (emulated: {', '.join(PIVOTS)})")
    granularity = parse_value(params.get("timeGranularity", "ALL"))
    if granularity not in GRANULARITIES:
        raise errors.illegal(f"timeGranularity {granularity!r} is not supported (DAILY, ALL)")
    if "dateRange" not in params:
        raise errors.illegal("dateRange is required")
    date_range = parse_value(params["dateRange"])
    if not isinstance(date_range, dict) or "start" not in date_range or (
        set(date_range) - {"start", "end"}
    ):
        raise errors.illegal("dateRange must be (start:(...),end:(...))")
    start = _day(date_range["start"], "start")
    end = _day(date_range["end"], "end") if "end" in date_range else today
    if end < start:
        raise errors.illegal("dateRange end is before its start")
    if "accounts" not in params:
        raise errors.illegal("accounts is required by the emulator")
    accounts = _urns(parse_value(params["accounts"]), ACCOUNT_URN, "accounts")
    campaigns = (
        _urns(parse_value(params["campaigns"]), CAMPAIGN_URN, "campaigns")
        if "campaigns" in params
        else None
    )
    fields = _fields(params.get("fields"), max_fields)
    return AnalyticsQuery(tuple(pivots), str(granularity), start, end, accounts, campaigns,
                          fields)


def _fields(raw: str | None, max_fields: int) -> tuple[str, ...]:
    if raw is None:
        return ("impressions", "clicks", *KEY_FIELDS)
    fields = tuple(f for f in raw.split(",") if f)
    if not fields:
        raise errors.illegal("fields is empty")
    if len(fields) > max_fields:
        raise errors.illegal(f"Requested {len(fields)} fields; at most {max_fields} fields "
                             "can be requested at a time")
    unknown = [f for f in fields if f not in METRICS and f not in KEY_FIELDS]
    if unknown:
        raise errors.illegal(f"Unknown fields: {', '.join(unknown)}")
    return fields


def _pivot_value(pivot: str, ad: Ad) -> str:
    if pivot == "CREATIVE":
        return f"{CREATIVE_URN}{ad.id}"
    if pivot == "CAMPAIGN":
        return f"{CAMPAIGN_URN}{ad.ad_group_id}"
    if pivot == "CAMPAIGN_GROUP":
        return f"{CAMPAIGN_GROUP_URN}{ad.campaign_id}"
    return f"{ACCOUNT_URN}{ad.account_id}"


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _ymd(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def build_elements(market: Market, query: AnalyticsQuery) -> list[dict[str, Any]]:
    """Render the elements of a query, sorted by (day, pivot values)."""
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    for account in query.accounts:
        if market.account(PLATFORM, account) is None:
            raise errors.illegal(f"Account {ACCOUNT_URN}{account} does not exist or is not "
                                 "accessible")
        today = market.local_today(PLATFORM, account)
        for ad in market.ads(PLATFORM, account):
            if query.campaigns is not None and ad.ad_group_id not in query.campaigns:
                continue
            for day in _days(max(query.start, ad.start_day), min(query.end, today)):
                truth = market.truth(PLATFORM, ad.id, day)
                if not truth.delivered:
                    continue
                bucket = (day, day) if query.granularity == "DAILY" else (query.start, query.end)
                key = (bucket, tuple(_pivot_value(p, ad) for p in query.pivots))
                acc = sums.setdefault(key, {"impressions": 0, "clicks": 0, "cost": Decimal(0),
                                            "conversions": 0, "value": Decimal(0)})
                acc["impressions"] += truth.impressions
                acc["clicks"] += truth.clicks
                acc["cost"] += truth.spend
                acc["conversions"] += truth.conversions
                acc["value"] += truth.value
    out = []
    for (bucket, pivot_values), acc in sorted(sums.items()):
        values: dict[str, Any] = {
            "dateRange": {"start": _ymd(bucket[0]), "end": _ymd(bucket[1])},
            "pivotValues": list(pivot_values),
            "impressions": acc["impressions"],
            "clicks": acc["clicks"],
            "landingPageClicks": acc["clicks"],
            "costInLocalCurrency": f"{acc['cost']:.2f}",
            "externalWebsiteConversions": acc["conversions"],
            "conversionValueInLocalCurrency": f"{acc['value']:.2f}",
        }
        out.append({f: values.get(f, 0) for f in query.fields})
    return out
