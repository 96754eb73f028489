"""Rule-based models on a hand-worked set of four journeys."""

from __future__ import annotations

import pytest

from marketing.attribution import (
    AttributionInputError,
    first_touch,
    last_non_direct,
    last_touch,
    linear,
    position_based,
    time_decay,
)
from tests.marketing.attribution.helpers import (
    Spec,
    assert_exact_totals,
    build,
    campaign_credit,
    credit,
)

# J1: A(a1) 2d -> B(b1) 1d -> C(c1) 0d before conversion; 1 conversion worth 30
# J2: B(b1) 3d -> direct 0d; 2 conversions worth 10
# J3: A(a2) -> C(c1); no conversion
# J4: direct; 1 conversion worth 0 (zero-value conversions are allowed)
SPEC: Spec = {
    "J1": ([("A", "a1", 2), ("B", "b1", 1), ("C", "c1", 0)], 1, "30"),
    "J2": ([("B", "b1", 3), ("direct", None, 0)], 2, "10"),
    "J3": ([("A", "a2", 1), ("C", "c1", 0)], 0, "0"),
    "J4": ([("direct", None, 0)], 1, "0"),
}


def approx(d: dict[str, tuple[float, float]]) -> dict[str, object]:
    return {k: (pytest.approx(c, abs=2e-6), pytest.approx(v, abs=2e-6)) for k, (c, v) in d.items()}


def test_first_touch() -> None:
    # J1 -> A (1, 30); J2 -> B (2, 10); J4 -> direct (1, 0); C gets nothing
    j = build(SPEC)
    r = first_touch(j)
    assert credit(r) == {"A": (1, 30), "B": (2, 10), "C": (0, 0), "direct": (1, 0)}
    assert_exact_totals(r, j)
    assert campaign_credit(r)[("A", "a1")] == 1
    assert ("A", "a2") not in campaign_credit(r)  # only in the non-converting J3


def test_last_touch() -> None:
    # J1 -> C (1, 30); J2 -> direct (2, 10); J4 -> direct (1, 0)
    r = last_touch(build(SPEC))
    assert credit(r) == {"A": (0, 0), "B": (0, 0), "C": (1, 30), "direct": (3, 10)}


def test_last_non_direct_skips_direct_unless_nothing_else() -> None:
    # J1 -> C; J2 skips direct -> B (2, 10); J4 is direct only -> keeps direct (1, 0)
    r = last_non_direct(build(SPEC))
    assert credit(r) == {"A": (0, 0), "B": (2, 10), "C": (1, 30), "direct": (1, 0)}
    # a configurable direct set: treating B as direct too sends J2 to... direct (its last touch)
    r2 = last_non_direct(build(SPEC), direct={"direct", "B"})
    assert credit(r2)["direct"] == (3, 10)


def test_linear() -> None:
    # J1: 1/3 each of (1, 30) -> A, B, C (1/3, 10); J2: half each of (2, 10) -> B, direct (1, 5)
    # J4: direct (1, 0). B = 1/3 + 1 = 4/3 (value 15); direct = 2 (value 5)
    r = linear(build(SPEC))
    assert credit(r) == approx({"A": (1 / 3, 10), "B": (4 / 3, 15), "C": (1 / 3, 10),
                                "direct": (2, 5)})


def test_time_decay_half_life_one_day() -> None:
    # J1 raw weights 0.5^2, 0.5^1, 0.5^0 = .25, .5, 1 (sum 1.75) -> A 1/7, B 2/7, C 4/7
    # J2 raw 0.5^3, 1 = .125, 1 (sum 1.125) -> B 1/9, direct 8/9, times 2 conversions
    # J4 direct 1. B = 2/7 + 2/9; value B = 30*2/7 + 10/9
    r = time_decay(build(SPEC), half_life_days=1)
    assert credit(r) == approx({
        "A": (1 / 7, 30 / 7), "B": (2 / 7 + 2 / 9, 60 / 7 + 10 / 9),
        "C": (4 / 7, 120 / 7), "direct": (16 / 9 + 1, 80 / 9),
    })


def test_position_based_handles_one_and_two_touches() -> None:
    # J1 (3 touches): A .4, B .2, C .4 -> values 12, 6, 12
    # J2 (2 touches): 40:40 -> 50/50 -> B 1 (5), direct 1 (5); J4 (1 touch): direct 1 (0)
    r = position_based(build(SPEC))
    assert credit(r) == approx({"A": (.4, 12), "B": (1.2, 11), "C": (.4, 12), "direct": (2, 5)})
    assert campaign_credit(r) == {
        ("A", "a1"): pytest.approx(.4), ("B", "b1"): pytest.approx(1.2),
        ("C", "c1"): pytest.approx(.4), ("direct", None): 2,
    }
    # 60/40/0: J1 A .6, B .4 (the one middle touch), C 0; J2 (2 touches) 60:0 -> first only,
    # B gets both conversions. B = .4 + 2 = 2.4, value 30*.4 + 10 = 22
    r2 = position_based(build(SPEC), .6, 0)
    assert credit(r2) == approx({"A": (.6, 18), "B": (2.4, 22), "C": (0, 0), "direct": (1, 0)})


def test_position_based_rejects_bad_shares() -> None:
    with pytest.raises(AttributionInputError, match="first, last"):
        position_based(build(SPEC), .7, .5)


def test_time_decay_needs_times_and_positive_half_life() -> None:
    import pandas as pd

    from marketing.attribution import journeys_from_paths

    paths = journeys_from_paths(pd.DataFrame({"path": ["a > b"], "total_conversions": [1]}))
    with pytest.raises(AttributionInputError, match="needs touch times"):
        time_decay(paths)
    with pytest.raises(AttributionInputError, match="half_life_days"):
        time_decay(build(SPEC), half_life_days=0)
