"""``runReport``: parse and check a request body, then aggregate sessions into the answer.

Supported: ``dimensions`` (the session-scoped ones below and the property's registered custom
dimensions), ``metrics`` (``sessions``, ``keyEvents``, ``totalRevenue``, ``purchaseRevenue``),
up to four ``dateRanges`` (``YYYY-MM-DD``, ``today``, ``yesterday``, ``NdaysAgo`` in the
property's time zone; more than one adds the ``dateRange`` dimension), ``limit`` (default
10,000, at most 250,000 rows per answer) and ``offset``, ``orderBys`` on dimensions and
metrics, ``dimensionFilter`` with string and in-list filters combined by and/or/not groups,
``metricAggregations``, ``currencyCode``, ``keepEmptyRows`` and ``returnPropertyQuota``.
``metricFilter``, numeric/between/empty dimension filters, ``cohortSpec`` and ``comparisons``
are refused with a 400 that says so; unknown body fields are refused as Google's JSON parser
refuses them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from emulators.ga4 import errors
from emulators.ga4.properties import RATES_TO_USD, Ga4Property, convert
from emulators.ga4.sessions import Ga4Session, channel_group

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "METRIC_TYPES",
    "METRIC_TYPE_NUMBERS",
    "ReportRequest",
    "parse_request",
    "run_report",
]

DEFAULT_LIMIT = 10_000
MAX_LIMIT = 250_000
MAX_DIMENSIONS = 9
MAX_METRICS = 10
MAX_DATE_RANGES = 4
FIRST_DAY = date(2015, 8, 14)

METRIC_TYPES = {
    "sessions": "TYPE_INTEGER",
    "keyEvents": "TYPE_INTEGER",
    "totalRevenue": "TYPE_CURRENCY",
    "purchaseRevenue": "TYPE_CURRENCY",
}
# google.analytics.data.v1beta.MetricType numbers (answers asked for enum-encoding=int).
METRIC_TYPE_NUMBERS = {"TYPE_INTEGER": 1, "TYPE_FLOAT": 2, "TYPE_CURRENCY": 9}
_BODY_FIELDS = frozenset(
    {
        "property", "dimensions", "metrics", "dateRanges", "dimensionFilter", "metricFilter",
        "offset", "limit", "metricAggregations", "orderBys", "currencyCode", "cohortSpec",
        "keepEmptyRows", "returnPropertyQuota", "comparisons",
    }
)
_AGGREGATIONS = {"TOTAL": ("totals", "RESERVED_TOTAL"), "MAXIMUM": ("maximums", "RESERVED_MAX"),
                 "MINIMUM": ("minimums", "RESERVED_MIN")}
_DAYS_AGO = re.compile(r"^(\d+)daysAgo$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Dimension = Callable[[Ga4Session, datetime], str]

_DIMENSIONS: dict[str, Dimension] = {
    "date": lambda s, local: local.strftime("%Y%m%d"),
    "dateHour": lambda s, local: local.strftime("%Y%m%d%H"),
    "dateHourMinute": lambda s, local: local.strftime("%Y%m%d%H%M"),
    "sessionSource": lambda s, local: s.source,
    "sessionMedium": lambda s, local: s.medium,
    "sessionSourceMedium": lambda s, local: f"{s.source} / {s.medium}",
    "sessionCampaignName": lambda s, local: s.campaign,
    "sessionDefaultChannelGroup": lambda s, local: channel_group(s.channel),
    "landingPage": lambda s, local: s.landing_page,
    "landingPagePlusQueryString": lambda s, local: s.landing_page_plus_query,
}


@dataclass(frozen=True)
class OrderBy:
    """One ``orderBys`` entry."""

    name: str
    is_metric: bool
    desc: bool
    order_type: str = "ALPHANUMERIC"


@dataclass
class ReportRequest:
    """A checked ``runReport`` body."""

    dimensions: list[str]
    metrics: list[str]
    date_ranges: list[tuple[date, date, str]]
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    order_bys: list[OrderBy] = field(default_factory=list)
    row_filter: Callable[[Mapping[str, str]], bool] | None = None
    filter_fields: tuple[str, ...] = ()
    aggregations: list[str] = field(default_factory=list)
    currency: str | None = None
    return_quota: bool = False

    @property
    def days(self) -> int:
        """Days covered by the date ranges (for the token charge)."""
        return sum((end - start).days + 1 for start, end, _ in self.date_ranges)


# ---------------------------------------------------------------------- parsing


def _resolve_date(value: Any, where: str, today: date) -> date:
    if not isinstance(value, str) or not value:
        raise errors.invalid(f"{where} is required (YYYY-MM-DD, today, yesterday or NdaysAgo)")
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    ago = _DAYS_AGO.match(value)
    if ago:
        return today - timedelta(days=int(ago[1]))
    if _ISO.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None:
            if day < FIRST_DAY:
                raise errors.invalid(f"{where} {value} is before {FIRST_DAY}, the first GA4 day")
            return day
    raise errors.invalid(
        f"{where} '{value}' is not a date: use YYYY-MM-DD, today, yesterday or NdaysAgo"
    )


def _int64(value: Any, where: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise errors.invalid(f"{where} must be an int64 (a number or a string of digits)")
    try:
        return int(value)
    except ValueError:
        raise errors.invalid(f"{where} '{value}' is not an int64") from None


def _names(body: dict[str, Any], key: str, kind: str, known: set[str], cap: int) -> list[str]:
    raw = body.get(key) or []
    if not isinstance(raw, list):
        raise errors.invalid(f"{key} must be a list of {{name}} objects")
    names: list[str] = []
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise errors.invalid(f"{key}[{i}].name is required")
        if isinstance(item, dict) and set(item) - {"name"}:
            extra = sorted(set(item) - {"name"})[0]
            raise errors.unsupported(f"{key}[{i}].{extra}")
        if name not in known:
            raise errors.unknown_field(kind, name)
        if name in names:
            raise errors.invalid(f"Duplicate {kind} name {name} in {key}")
        names.append(name)
    if len(names) > cap:
        raise errors.invalid(
            f"Requests are limited to {cap} {kind}s; this request has {len(names)} {kind}s"
        )
    return names


def _string_match(spec: dict[str, Any], where: str) -> Callable[[str], bool]:
    match_type = spec.get("matchType", "EXACT")
    value = spec.get("value")
    if not isinstance(value, str):
        raise errors.invalid(f"{where}.value is required")
    sensitive = bool(spec.get("caseSensitive", False))
    if match_type in ("FULL_REGEXP", "PARTIAL_REGEXP"):
        try:
            pattern = re.compile(value, 0 if sensitive else re.IGNORECASE)
        except re.error as exc:
            raise errors.invalid(f"{where}.value is not a regular expression: {exc}") from None
        if match_type == "FULL_REGEXP":
            return lambda v: pattern.fullmatch(v) is not None
        return lambda v: pattern.search(v) is not None
    want = value if sensitive else value.lower()
    tests: dict[str, Callable[[str, str], bool]] = {
        "EXACT": lambda v, w: v == w,
        "BEGINS_WITH": lambda v, w: v.startswith(w),
        "ENDS_WITH": lambda v, w: v.endswith(w),
        "CONTAINS": lambda v, w: w in v,
    }
    test = tests.get(match_type)
    if test is None:
        raise errors.invalid(f"{where}.matchType {match_type!r} is not a string match type")
    return lambda v: test(v if sensitive else v.lower(), want)


def _filter(
    expr: Any, where: str, known: set[str], fields: list[str]
) -> Callable[[Mapping[str, str]], bool]:
    if not isinstance(expr, dict) or len(expr) != 1:
        raise errors.invalid(
            f"{where} must hold exactly one of andGroup, orGroup, notExpression, filter"
        )
    (kind, inner), = expr.items()
    if kind in ("andGroup", "orGroup"):
        parts = inner.get("expressions") if isinstance(inner, dict) else None
        if not isinstance(parts, list) or not parts:
            raise errors.invalid(f"{where}.{kind}.expressions must be a non-empty list")
        tests = [
            _filter(p, f"{where}.{kind}.expressions[{i}]", known, fields)
            for i, p in enumerate(parts)
        ]
        if kind == "andGroup":
            return lambda row: all(t(row) for t in tests)
        return lambda row: any(t(row) for t in tests)
    if kind == "notExpression":
        test = _filter(inner, f"{where}.notExpression", known, fields)
        return lambda row: not test(row)
    if kind != "filter":
        raise errors.invalid(f"{where}: unknown filter expression {kind!r}")
    if not isinstance(inner, dict):
        raise errors.invalid(f"{where}.filter must be an object")
    name = inner.get("fieldName")
    if not isinstance(name, str) or name not in known:
        raise errors.unknown_field("dimension", str(name))
    fields.append(name)
    if "stringFilter" in inner:
        match = _string_match(inner["stringFilter"] or {}, f"{where}.filter.stringFilter")
        return lambda row: match(row[name])
    if "inListFilter" in inner:
        spec = inner["inListFilter"] or {}
        values = spec.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise errors.invalid(f"{where}.filter.inListFilter.values must be a list of strings")
        if spec.get("caseSensitive", False):
            wanted = set(values)
            return lambda row: row[name] in wanted
        lowered = {v.lower() for v in values}
        return lambda row: row[name].lower() in lowered
    other = next((k for k in inner if k != "fieldName"), "no filter")
    raise errors.unsupported(f"{where}.filter.{other}")


def _order_bys(raw: Any, dims: list[str], metrics: list[str]) -> list[OrderBy]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise errors.invalid("orderBys must be a list")
    out: list[OrderBy] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise errors.invalid(f"orderBys[{i}] must be an object")
        desc = bool(item.get("desc", False))
        if "dimension" in item:
            spec = item["dimension"] or {}
            name = spec.get("dimensionName")
            if name not in dims:
                raise errors.invalid(
                    f"orderBys[{i}].dimension.dimensionName {name!r} is not a requested dimension"
                )
            order_type = spec.get("orderType", "ALPHANUMERIC")
            if order_type not in ("ALPHANUMERIC", "CASE_INSENSITIVE_ALPHANUMERIC", "NUMERIC"):
                raise errors.invalid(f"orderBys[{i}].dimension.orderType {order_type!r} is invalid")
            out.append(OrderBy(name, False, desc, order_type))
        elif "metric" in item:
            name = (item["metric"] or {}).get("metricName")
            if name not in metrics:
                raise errors.invalid(
                    f"orderBys[{i}].metric.metricName {name!r} is not a requested metric"
                )
            out.append(OrderBy(name, True, desc))
        else:
            raise errors.unsupported(f"orderBys[{i}] without dimension or metric (pivot)")
    return out


def parse_request(
    body: dict[str, Any], known_dimensions: set[str], today: date
) -> ReportRequest:
    """Check a ``runReport`` body and resolve its relative dates.

    Args:
        body: the decoded JSON body.
        known_dimensions: custom dimension API names of the property (added to the built-ins).
        today: today in the property's time zone.

    Raises:
        Ga4Error: INVALID_ARGUMENT naming the offending field.

    """
    unknown = sorted(set(body) - _BODY_FIELDS)
    if unknown:
        raise errors.unknown_json_name(unknown[0])
    for feature in ("metricFilter", "cohortSpec", "comparisons"):
        if body.get(feature):
            raise errors.unsupported(feature)
    dims_known = set(_DIMENSIONS) | known_dimensions
    dims = _names(body, "dimensions", "dimension", dims_known, MAX_DIMENSIONS)
    metrics = _names(body, "metrics", "metric", set(METRIC_TYPES), MAX_METRICS)
    if not dims and not metrics:
        raise errors.invalid("A report needs at least one dimension or metric")
    raw_ranges = body.get("dateRanges")
    if not isinstance(raw_ranges, list) or not raw_ranges:
        raise errors.invalid("dateRanges is required: at least one DateRange")
    if len(raw_ranges) > MAX_DATE_RANGES:
        raise errors.invalid(f"Requests are limited to {MAX_DATE_RANGES} dateRanges")
    ranges: list[tuple[date, date, str]] = []
    for i, item in enumerate(raw_ranges):
        if not isinstance(item, dict):
            raise errors.invalid(f"dateRanges[{i}] must be an object")
        start = _resolve_date(item.get("startDate"), f"dateRanges[{i}].startDate", today)
        end = _resolve_date(item.get("endDate"), f"dateRanges[{i}].endDate", today)
        if start > end:
            raise errors.invalid(
                f"dateRanges[{i}]: startDate {start} is after endDate {end}; the startDate "
                "must be before or equal to the endDate"
            )
        ranges.append((start, end, str(item.get("name") or f"date_range_{i}")))
    if len(ranges) > 1:
        dims = [*dims, "dateRange"]
    limit = _int64(body.get("limit"), "limit", DEFAULT_LIMIT)
    offset = _int64(body.get("offset"), "offset", 0)
    if limit < 0:
        raise errors.invalid(f"limit must be positive; got {limit}")
    if offset < 0:
        raise errors.invalid(f"offset must be >= 0; got {offset}")
    aggregations = body.get("metricAggregations") or []
    if not isinstance(aggregations, list) or set(aggregations) - set(_AGGREGATIONS):
        raise errors.invalid(f"metricAggregations must be a subset of {sorted(_AGGREGATIONS)}")
    currency = body.get("currencyCode")
    if currency is not None and currency not in RATES_TO_USD:
        raise errors.invalid(f"currencyCode {currency!r} is not a supported currency")
    row_filter = None
    fields: list[str] = []
    if body.get("dimensionFilter"):
        row_filter = _filter(body["dimensionFilter"], "dimensionFilter", dims_known, fields)
    return ReportRequest(
        dimensions=dims,
        metrics=metrics,
        date_ranges=ranges,
        limit=min(limit or DEFAULT_LIMIT, MAX_LIMIT),
        offset=offset,
        order_bys=_order_bys(body.get("orderBys"), dims, metrics),
        row_filter=row_filter,
        filter_fields=tuple(fields),
        aggregations=list(aggregations),
        currency=currency,
        return_quota=bool(body.get("returnPropertyQuota", False)),
    )


# ---------------------------------------------------------------------- running


def _money(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _metric_text(name: str, value: Decimal) -> str:
    return _money(value) if METRIC_TYPES[name] == "TYPE_CURRENCY" else str(int(value))


def _dimension_values(
    session: Ga4Session, local: datetime, names: set[str], client_dimension: str
) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in names:
        if name == client_dimension:
            values[name] = session.client_id
        elif name in _DIMENSIONS:
            values[name] = _DIMENSIONS[name](session, local)
        elif name != "dateRange":
            values[name] = "(not set)"  # a registered custom dimension nothing sets
    return values


def _sort_key(order: OrderBy, value: str | Decimal) -> Any:
    if order.is_metric:
        return value
    text = str(value)
    if order.order_type == "NUMERIC":
        try:
            return (0, Decimal(text), text)
        except ArithmeticError:
            return (1, Decimal(0), text)
    return text.lower() if order.order_type == "CASE_INSENSITIVE_ALPHANUMERIC" else text


def _sorted(
    rows: list[tuple[tuple[str, ...], list[Decimal]]], request: ReportRequest
) -> list[tuple[tuple[str, ...], list[Decimal]]]:
    # Default order: first metric descending, then dimension values (stable paging).
    rows.sort(key=lambda r: r[0])
    orders = request.order_bys or (
        [OrderBy(request.metrics[0], True, True)] if request.metrics else []
    )
    for order in reversed(orders):
        rows.sort(key=_row_key(order, request), reverse=order.desc)
    return rows


def _row_key(
    order: OrderBy, request: ReportRequest
) -> Callable[[tuple[tuple[str, ...], list[Decimal]]], Any]:
    if order.is_metric:
        i = request.metrics.index(order.name)
        return lambda row: _sort_key(order, row[1][i])
    j = request.dimensions.index(order.name)
    return lambda row: _sort_key(order, row[0][j])


def run_report(
    request: ReportRequest,
    sessions: list[Ga4Session],
    prop: Ga4Property,
    now: datetime,
    client_dimension: str,
) -> tuple[dict[str, Any], int]:
    """Aggregate the sessions GA4 shows at ``now`` into a ``runReport`` answer.

    Args:
        request: the checked request.
        sessions: the property's sessions, ordered by start.
        prop: the property.
        now: the instant of the report (processing delays are measured against it).
        client_dimension: the custom dimension API name that carries the client id.

    Returns:
        The body (without ``propertyQuota``) and the total row count.

    """
    tz = prop.tz
    currency = request.currency or prop.currency
    needed = set(request.dimensions) | set(request.filter_fields)
    starts = [s.start for s in sessions]
    groups: dict[tuple[str, ...], list[Decimal]] = {}
    for start, end, range_name in request.date_ranges:
        lo = datetime.combine(start, time.min, tzinfo=tz)
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        for session in sessions[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)]:
            if session.visible_at > now:
                continue
            local = session.start.astimezone(tz)
            values = _dimension_values(session, local, needed, client_dimension)
            values["dateRange"] = range_name
            if request.row_filter is not None and not request.row_filter(values):
                continue
            key = tuple(values[d] for d in request.dimensions)
            shown = [e for e in session.events if e.visible_at <= now]
            revenue = sum((e.revenue for e in shown), Decimal(0))
            measured = {
                "sessions": Decimal(1),
                "keyEvents": Decimal(sum(1 for e in shown if e.key_event)),
                "totalRevenue": convert(revenue, prop.currency, currency),
                "purchaseRevenue": convert(revenue, prop.currency, currency),
            }
            acc = groups.setdefault(key, [Decimal(0)] * len(request.metrics))
            for i, metric in enumerate(request.metrics):
                acc[i] += measured[metric]
    rows = _sorted(list(groups.items()), request)
    page = rows[request.offset : request.offset + request.limit]
    body: dict[str, Any] = {
        "dimensionHeaders": [{"name": d} for d in request.dimensions],
        "metricHeaders": [{"name": m, "type": METRIC_TYPES[m]} for m in request.metrics],
    }
    if page:  # proto3 JSON omits empty lists and zero counts
        body["rows"] = [
            {
                "dimensionValues": [{"value": v} for v in key],
                "metricValues": [
                    {"value": _metric_text(m, v)} for m, v in zip(request.metrics, acc, strict=True)
                ],
            }
            for key, acc in page
        ]
    for aggregation in request.aggregations:
        out_key, label = _AGGREGATIONS[aggregation]
        body[out_key] = [_aggregate(aggregation, label, rows, request)]
    if rows:
        body["rowCount"] = len(rows)
    body["metadata"] = {"currencyCode": currency, "timeZone": prop.time_zone}
    body["kind"] = "analyticsData#runReport"
    return body, len(rows)


def _aggregate(
    aggregation: str,
    label: str,
    rows: list[tuple[tuple[str, ...], list[Decimal]]],
    request: ReportRequest,
) -> dict[str, Any]:
    values: list[str] = []
    for i, metric in enumerate(request.metrics):
        column = [acc[i] for _, acc in rows] or [Decimal(0)]
        pick = {"TOTAL": sum(column, Decimal(0)), "MAXIMUM": max(column),
                "MINIMUM": min(column)}[aggregation]
        values.append(_metric_text(metric, pick))
    return {
        "dimensionValues": [{"value": label} for _ in request.dimensions],
        "metricValues": [{"value": v} for v in values],
    }
