"""The GAQL resources the emulator serves, rendered from the seeded market.

A query is answered in four steps: check the fields against the catalogue
(:data:`FIELD_KINDS`, :data:`RESOURCE_PREFIXES`), build flat rows (``{"campaign.id": 8..,
"metrics.cost_micros": 1230000, ...}``) for the ``FROM`` resource (one per entity, or one per
entity and day when metrics are asked for), filter / order / limit them, and render each as a
``GoogleAdsRow``: lowerCamelCase keys, int64 as strings, doubles as numbers.

Market mapping: customer = ad account (10-digit id), campaign / ad group / ad = the market's,
``ACTIVE`` = ``ENABLED``. Every campaign has one campaign budget (id ``7`` + the campaign id
without its leading ``8``); when the market holds the budget on the ad groups, the campaign
budget is their sum and a change is spread over them in proportion. Metrics are
``Market.truth`` as of the account's today under :data:`CONVERSION_WINDOWS`, so past days
restate as late conversions arrive; days without impressions have no row (as in Google).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from emulators.google_ads.errors import query_error
from emulators.google_ads.gaql import Condition, Query, Value
from emulators.market import Account, Ad, AdGroup, Campaign, Market

PLATFORM = "google_ads"
MANAGER_ID = "5550000001"
MANAGER_NAME = "Northwind Ads (manager)"
CONVERSION_WINDOWS = ("28d_click", "1d_view")
MICROS_PER_MINOR = 10_000  # every market currency has 2 decimals: 1 minor unit = 10,000 micros

Row = dict[str, Any]

# field -> kind (int64 rendered as a string, double as a number).
FIELD_KINDS: dict[str, str] = {
    "customer.id": "int64", "customer.descriptive_name": "string",
    "customer.currency_code": "string", "customer.time_zone": "string",
    "customer.status": "enum", "customer.manager": "bool", "customer.resource_name": "string",
    "customer_client.id": "int64", "customer_client.descriptive_name": "string",
    "customer_client.currency_code": "string", "customer_client.time_zone": "string",
    "customer_client.manager": "bool", "customer_client.status": "enum",
    "customer_client.level": "int64", "customer_client.client_customer": "string",
    "customer_client.resource_name": "string",
    "campaign.id": "int64", "campaign.name": "string", "campaign.status": "enum",
    "campaign.advertising_channel_type": "enum", "campaign.campaign_budget": "string",
    "campaign.start_date": "date", "campaign.resource_name": "string",
    "campaign_budget.id": "int64", "campaign_budget.name": "string",
    "campaign_budget.amount_micros": "int64", "campaign_budget.status": "enum",
    "campaign_budget.delivery_method": "enum", "campaign_budget.explicitly_shared": "bool",
    "campaign_budget.resource_name": "string",
    "ad_group.id": "int64", "ad_group.name": "string", "ad_group.status": "enum",
    "ad_group.type": "enum", "ad_group.campaign": "string", "ad_group.resource_name": "string",
    "ad_group_ad.ad.id": "int64", "ad_group_ad.ad.name": "string", "ad_group_ad.ad.type": "enum",
    "ad_group_ad.status": "enum", "ad_group_ad.ad_group": "string",
    "ad_group_ad.resource_name": "string",
    "segments.date": "date",
    "metrics.cost_micros": "int64", "metrics.impressions": "int64", "metrics.clicks": "int64",
    "metrics.conversions": "double", "metrics.conversions_value": "double",
}
# resource -> the resources whose fields it may select (itself and its attributed resources).
RESOURCE_PREFIXES: dict[str, tuple[str, ...]] = {
    "customer": ("customer",),
    "customer_client": ("customer_client",),
    "campaign": ("campaign", "campaign_budget", "customer"),
    "campaign_budget": ("campaign_budget", "customer"),
    "ad_group": ("ad_group", "campaign", "customer"),
    "ad_group_ad": ("ad_group_ad", "ad_group", "campaign", "customer"),
}
METRIC_RESOURCES = frozenset({"customer", "campaign", "ad_group", "ad_group_ad"})
_CHANNEL = {"sales": "PERFORMANCE_MAX", "traffic": "SEARCH", "awareness": "DISPLAY"}
_AD_TYPES = {"Video": "VIDEO_RESPONSIVE_AD", "Carousel": "RESPONSIVE_DISPLAY_AD",
             "Single image": "IMAGE_AD", "Collection": "RESPONSIVE_SEARCH_AD"}


def owner(field: str) -> str:
    """Return the resource a field belongs to (``ad_group_ad.ad.id`` -> ``ad_group_ad``)."""
    return field.split(".", 1)[0]


def budget_id(campaign_id: str) -> str:
    """Return the campaign budget id of a campaign."""
    return "7" + campaign_id[1:]


def campaign_of_budget(budget: str) -> str:
    """Return the campaign id of a campaign budget id."""
    return "8" + budget[1:]


def google_status(market_status: str) -> str:
    """``ACTIVE`` -> ``ENABLED``; ``PAUSED`` stays."""
    return "ENABLED" if market_status == "ACTIVE" else market_status


def to_camel(name: str) -> str:
    """``cost_micros`` -> ``costMicros``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def camel_path(field: str) -> str:
    """``ad_group_ad.ad.id`` -> ``adGroupAd.ad.id`` (the ``fieldMask`` spelling)."""
    return ".".join(to_camel(p) for p in field.split("."))


