"""The CRM search API: request parsing, filter evaluation, sorting and the 10,000 cap.

``POST /crm/v3/objects/{type}/search`` bodies::

    {"filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                                    "value": "1767225600000"}]}],
     "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
     "properties": ["email"], "limit": 200, "after": "0"}

Groups are OR'ed, filters within a group AND'ed (at most 5 groups, 6 filters each, 18 in all).
Filters on the modified-date property and ``hs_object_id`` are answered from the
:class:`~emulators.hubspot.index.SearchIndex` by bisection; any other filter is checked per
candidate record. Results are ordered by (modified date, id) ascending unless sorted
otherwise (ties of a one-property sort fall back to the id, ascending). ``after`` is an
offset: pages can reach the first 10,000 results only, and ``after >= 10000`` is a 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulators.hubspot import errors
from emulators.hubspot.crm import Crm, ObjectType
from emulators.hubspot.errors import SEARCH_CAP, HubSpotError
from emulators.hubspot.index import EPOCH_MS, MAX_ID, MAX_MS, pack

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
OPERATORS = frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
                       "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN",
                       "NOT_CONTAINS_TOKEN"})
_DATE_PROPS = frozenset({"createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate"})


@dataclass(frozen=True)
class Filter:
    """One filter."""

    prop: str
    op: str
    value: str | None = None
    high: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """A parsed search request."""

    groups: tuple[tuple[Filter, ...], ...]
    sorts: tuple[tuple[str, bool], ...]  # (property, descending)
    properties: tuple[str, ...]
    limit: int
    after: int
    text: str | None


def parse(body: Any, object_type: ObjectType) -> Query:
    """Validate a search body.

    Raises:
        HubSpotError: 400 for a malformed body, an unknown property or operator, too many
            filters, a bad limit, or ``after`` at or beyond the 10,000 cap.

    """
    if not isinstance(body, dict):
        raise errors.validation("Invalid input JSON on line 1: the body must be an object")
    groups_raw = body.get("filterGroups") or []
    if not isinstance(groups_raw, list) or len(groups_raw) > MAX_GROUPS:
        raise errors.validation(f"filterGroups must be a list of at most {MAX_GROUPS} groups")
    groups: list[tuple[Filter, ...]] = []
    total = 0
    for g in groups_raw:
        filters_raw = g.get("filters") if isinstance(g, dict) else None
        if not isinstance(filters_raw, list) or len(filters_raw) > MAX_FILTERS_PER_GROUP:
            raise errors.validation(
                f"each filter group needs 'filters', a list of at most {MAX_FILTERS_PER_GROUP}")
        total += len(filters_raw)
        groups.append(tuple(_filter(f, object_type) for f in filters_raw))
    if total > MAX_FILTERS:
        raise errors.validation(f"at most {MAX_FILTERS} filters in all")
    sorts: list[tuple[str, bool]] = []
    for s in body.get("sorts") or []:
        if isinstance(s, str):  # the SDK's form: "createdate" or "-createdate"
            prop, desc = s.lstrip("-"), s.startswith("-")
        elif isinstance(s, dict) and isinstance(s.get("propertyName"), str):
            prop = s["propertyName"]
            desc = str(s.get("direction", "ASCENDING")).upper() == "DESCENDING"
        else:
            raise errors.validation("each sort is a property name or {propertyName, direction}")
        _known(prop, object_type)
        sorts.append((prop, desc))
    props = body.get("properties") or []
    if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
        raise errors.validation("properties must be a list of property names")
    limit = _integer(body.get("limit", 10), "limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.validation(f"limit must be within 1..{MAX_LIMIT}")
    after = _integer(body.get("after") or 0, "after")
    if after >= SEARCH_CAP:
        raise errors.search_cap(after)
    text = body.get("query")
    return Query(tuple(groups), tuple(sorts), tuple(props), limit, after,
                 text if isinstance(text, str) and text else None)


def _integer(raw: Any, name: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise errors.validation(f"{name} must be an integer, got {raw!r}") from None
    if value < 0:
        raise errors.validation(f"{name} must be >= 0")
    return value


def _known(prop: str, object_type: ObjectType) -> None:
    if prop not in object_type.properties:
        raise errors.validation(
            f"Property {prop!r} does not exist on {object_type.name}",
            errors=[{"message": f"Property {prop!r} does not exist", "code": "INVALID_PROPERTY",
                     "context": {"propertyName": [prop]}}],
        )


def _filter(raw: Any, object_type: ObjectType) -> Filter:
    if not isinstance(raw, dict) or not isinstance(raw.get("propertyName"), str):
        raise errors.validation("each filter needs propertyName and operator")
    prop, op = raw["propertyName"], str(raw.get("operator", "")).upper()
    _known(prop, object_type)
    if op not in OPERATORS:
        raise errors.validation(f"operator {op!r} is not one of {sorted(OPERATORS)}")
    values = raw.get("values") or []
    if op in ("IN", "NOT_IN") and (not isinstance(values, list) or not values):
        raise errors.validation(f"operator {op} needs a non-empty 'values' list")
    needs_value = op not in ("IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY")
    if needs_value and raw.get("value") is None:
        raise errors.validation(f"operator {op} on {prop} needs a 'value'")
    if op == "BETWEEN" and raw.get("highValue") is None:
        raise errors.validation("operator BETWEEN needs 'value' and 'highValue'")
    value = raw.get("value")
    high = raw.get("highValue")
    return Filter(prop, op, None if value is None else str(value),
                  None if high is None else str(high), tuple(str(v) for v in values))


# ---------------------------------------------------------------------- evaluation


def _epoch(text: str) -> int:
    """Parse a filter value on a date property: epoch ms, or an ISO instant/date."""
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise errors.validation(f"{text!r} is not a valid date value (epoch ms or ISO)") from None
    return int(moment.timestamp() * 1000)


def _compare_value(prop: str, text: str | None) -> Any:
    if text is None:
        return None
    if prop in _DATE_PROPS:
        return _epoch(text)
    try:
        return float(text)
    except ValueError:
        return text.lower()


def matches(f: Filter, value: str | None) -> bool:
    """Whether a record whose property ``f.prop`` is ``value`` passes ``f``."""
    if f.op == "HAS_PROPERTY":
        return value not in (None, "")
    if f.op == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if f.op in ("IN", "NOT_IN"):
        found = (value or "").lower() in {v.lower() for v in f.values}
        return found if f.op == "IN" else not found
    if f.op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        token = (f.value or "").lower().strip("*")
        found = token in (value or "").lower()
        return found if f.op == "CONTAINS_TOKEN" else not found
    if value in (None, ""):
        return f.op == "NEQ"
    got, want = _compare_value(f.prop, value), _compare_value(f.prop, f.value)
    if type(got) is not type(want):
        got, want = str(value).lower(), str(f.value).lower()
    if f.op == "EQ":
        return bool(got == want)
    if f.op == "NEQ":
        return bool(got != want)
    if f.op == "BETWEEN":
        high = _compare_value(f.prop, f.high)
        return bool(want <= got <= high)
    return bool({"LT": got < want, "LTE": got <= want, "GT": got > want,
                 "GTE": got >= want}[f.op])


def _key_range(group: tuple[Filter, ...], modified: str) -> tuple[int, int, bool]:
    """(low key, high key, exact) of a group; exact when the range alone decides it."""
    lo_ms, hi_ms = EPOCH_MS, MAX_MS
    lo_id, hi_id = 0, MAX_ID
    id_filters = []
    exact = True
    for f in group:
        if f.prop == modified and f.op in ("EQ", "GT", "GTE", "LT", "LTE", "BETWEEN"):
            v = _epoch(f.value or "0")
            if f.op in ("EQ", "GTE", "BETWEEN"):
                lo_ms = max(lo_ms, v)
            if f.op == "GT":
                lo_ms = max(lo_ms, v + 1)
            if f.op in ("EQ", "LTE"):
                hi_ms = min(hi_ms, v)
            if f.op == "LT":
                hi_ms = min(hi_ms, v - 1)
            if f.op == "BETWEEN":
                hi_ms = min(hi_ms, _epoch(f.high or "0"))
        elif f.prop == "hs_object_id" and f.op in ("EQ", "GT", "GTE", "LT", "LTE") and (
            (f.value or "").isdigit()
        ):
            id_filters.append(f)
        else:
            exact = False
    if id_filters:
        if lo_ms == hi_ms:  # ids order the keys only within one instant
            for f in id_filters:
                v = int(f.value or 0)
                if f.op in ("EQ", "GTE"):
                    lo_id = max(lo_id, v)
                if f.op == "GT":
                    lo_id = max(lo_id, v + 1)
                if f.op in ("EQ", "LTE"):
                    hi_id = min(hi_id, v)
                if f.op == "LT":
                    hi_id = min(hi_id, v - 1)
        else:
            exact = False
    if lo_ms > hi_ms or lo_id > hi_id:
        return 1, 0, True
    return pack(lo_ms, lo_id), pack(hi_ms, hi_id), exact


def run(crm: Crm, object_type: ObjectType, query: Query) -> dict[str, Any]:
    """Answer a parsed search: ``{"total", "results", "paging"?}``."""
    index = crm.indexes[object_type.name]
    modified = object_type.modified_property
    groups = query.groups or ((),)
    ranges: list[tuple[int, int]] = []
    all_exact = query.text is None
    for group in groups:
        low, high, exact = _key_range(group, modified)
        all_exact = all_exact and exact
        if low <= high:
            ranges.append(index.positions(low, high))
    merged: list[list[int]] = []
    for i, j in sorted(ranges):
        if i >= j:
            continue
        if merged and i <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], j)
        else:
            merged.append([i, j])
    default_order = not query.sorts or (
        query.sorts[0][0] == modified and (len(query.sorts) == 1 or (
            query.sorts[1][0] == "hs_object_id" and query.sorts[1][1] == query.sorts[0][1])))
    descending = bool(query.sorts and query.sorts[0][1])
    with crm.lock:
        if all_exact and default_order and not descending:
            total = sum(j - i for i, j in merged)
            ids = _slice(index, merged, query.after, query.limit)
        else:
            found = _scan(crm, object_type, index, merged, groups, query)
            found = _sort(crm, object_type, found, query, modified)
            total = len(found)
            ids = [rid for _, rid in found[query.after: query.after + query.limit]]
        visible_end = min(query.after + len(ids), SEARCH_CAP)
        ids = ids[: max(0, SEARCH_CAP - query.after)]
        results = [crm.render(object_type, rid, query.properties) for rid in ids]
    body: dict[str, Any] = {"total": total, "results": results}
    if results and query.after + len(results) < total:
        body["paging"] = {"next": {"after": str(visible_end)}}
    return body


def _slice(index: Any, merged: list[list[int]], offset: int, limit: int) -> list[int]:
    out: list[int] = []
    for i, j in merged:
        size = j - i
        if offset >= size:
            offset -= size
            continue
        start = i + offset
        offset = 0
        for _, rid in index.scan(start, min(j, start + limit - len(out))):
            out.append(rid)
        if len(out) >= limit:
            break
    return out


def _scan(crm: Crm, object_type: ObjectType, index: Any, merged: list[list[int]],
          groups: tuple[tuple[Filter, ...], ...], query: Query) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    modified = object_type.modified_property
    for i, j in merged:
        for ms, rid in index.scan(i, j):
            props: dict[str, str | None] | None = None

            def value(prop: str, ms: int = ms, rid: int = rid) -> str | None:
                nonlocal props
                if prop == "hs_object_id":
                    return str(rid)
                if prop == modified:
                    return str(ms)
                if props is None:
                    props = crm.properties(object_type, rid)
                return props.get(prop)

            if query.text is not None and not _text_match(query.text, value):
                continue
            if any(all(matches(f, value(f.prop)) for f in group) for group in groups):
                found.append((ms, rid))
    return found


def _text_match(text: str, value: Callable[[str], str | None]) -> bool:
    needle = text.lower()
    return any(needle in (value(p) or "").lower()
               for p in ("email", "firstname", "lastname", "name", "domain", "dealname", "phone"))


def _sort(crm: Crm, object_type: ObjectType, found: list[tuple[int, int]], query: Query,
          modified: str) -> list[tuple[int, int]]:
    if not query.sorts or query.sorts[0][0] in (modified, "hs_object_id"):
        key_prop = query.sorts[0][0] if query.sorts else modified
        desc = bool(query.sorts and query.sorts[0][1])
        if key_prop == "hs_object_id":
            return sorted(found, key=lambda p: p[1], reverse=desc)
        return sorted(found, reverse=desc)
    prop, desc = query.sorts[0]
    keyed = [((crm.properties(object_type, rid).get(prop) or ""), rid, ms) for ms, rid in found]
    keyed.sort(key=lambda k: (_compare_value(prop, k[0]) if k[0] else "", k[1]), reverse=desc)
    return [(ms, rid) for _, rid, ms in keyed]


def body_of(content: bytes) -> Any:
    """Decode a JSON request body (400 when it is not JSON)."""
    try:
        return json.loads(content or b"null")
    except ValueError:
        raise errors.validation("Invalid input JSON on line 1, column 1") from None


__all__ = ["Filter", "HubSpotError", "Query", "matches", "parse", "run"]
