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
