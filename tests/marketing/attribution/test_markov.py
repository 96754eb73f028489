"""Exact Markov chains on journeys small enough to solve by hand."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest

from marketing.attribution import (
    AttributionInputError,
    choose_order,
    journeys_from_paths,
    markov,
    markov_auto,
)
from tests.marketing.attribution.helpers import assert_exact_totals, credit


def thirds(a: float, b: float) -> dict[str, object]:
    """A gets ``a`` conversions and half of B's value ``b``; B gets ``2a`` and ``b``."""
    return {"A": (pytest.approx(a, abs=1e-6), b / 2),
            "B": (pytest.approx(2 * a, abs=1e-6), b)}


def paths(rows: Sequence[tuple[str, int, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["path", "total_conversions", "total_conversion_value",
                                       "total_null"])


def test_order_one_by_hand() -> None:
    # "A > B" converts once (value 30), "A" fails once, "B" converts once (value 0).
    # start -> A 2/3, start -> B 1/3; A -> B 1/2, A -> null 1/2; B -> conversion 2/2.
    # P(conv) = 2/3 * 1/2 + 1/3 = 2/3.
    # without A: 1/3 -> RE(A) = 1 - (1/3)/(2/3) = 1/2; without B: 0 -> RE(B) = 1.
    # credit of 2 conversions: A = 2 * (1/2)/(3/2) = 2/3, B = 4/3.
    # value: B's conversion exit carries mean value 30/2 = 15 -> E = 2/3*1/2*15 + 1/3*15 = 10;
    # without A: 5 (RE 1/2), without B: 0 (RE 1) -> A = 30/3 = 10, B = 20.
    j = journeys_from_paths(paths([("A > B", 1, 30, 0), ("A", 0, 0, 1), ("B", 1, 0, 0)]))
    r = markov(j, order=1)
    assert credit(r) == thirds(2 / 3, 20)
    assert r.details["removal_effects"] == {"A": pytest.approx(.5), "B": pytest.approx(1)}
    assert r.details["conversion_probability"] == pytest.approx(2 / 3)
    assert_exact_totals(r, j)


def test_order_two_separates_what_order_one_blends() -> None:
    # "A > B" converts, "C > B" does not. Order 1 merges both into one B state:
    # B -> conversion 1/2, so removing C (P 1/2 -> 1/4) looks as bad as removing A: RE .5 each,
    # RE(B) = 1 -> A .25, C .25, B .5 of the single conversion.
    # Order 2 keeps (A,B) -> conversion and (C,B) -> null apart: RE(A) = 1, RE(C) = 0,
    # RE(B) = 1 -> A .5, B .5, C 0.
    j = journeys_from_paths(paths([("A > B", 1, 10, 0), ("C > B", 0, 0, 1)]))
    one = credit(markov(j, order=1))
    two = credit(markov(j, order=2))
    assert one == {"A": (.25, 2.5), "B": (.5, 5), "C": (.25, 2.5)}
    assert two == {"A": (.5, 5), "B": (.5, 5), "C": (0, 0)}


def test_self_loops_do_not_change_order_one_credit() -> None:
    # repeating a channel adds a self-transition; absorption probabilities are unchanged
    base = journeys_from_paths(paths([("A > B", 3, 9, 1), ("B", 1, 1, 2), ("A", 0, 0, 2)]))
    loops = journeys_from_paths(paths([("A > A > B > B", 3, 9, 1), ("B > B", 1, 1, 2),
                                       ("A", 0, 0, 2)]))
    assert credit(markov(base)) == credit(markov(loops))


def test_without_nulls_every_path_converts() -> None:
    # no non-converting paths: P(conv) = 1; "A > B" 1 and "B" 1: RE(A) = 1/2, RE(B) = 1
    j = journeys_from_paths(pd.DataFrame({"path": ["A > B", "B"], "total_conversions": [1, 1]}))
    r = markov(j)
    assert r.details["conversion_probability"] == pytest.approx(1)
    assert credit(r) == thirds(2 / 3, 0)


def test_choose_order_prefers_order_two_when_history_matters() -> None:
    # what follows B depends on what came before it: A > B is followed by D, C > B by E.
    # 64 distinct paths (so the held-out split by key has paths on both sides), each six
    # segments "A > B > D" or "C > B > E" picked by the bits of i; a path converts when its
    # last segment is "A > B > D".
    segments = ("A > B > D", "C > B > E")
    rows = []
    for i in range(64):
        picks = [segments[(i >> bit) & 1] for bit in range(6)]
        converts = picks[-1] == segments[0]
        rows.append((" > ".join(picks), int(converts), 0, int(not converts)))
    j = journeys_from_paths(paths(rows))
    best, scores = choose_order(j, max_order=3)
    assert best >= 2 and scores[2] > scores[1]
    auto = markov_auto(j, max_order=3)
    assert auto.details["order"] == best and auto.model == f"markov_order_{best}"


def test_bad_order_and_tiny_holdout_are_errors() -> None:
    j = journeys_from_paths(paths([("A", 1, 0, 0)]))
    with pytest.raises(AttributionInputError, match="order must be >= 1"):
        markov(j, order=0)
    with pytest.raises(AttributionInputError, match="too few"):
        choose_order(j)


def test_held_out_split_does_not_depend_on_row_order() -> None:
    rows = [(f"{'A > ' * (i % 3)}B > {'C' if i % 2 else 'D'}", i % 2, (i % 5) * (i % 2),
             1 - i % 2) for i in range(40)]
    forward = journeys_from_paths(paths(rows))
    backward = journeys_from_paths(paths(rows[::-1]))
    assert choose_order(forward, 3) == choose_order(backward, 3)
