"""The GAQL subset: valid queries parse (property-based), anything else is a queryError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.google_ads import gaql
from emulators.google_ads import resources as R
from emulators.google_ads.errors import AdsError

RESOURCES = sorted(R.RESOURCE_PREFIXES)


def selectable(resource: str) -> list[str]:
    allowed = R.RESOURCE_PREFIXES[resource]
    return sorted(f for f in R.FIELD_KINDS if R.owner(f) in allowed)


def literal(field: str, draw) -> Any:
    kind = R.FIELD_KINDS[field]
    if kind == "date":
        day = draw(st.dates())
        return f"'{day.isoformat()}'"
    if kind == "int64":
        return str(draw(st.integers(0, 10**12)))
    if kind == "double":
        return str(draw(st.floats(0, 1e6, allow_nan=False)).__round__(2))
    if kind == "bool":
        return draw(st.sampled_from(["TRUE", "FALSE", "true"]))
    if kind == "enum":
        return draw(st.sampled_from(["ENABLED", "PAUSED", "SEARCH"]))
    return draw(st.sampled_from(["'Brand 1'", '"x y"', "''"]))


@st.composite
def valid_queries(draw) -> tuple[str, gaql.Query]:
    resource = draw(st.sampled_from(RESOURCES))
    fields = draw(st.lists(st.sampled_from(selectable(resource)), min_size=1, max_size=6,
                           unique=True))
    conditions = []
    for field in draw(st.lists(st.sampled_from(selectable(resource)), max_size=3)):
        kind = R.FIELD_KINDS[field]
        ops = ["=", "!=", "IN"] if kind in ("enum", "bool") else [
            "=", "!=", "<", "<=", ">", ">=", "BETWEEN", "IN"]
        op = draw(st.sampled_from(ops))
        if op == "BETWEEN":
            text = f"{field} BETWEEN {literal(field, draw)} AND {literal(field, draw)}"
        elif op == "IN":
            values = ", ".join(literal(field, draw) for _ in range(draw(st.integers(1, 3))))
            text = f"{field} IN ({values})"
        else:
            text = f"{field} {op} {literal(field, draw)}"
        conditions.append(text)
    order = draw(st.lists(st.sampled_from(fields), max_size=2, unique=True))
    limit = draw(st.none() | st.integers(1, 10_000))
    select = draw(st.sampled_from(["SELECT", "select", "Select"]))
    query = f"{select} {', '.join(fields)} FROM {resource}"
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    if order:
        query += " ORDER BY " + ", ".join(
            f + draw(st.sampled_from(["", " ASC", " DESC"])) for f in order)
    if limit is not None:
        query += f" LIMIT {limit}"
    return query, gaql.Query(tuple(fields), resource, (), (), limit)


@settings(max_examples=150, deadline=None)
@given(valid_queries())
def test_valid_queries_parse(case):
    text, expected = case
    query = gaql.parse(text)
    assert query.fields == expected.fields
    assert query.resource == expected.resource
    assert query.limit == expected.limit
    assert text.count(" AND ") >= len(query.where) - 1


@settings(max_examples=150, deadline=None)
@given(valid_queries(), st.sampled_from([
    ("drop_select", lambda q: q.split(" ", 1)[1]),
    ("drop_from", lambda q: q.replace(" FROM ", " ", 1)),
    ("bad_resource", lambda q: q.replace(" FROM ", " FROM nonsense_view_x, ", 1)),
    ("unterminated", lambda q: q + " AND campaign.name = 'open"),
    ("trailing", lambda q: q + " GROUP BY campaign.id"),
    ("limit_zero", lambda q: q.split(" LIMIT ")[0] + " LIMIT 0"),
    ("bad_symbol", lambda q: q + " ; DROP"),
    ("no_field", lambda q: q.replace("SELECT ", "SELECT , ", 1).replace("select ", "select , ")
                              .replace("Select ", "Select , ")),
]))
def test_invalid_queries_are_query_errors(case, mutation):
    text, _ = case
    name, mutate = mutation
    with pytest.raises(AdsError) as info:
        gaql.parse(mutate(text))
    assert info.value.status == "INVALID_ARGUMENT", name
    assert info.value.entries[0].category == "queryError"
    assert info.value.http_status == 400


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT campaign.id FROM campaign WHERE campaign.id LIKE 1", "BAD_OPERATOR"),
        ("SELECT campaign.id FROM campaign WHERE segments.date BETWEEN '2026-01-01' 'x'",
         "EXPECTED_AND"),
        ("SELECT campaign.id FROM campaign ORDER campaign.id", "EXPECTED_BY"),
        ("SELECT campaign.id FROM campaign LIMIT 1.5", "BAD_LIMIT_VALUE"),
        ("SELECT campaign.id FROM", "UNEXPECTED_END_OF_QUERY"),
        ("", "EXPECTED_SELECT"),
    ],
)
def test_parser_error_codes(query, code):
    with pytest.raises(AdsError) as info:
        gaql.parse(query)
    assert info.value.entries[0].code == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT campaign.idx FROM campaign", "UNRECOGNIZED_FIELD"),
        ("SELECT keyword_view.resource_name FROM keyword_view",
         "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE"),
        ("SELECT ad_group.id FROM campaign", "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"),
        ("SELECT campaign.id FROM campaign WHERE ad_group.id = 1",
         "PROHIBITED_RESOURCE_TYPE_IN_WHERE_CLAUSE"),
        ("SELECT metrics.clicks FROM campaign_budget WHERE segments.date = '2026-01-01'",
         "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE"),
        ("SELECT campaign.id, metrics.clicks FROM campaign", "EXPECTED_FILTERS_ON_DATE_RANGE"),
        ("SELECT campaign.id, segments.date FROM campaign WHERE segments.date = '2026-13-01'",
         "INVALID_DATE_FORMAT"),
        ("SELECT campaign.id FROM campaign WHERE campaign.status > ENABLED",
         "OPERATOR_FIELD_MISMATCH"),
    ],
)
def test_catalogue_errors(query, code):
    with pytest.raises(AdsError) as info:
        R.validate(gaql.parse(query), manager=False)
    assert info.value.entries[0].code == code


def test_date_range_from_between_and_comparisons():
    q = gaql.parse("SELECT segments.date, metrics.clicks FROM ad_group_ad WHERE "
                   "segments.date >= '2026-01-01' AND segments.date < '2026-01-10'")
    span = R.validate(q, manager=False)
    assert span is not None and (span[0].isoformat(), span[1].isoformat()) == (
        "2026-01-01", "2026-01-09")


def test_metrics_on_a_manager_are_refused():
    q = gaql.parse("SELECT metrics.clicks FROM customer WHERE segments.date = '2026-01-01'")
    with pytest.raises(AdsError) as info:
        R.validate(q, manager=True)
    assert info.value.entries[0].code == "REQUESTED_METRICS_FOR_MANAGER"