# ------------------------------------------------------------------ validation


def validate(query: Query, *, manager: bool) -> tuple[date, date] | None:
    """Check a parsed query against the catalogue; return its date range, if any.

    Raises:
        AdsError: a ``queryError`` naming what is not allowed.

    """
    allowed = RESOURCE_PREFIXES.get(query.resource)
    if allowed is None:
        raise query_error(
            "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
            f"Error in query: resource {query.resource!r} is not served by the emulator "
            f"(served: {', '.join(sorted(RESOURCE_PREFIXES))}).",
        )
    clauses = (
        ("SELECT", query.fields),
        ("WHERE", tuple(c.field for c in query.where)),
        ("ORDER BY", tuple(f for f, _ in query.order_by)),
    )
    metrics = False
    for clause, fields in clauses:
        for name in fields:
            if name not in FIELD_KINDS:
                raise query_error(
                    "UNRECOGNIZED_FIELD", f"Error in query: unrecognized field {name!r}."
                )
            res = owner(name)
            if res in ("metrics", "segments"):
                if query.resource not in METRIC_RESOURCES:
                    code = "METRIC" if res == "metrics" else "SEGMENT"
                    raise query_error(
                        f"PROHIBITED_{code}_IN_SELECT_OR_WHERE_CLAUSE",
                        f"Error in query: {name} cannot be used with resource {query.resource}.",
                    )
                metrics = True
            elif res not in allowed:
                where = "SELECT" if clause == "SELECT" else "WHERE"
                raise query_error(
                    f"PROHIBITED_RESOURCE_TYPE_IN_{where}_CLAUSE",
                    f"Error in query: {name} is not selectable with resource {query.resource}.",
                )
    if len(set(query.fields)) != len(query.fields):
        raise query_error("DUPLICATE_FIELDS_IN_SELECT", "Error in query: a field appears twice.")
    for cond in query.where:
        _check_condition(cond)
    if not metrics:
        return None
    if manager:
        raise query_error(
            "REQUESTED_METRICS_FOR_MANAGER",
            "Error in query: metrics cannot be requested for a manager account; query its "
            "client accounts instead.",
        )
    return _date_range(query.where)


