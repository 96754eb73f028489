"""Rest.li 2.0 syntax: the connector's encoder round-trips through both parsers."""

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.linkedin_ads import restli
from emulators.linkedin_ads.restli import RestliParseError, parse_query, parse_value

leaves = st.one_of(st.text(min_size=0, max_size=12), st.integers(min_value=0, max_value=10**12))
keys = st.text(min_size=1, max_size=8)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(keys, inner, min_size=1, max_size=4)
    ),
    max_leaves=12,
)


def as_strings(value):
    """What a parser returns for a value: leaves come back as strings."""
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: as_strings(v) for k, v in value.items()}
    return str(value)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(values)
def test_encode_then_parse_round_trips(value):
    text = restli.encode(value)
    assert restli.decode(text) == as_strings(value)
    assert parse_value(text) == as_strings(value)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "dateRange", "accounts"]), values),
                max_size=4, unique_by=lambda p: p[0]))
def test_query_string_splits_back_into_parameters(pairs):
    raw = restli.query_string(pairs)
    parsed = parse_query(raw)
    assert {k: parse_value(v) for k, v in parsed.items()} == {
        k: as_strings(v) for k, v in pairs
    }


def test_urns_stay_one_value_and_structure_stays_literal():
    text = restli.query_string(
        [
            ("dateRange", restli.date_range(date(2026, 1, 1), date(2026, 1, 31))),
            ("accounts", ["urn:li:sponsoredAccount:123"]),
        ]
    )
    assert text == (
        "dateRange=(start:(year:2026,month:1,day:1),end:(year:2026,month:1,day:31))"
        "&accounts=List(urn%3Ali%3AsponsoredAccount%3A123)"
    )


@pytest.mark.parametrize(
    "bad",
    ["List(a,b", "(a:1", "(a)", "(a:1,)", "List(a)b", "(:1)", "(a:1,a:2)", "%ZZ", "a%E2%28",
     "List(,)", ""],
)
def test_malformed_values_are_rejected_by_both_parsers(bad):
    with pytest.raises(RestliParseError):
        parse_value(bad)
    with pytest.raises(restli.RestliSyntaxError):
        restli.decode(bad)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="()List,:ab%2", max_size=16))
def test_parsers_never_crash_on_garbage(text):
    pairs = ((parse_value, RestliParseError), (restli.decode, restli.RestliSyntaxError))
    for parse, error in pairs:
        with contextlib.suppress(error):
            parse(text)
