"""Set-based and ordered Shapley on hand-worked journeys."""

from __future__ import annotations

import pandas as pd
import pytest

from marketing.attribution import (
    AttributionInputError,
    journeys_from_paths,
    linear,
    shapley_coalition,
    shapley_ordered,
    shapley_simplified,
)
from tests.marketing.attribution.helpers import (
    Spec,
    assert_exact_totals,
    build,
    campaign_credit,
    credit,
)

# J1: A(a1) > B(b1) > A(a2), 1 conversion worth 6; J2: B(b2), 1 conversion worth 4;
# J3: C, no conversion.
SPEC: Spec = {
    "J1": ([("A", "a1", 3), ("B", "b1", 2), ("A", "a2", 1)], 1, "6"),
    "J2": ([("B", "b2", 0)], 1, "4"),
    "J3": ([("C", None, 0)], 0, "0"),
}


def test_simplified_is_linear_over_distinct_channels() -> None:
    # J1 set {A, B}: R({A,B}) = 1 -> A 1/2, B 1/2 (values 3, 3); J2 {B}: B 1 (4).
    # A = .5 (its two touches .25 each -> campaigns a1 .25, a2 .25); B = 1.5, value 7.
    j = build(SPEC)
    r = shapley_simplified(j)
    assert credit(r) == {"A": (.5, 3), "B": (1.5, 7), "C": (0, 0)}
    assert campaign_credit(r) == {("A", "a1"): .25, ("A", "a2"): .25, ("B", "b1"): .5,
                                  ("B", "b2"): 1, ("C", None): 0}
    assert_exact_totals(r, j)
    # plain linear counts A's two touches twice: A 2/3 -- the simplified form does not
    assert credit(linear(j))["A"][0] == pytest.approx(2 / 3, abs=1e-6)


def test_ordered_breaks_credit_down_by_entry_position() -> None:
    # J1 distinct order A(1st), B(2nd): (A,1) .5, (B,2) .5; J2: (B,1) 1.
    # A's share goes to its first touch, so campaign a1 gets all of A and a2 nothing.
    r = shapley_ordered(build(SPEC))
    assert credit(r) == {"A": (.5, 3), "B": (1.5, 7), "C": (0, 0)}
    assert r.details["by_position"] == {("A", 1): .5, ("B", 1): 1, ("B", 2): .5}
    assert campaign_credit(r)[("A", "a1")] == .5
    assert ("A", "a2") not in campaign_credit(r)


def test_coalition_by_hand() -> None:
    # sets: {A} 1 conv + 1 null (value 4); {B} 1 null; {A,B} 2 conv (value 8), 0 nulls.
    # v(S) = conversion rate of journeys whose set is inside S:
    # v({}) = 0, v(A) = 1/2, v(B) = 0/1 = 0, v(AB) = 3 conv / 5 journeys = 3/5.
    # phi_A = 1/2 [(v(A) - v({})) + (v(AB) - v(B))] = 1/2 (.5 + .6) = .55
    # phi_B = 1/2 [(v(B) - v({})) + (v(AB) - v(A))] = 1/2 (0 + .1) = .05  (sum .6 = v(AB))
    # 3 conversions by global share: A = 3 * .55/.6 = 2.75, B = .25.
    # value follows the sets: {A}'s 4 all to A; {A,B}'s 8 split .55 : .05 -> A 22/3, B 2/3.
    # A = 4 + 22/3 = 11.333333, B = .666667 (12 in all).
    j = journeys_from_paths(pd.DataFrame(
        [("A", 1, 4, 1), ("B", 0, 0, 1), ("A > B > A", 2, 8, 0)],
        columns=["path", "total_conversions", "total_conversion_value", "total_null"]))
    r = shapley_coalition(j)
    assert r.details["shapley_values"] == {"A": pytest.approx(.55), "B": pytest.approx(.05)}
    assert credit(r) == {"A": (2.75, 11.333333), "B": (.25, .666667)}
    assert_exact_totals(r, j)


def test_coalition_value_follows_the_channels_that_earned_it() -> None:
    # The demo's shape: G brings many cheap conversions, E a few large orders.
    # sets: {G} 2 conv (value 2) + 2 nulls; {E} 1 conv (value 100); {G,E} 1 conv (value 10)
    # + 1 null. Conversion rates: v(G) = 2/4, v(E) = 1/1, v(GE) = 4/7.
    # phi_G = 1/2 [(1/2 - 0) + (4/7 - 1)] = 1/28, phi_E = 1/2 [(1 - 0) + (4/7 - 1/2)] = 15/28
    # -> conversions G = 4 * (1/28)/(16/28) = .25, E = 3.75.
    # Value: {G}'s 2 to G, {E}'s 100 to E, {G,E}'s 10 split 1 : 15 -> G .625, E 9.375:
    # G = 2.625, E = 109.375. (A second Shapley game on value per journey gave G
    # 1/2 [(1/2 - 0) + (16 - 100)] < 0, clipped to value 0 for G's conversions.)
    j = journeys_from_paths(pd.DataFrame(
        [("G", 2, 2, 2), ("E", 1, 100, 0), ("G > E", 1, 10, 1)],
        columns=["path", "total_conversions", "total_conversion_value", "total_null"]))
    r = shapley_coalition(j)
    assert r.details["shapley_values"] == {"E": pytest.approx(15 / 28),
                                           "G": pytest.approx(1 / 28)}
    assert credit(r) == {"E": (3.75, 109.375), "G": (.25, 2.625)}
    assert_exact_totals(r, j)


def test_coalition_value_splits_evenly_where_no_channel_of_a_set_has_credit() -> None:
    # B lowers the rate everywhere: phi_B < 0, clipped to 0; {B} alone still converts once
    # (value 5), and nobody else is in that set, so B keeps that journey's value.
    # sets: {A} 3 conv (value 30); {B} 1 conv (value 5) + 9 nulls; {A,B} 0 conv + 1 null.
    j = journeys_from_paths(pd.DataFrame(
        [("A", 3, 30, 0), ("B", 1, 5, 9), ("A > B", 0, 0, 1)],
        columns=["path", "total_conversions", "total_conversion_value", "total_null"]))
    r = shapley_coalition(j)
    assert r.details["shapley_values"]["B"] < 0
    assert credit(r) == {"A": (4, 30), "B": (0, 5)}
    assert_exact_totals(r, j)


def test_coalition_refuses_too_many_channels() -> None:
    j = journeys_from_paths(pd.DataFrame({"path": [" > ".join("abcd")], "total_conversions": [1]}))
    with pytest.raises(AttributionInputError, match="4 channels occur but at most 3"):
        shapley_coalition(j, max_channels=3)
