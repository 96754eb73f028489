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
    # value per journey: v(A) = 4/2 = 2, v(B) = 0, v(AB) = 12/5 = 2.4
    # phi_A = 1/2 (2 + 2.4) = 2.2, phi_B = 1/2 (0 + .4) = .2 -> A = 12 * 2.2/2.4 = 11, B = 1
    j = journeys_from_paths(pd.DataFrame(
        [("A", 1, 4, 1), ("B", 0, 0, 1), ("A > B > A", 2, 8, 0)],
        columns=["path", "total_conversions", "total_conversion_value", "total_null"]))
    r = shapley_coalition(j)
    assert r.details["shapley_values"] == {"A": pytest.approx(.55), "B": pytest.approx(.05)}
    assert credit(r) == {"A": (2.75, 11), "B": (.25, 1)}
    assert_exact_totals(r, j)


def test_coalition_refuses_too_many_channels() -> None:
    j = journeys_from_paths(pd.DataFrame({"path": [" > ".join("abcd")], "total_conversions": [1]}))
    with pytest.raises(AttributionInputError, match="4 channels occur but at most 3"):
        shapley_coalition(j, max_channels=3)