def _check_condition(cond: Condition) -> None:
    kind = FIELD_KINDS[cond.field]
    for value in cond.values:
        if kind == "date":
            if not isinstance(value, str):
                raise query_error("INVALID_DATE_FORMAT", f"Error in query: {value!r}: not a date.")
            try:
                date.fromisoformat(value)
            except ValueError:
                raise query_error(
                    "INVALID_DATE_FORMAT", f"Error in query: {value!r} is not YYYY-MM-DD."
                ) from None
        elif kind in ("int64", "double") and (isinstance(value, bool) or not isinstance(
            value, int | float | str
        ) or (isinstance(value, str) and not _is_number(value))):
            raise query_error("BAD_NUMBER", f"Error in query: {value!r} is not a number.")
    if cond.op not in ("=", "!=", "IN") and kind in ("enum", "bool"):
        raise query_error("OPERATOR_FIELD_MISMATCH", f"Error in query: {cond.op} on {cond.field}.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _date_range(where: tuple[Condition, ...]) -> tuple[date, date]:
    low: date | None = None
    high: date | None = None
    for cond in where:
        if cond.field != "segments.date":
            continue
        days = [date.fromisoformat(str(v)) for v in cond.values]
        if cond.op == "BETWEEN":
            low, high = _max(low, days[0]), _min(high, days[1])
        elif cond.op in ("=", "IN"):
            low, high = _max(low, min(days)), _min(high, max(days))
        elif cond.op in (">=", ">"):
            low = _max(low, days[0] + timedelta(days=cond.op == ">"))
        elif cond.op in ("<=", "<"):
            high = _min(high, days[0] - timedelta(days=cond.op == "<"))
    if low is None or high is None:
        raise query_error(
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "Error in query: metrics and segments.date need a finite date range on "
            "segments.date in the WHERE clause.",
        )
    return low, high


def _max(a: date | None, b: date) -> date:
    return b if a is None else max(a, b)


def _min(a: date | None, b: date) -> date:
    return b if a is None else min(a, b)


# ------------------------------------------------------------------ entity rows


def manager_row() -> Row:
    """Return the manager account's ``customer`` fields."""
    return {
        "customer.id": int(MANAGER_ID), "customer.descriptive_name": MANAGER_NAME,
        "customer.currency_code": "USD", "customer.time_zone": "America/New_York",
        "customer.status": "ENABLED", "customer.manager": True,
        "customer.resource_name": f"customers/{MANAGER_ID}",
    }


def customer_row(acc: Account) -> Row:
    """Return a client account's ``customer`` fields."""
    return {
        "customer.id": int(acc.id), "customer.descriptive_name": acc.name,
        "customer.currency_code": acc.currency, "customer.time_zone": acc.timezone,
        "customer.status": "ENABLED", "customer.manager": False,
        "customer.resource_name": f"customers/{acc.id}",
    }


def client_rows(market: Market, customer_id: str) -> list[Row]:
    """``customer_client`` rows: the customer itself (level 0) and, for the manager, its clients."""
    def row(cust: Row, level: int) -> Row:
        cid = cust["customer.id"]
        return {
            "customer_client.id": cid,
            "customer_client.descriptive_name": cust["customer.descriptive_name"],
            "customer_client.currency_code": cust["customer.currency_code"],
            "customer_client.time_zone": cust["customer.time_zone"],
            "customer_client.manager": cust["customer.manager"],
            "customer_client.status": "ENABLED", "customer_client.level": level,
            "customer_client.client_customer": f"customers/{cid}",
            "customer_client.resource_name": f"customers/{customer_id}/customerClients/{cid}",
        }

    if customer_id == MANAGER_ID:
        return [row(manager_row(), 0)] + [
            row(customer_row(a), 1) for a in market.accounts(PLATFORM)
        ]
    acc = market.account(PLATFORM, customer_id)
    assert acc is not None
    return [row(customer_row(acc), 0)]


def budget_micros(market: Market, campaign: Campaign) -> int:
    """Return the campaign budget amount in micros (sum of the ad groups' when they hold it)."""
    own = market.budget(PLATFORM, campaign.id)
    if own is not None:
        return own * MICROS_PER_MINOR
    groups = market.ad_groups(PLATFORM, campaign.id)
    return sum(market.budget(PLATFORM, g.id) or 0 for g in groups) * MICROS_PER_MINOR


def campaign_budget_row(market: Market, campaign: Campaign) -> Row:
    """Return a campaign's ``campaign_budget`` fields."""
    bid = budget_id(campaign.id)
    return {
        "campaign_budget.id": int(bid), "campaign_budget.name": f"Budget {campaign.name}",
        "campaign_budget.amount_micros": budget_micros(market, campaign),
        "campaign_budget.status": "ENABLED", "campaign_budget.delivery_method": "STANDARD",
        "campaign_budget.explicitly_shared": False,
        "campaign_budget.resource_name": f"customers/{campaign.account_id}/campaignBudgets/{bid}",
    }


def campaign_row(market: Market, campaign: Campaign) -> Row:
    """Return a campaign's ``campaign`` fields."""
    cid = campaign.account_id
    return {
        "campaign.id": int(campaign.id), "campaign.name": campaign.name,
        "campaign.status": google_status(market.status(PLATFORM, campaign.id)),
        "campaign.advertising_channel_type": _CHANNEL.get(campaign.objective, "SEARCH"),
        "campaign.campaign_budget": f"customers/{cid}/campaignBudgets/{budget_id(campaign.id)}",
        "campaign.start_date": campaign.start_day.isoformat(),
        "campaign.resource_name": f"customers/{cid}/campaigns/{campaign.id}",
    }


def ad_group_row(market: Market, group: AdGroup) -> Row:
    """Return an ad group's ``ad_group`` fields."""
    cid = group.account_id
    return {
        "ad_group.id": int(group.id), "ad_group.name": group.name,
        "ad_group.status": google_status(market.status(PLATFORM, group.id)),
        "ad_group.type": "SEARCH_STANDARD",
        "ad_group.campaign": f"customers/{cid}/campaigns/{group.campaign_id}",
        "ad_group.resource_name": f"customers/{cid}/adGroups/{group.id}",
    }


def ad_row(market: Market, ad: Ad) -> Row:
    """Return an ad's ``ad_group_ad`` fields."""
    cid = ad.account_id
    fmt = ad.name.rsplit(" ", 1)[0]
    return {
        "ad_group_ad.ad.id": int(ad.id), "ad_group_ad.ad.name": ad.name,
        "ad_group_ad.ad.type": _AD_TYPES.get(fmt, "RESPONSIVE_SEARCH_AD"),
        "ad_group_ad.status": google_status(market.status(PLATFORM, ad.id)),
        "ad_group_ad.ad_group": f"customers/{cid}/adGroups/{ad.ad_group_id}",
        "ad_group_ad.resource_name": f"customers/{cid}/adGroupAds/{ad.ad_group_id}~{ad.id}",
    }


def _entities(market: Market, acc: Account, resource: str) -> list[tuple[Row, list[Ad]]]:
    """(flat entity row, ads under it) for every entity of ``resource`` in the account."""
    cust = customer_row(acc)
    campaigns = {c.id: c for c in market.campaigns(PLATFORM, acc.id)}
    if resource == "customer":
        return [(cust, market.ads(PLATFORM, acc.id))]
    if resource in ("campaign", "campaign_budget"):
        out = []
        for c in campaigns.values():
            row = {**cust, **campaign_budget_row(market, c)}
            if resource == "campaign":
                row.update(campaign_row(market, c))
            out.append((row, market.ads(PLATFORM, c.id)))
        return out
    if resource == "ad_group":
        return [
            ({**cust, **campaign_row(market, campaigns[g.campaign_id]), **ad_group_row(market, g)},
             market.ads(PLATFORM, g.id))
            for g in market.ad_groups(PLATFORM, acc.id)
        ]
    groups = {g.id: g for g in market.ad_groups(PLATFORM, acc.id)}
    return [
        ({**cust, **campaign_row(market, campaigns[a.campaign_id]),
          **ad_group_row(market, groups[a.ad_group_id]), **ad_row(market, a)}, [a])
        for a in market.ads(PLATFORM, acc.id)
    ]


def _metrics(market: Market, ads: list[Ad], days: list[date], as_of: date) -> Row | None:
    spend = Decimal(0)
    impressions = clicks = conversions = 0
    value = Decimal(0)
    for ad in ads:
        for day in days:
            t = market.truth(PLATFORM, ad.id, day, as_of=as_of, windows=CONVERSION_WINDOWS)
            spend += t.spend
            impressions += t.impressions
            clicks += t.clicks
            conversions += t.conversions
            value += t.value
    if impressions == 0:
        return None
    return {
        "metrics.cost_micros": int(spend * 1_000_000), "metrics.impressions": impressions,
        "metrics.clicks": clicks, "metrics.conversions": float(conversions),
        "metrics.conversions_value": float(value),
    }


def build_rows(
    market: Market, customer_id: str, query: Query, span: tuple[date, date] | None
) -> list[Row]:
    """Flat rows answering ``query`` for one customer, filtered, ordered and limited."""
    if query.resource == "customer_client":
        rows = client_rows(market, customer_id)
    elif customer_id == MANAGER_ID:
        rows = [manager_row()] if query.resource == "customer" else []
    else:
        acc = market.account(PLATFORM, customer_id)
        assert acc is not None
        entities = _entities(market, acc, query.resource)
        if span is None:
            rows = [row for row, _ads in entities]
        else:
            rows = _metric_rows(market, acc, entities, span, "segments.date" in _used(query))
    rows = [r for r in rows if all(_holds(c, r) for c in query.where)]
    for name, descending in reversed(query.order_by):
        rows.sort(key=_sort_key(name), reverse=descending)
    return rows[: query.limit] if query.limit is not None else rows


def _used(query: Query) -> set[str]:
    return {*query.fields, *(c.field for c in query.where), *(f for f, _ in query.order_by)}


def _metric_rows(
    market: Market, acc: Account, entities: list[tuple[Row, list[Ad]]],
    span: tuple[date, date], by_day: bool,
) -> list[Row]:
    today = market.local_today(PLATFORM, acc.id)
    start, end = span[0], min(span[1], today)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    out: list[Row] = []
    buckets = [[d] for d in days] if by_day else ([days] if days else [])
    for bucket in buckets:
        for row, ads in entities:
            values = _metrics(market, ads, bucket, today)
            if values is not None:
                extra = {"segments.date": bucket[0].isoformat()} if by_day else {}
                out.append({**row, **extra, **values})
    return out


def _sort_key(name: str) -> Callable[[Row], Any]:
    return lambda row: (row.get(name) is None, row.get(name))


def _coerce(kind: str, value: Value) -> Any:
    if kind in ("int64", "double") and isinstance(value, str):
        return float(value)
    return value


def _holds(cond: Condition, row: Row) -> bool:
    kind = FIELD_KINDS[cond.field]
    actual = row.get(cond.field)
    wanted = [_coerce(kind, v) for v in cond.values]
    if actual is None:
        return False
    if cond.op == "=":
        return bool(actual == wanted[0])
    if cond.op == "!=":
        return bool(actual != wanted[0])
    if cond.op == "IN":
        return actual in wanted
    if cond.op == "BETWEEN":
        return bool(wanted[0] <= actual <= wanted[1])
    compare: dict[str, Callable[[Any, Any], bool]] = {
        "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    }
    return compare[cond.op](actual, wanted[0])


# ------------------------------------------------------------------ rendering


def render(row: Row, fields: tuple[str, ...]) -> dict[str, Any]:
    """One ``GoogleAdsRow``: the selected fields (plus each object's resourceName), camelCase."""
    out: dict[str, Any] = {}
    wanted = list(fields)
    for res in dict.fromkeys(owner(f) for f in fields):
        name = f"{res}.resource_name"
        if name in row and name not in wanted:
            wanted.append(name)
    for name in wanted:
        value = row.get(name)
        if value is None:
            continue
        kind = FIELD_KINDS[name]
        if kind == "int64":
            value = str(value)
        node = out
        parts = [to_camel(p) for p in name.split(".")]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def field_mask(fields: tuple[str, ...]) -> str:
    """Return the response ``fieldMask``: the selected fields in lowerCamelCase."""
    return ",".join(camel_path(f) for f in fields)
