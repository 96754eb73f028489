"""Bad input is refused with a message naming the problem and where it is."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from marketing.attribution import (
    AttributionInputError,
    journeys_from_paths,
    journeys_from_touches,
    linear,
)
from tests.marketing.attribution.helpers import END, Spec, build, frames

SPEC: Spec = {"J1": ([("A", "x", 1), ("B", None, 0)], 1, "5"), "J2": ([("C", None, 0)], 0, "0")}


def test_unknown_channel_against_declared_list() -> None:
    with pytest.raises(AttributionInputError, match=r"unknown channels \['C'\].*'J2'"):
        journeys_from_touches(*frames(SPEC), channels=["A", "B"])


def test_declared_channels_without_touches_get_zero_rows() -> None:
    j = journeys_from_touches(*frames(SPEC), channels=["A", "B", "C", "D"])
    assert list(linear(j).channels["channel"]) == ["A", "B", "C", "D"]
    assert linear(j).channels.set_index("channel").loc["D", "conversions"] == 0


def test_conversions_without_touchpoints() -> None:
    touches, outcomes = frames(SPEC)
    extra = pd.DataFrame([{"journey_id": "J9", "converted": True, "conversions": 1,
                           "value": Decimal(1), "converted_at": END}])
    with pytest.raises(AttributionInputError, match=r"J9.*conversions without touchpoints"):
        journeys_from_touches(touches, pd.concat([outcomes, extra]))
    with pytest.raises(AttributionInputError, match="row 0: conversions without touchpoints"):
        journeys_from_paths(pd.DataFrame({"path": [""], "total_conversions": [2]}))


def test_negative_values() -> None:
    touches, outcomes = frames(SPEC)
    outcomes.loc[0, "value"] = Decimal("-1")
    with pytest.raises(AttributionInputError, match=r"J1.*value is negative"):
        journeys_from_touches(touches, outcomes)
    with pytest.raises(AttributionInputError, match="row 1: nulls is negative"):
        journeys_from_paths(pd.DataFrame({"path": ["a", "b"], "total_conversions": [1, 0],
                                          "total_null": [0, -3]}))


def test_empty_period() -> None:
    touches, outcomes = frames(SPEC)
    with pytest.raises(AttributionInputError, match="empty period"):
        journeys_from_touches(touches.iloc[0:0], outcomes.iloc[0:0])


def test_inconsistent_outcome_and_missing_columns() -> None:
    touches, outcomes = frames(SPEC)
    outcomes.loc[1, "conversions"] = 2
    with pytest.raises(AttributionInputError, match=r"J2.*converted is false"):
        journeys_from_touches(touches, outcomes)
    with pytest.raises(AttributionInputError, match=r"touches: missing columns \['campaign'\]"):
        journeys_from_touches(touches.drop(columns="campaign"), outcomes)
    with pytest.raises(AttributionInputError, match="repeats a position"):
        journeys_from_touches(pd.concat([touches, touches.iloc[:1]]), frames(SPEC)[1])


def test_zero_value_conversions_are_credited_with_zero_value() -> None:
    j = build({"J1": ([("A", None, 0)], 2, "0")})
    r = linear(j)
    assert r.channel_credit() == {"A": (Decimal("2.000000"), Decimal("0.000000"))}


def test_non_numeric_values() -> None:
    touches, outcomes = frames(SPEC)
    outcomes["value"] = outcomes["value"].astype(object)
    outcomes.loc[0, "value"] = "lots"
    with pytest.raises(AttributionInputError, match=r"row 0 \(journey 'J1'\): value 'lots' is "
                                                    "not a number"):
        journeys_from_touches(touches, outcomes)
    with pytest.raises(AttributionInputError, match="row 1: conversions 'x' is not a number"):
        journeys_from_paths(pd.DataFrame({"path": ["a", "b"], "total_conversions": [1, "x"]}))
    touches, outcomes = frames(SPEC)
    outcomes["conversions"] = [float("inf"), 0.0]
    with pytest.raises(AttributionInputError, match=r"J1.*conversions inf is not finite"):
        journeys_from_touches(touches, outcomes)


def test_unknown_channel_in_grouped_paths() -> None:
    with pytest.raises(AttributionInputError, match=r"unknown channels \['z'\].*'a > z'"):
        journeys_from_paths(pd.DataFrame({"path": ["a", "a > z"], "total_conversions": [1, 1]}),
                            channels=["a"])


def test_integer_journey_ids_give_the_same_credit_as_strings() -> None:
    touches, outcomes = frames(SPEC)
    as_int = {"J1": 1, "J2": 2}
    j_str = journeys_from_touches(touches, outcomes)
    j_int = journeys_from_touches(touches.assign(journey_id=touches.journey_id.map(as_int)),
                                  outcomes.assign(journey_id=outcomes.journey_id.map(as_int)))
    assert list(j_int.keys) == [1, 2]
    pd.testing.assert_frame_equal(linear(j_str).campaigns, linear(j_int).campaigns)
    assert j_int.total_value == Decimal(5)


def test_decimal_values_are_exact_micro_units() -> None:
    j = build({"J1": ([("A", None, 0)], 1, "0.1"), "J2": ([("B", None, 0)], 3, "1234567.891234")})
    assert j.total_value == Decimal("1234567.991234")
    r = linear(j)
    assert sum(r.channels["value"], Decimal(0)) == Decimal("1234567.991234")
