"""The water-filling allocator: SLSQP's optimum within one grid step, and its invariants."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from marketing.budgets.allocate import AllocationError, Allotment, Mode, allocate
from marketing.budgets.curves import CurveArrays, linear, saturating


def _problem(seed: int, n: int) -> list[Allotment]:
    rng = np.random.default_rng(seed)
    items = []
    for i in range(n):
        current = float(rng.uniform(50, 300))
        curve = saturating(float(rng.uniform(1.0, 6.0)) * current, float(rng.uniform(0.5, 3.0))
                           * current)
        items.append(Allotment(f"c{i:03d}", curve, Decimal(round(current * 0.5)),
                               Decimal(round(current * 2.0))))
    return items


def _slsqp(items: list[Allotment], total: float) -> np.ndarray:
    curves = CurveArrays.of([it.curve for it in items])
    idx = np.arange(len(items), dtype=np.intp)
    lo = np.array([float(it.lower) for it in items])
    hi = np.array([float(it.upper) for it in items])
    x0 = lo + (hi - lo) * (total - lo.sum()) / (hi - lo).sum()
    res = minimize(lambda x: -curves.value(idx, x).sum(), x0,
                   jac=lambda x: -curves.marginal(idx, x), method="SLSQP",
                   bounds=list(zip(lo, hi, strict=True)),
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - total,
                                 "jac": lambda x: np.ones_like(x)}],
                   options={"ftol": 1e-12, "maxiter": 1000})
    assert res.success, res.message
    return np.asarray(res.x)


@pytest.mark.parametrize("seed", range(6))
def test_within_one_grid_step_of_slsqp(seed: int) -> None:
    items = _problem(seed, 12)
    lo = sum(float(it.lower) for it in items)
    hi = sum(float(it.upper) for it in items)
    total = Decimal(round(lo + 0.4 * (hi - lo)))
    result = allocate(items, total=total, step=Decimal(1))
    assert result.total == total
    ours = np.array([float(a.amount) for a in result.allocations])
    best = _slsqp(items, float(total))
    assert np.max(np.abs(ours - best)) <= 1.0 + 1e-6
    curves = CurveArrays.of([it.curve for it in items])
    idx = np.arange(len(items), dtype=np.intp)
    gap = curves.value(idx, best).sum() - curves.value(idx, ours).sum()
    assert gap <= 1e-3 * curves.value(idx, best).sum()
    # equal marginal ROAS up to the grid: interior entities agree within one step's change
    interior = [a.marginal_roas for a, it in zip(result.allocations, items, strict=True)
                if it.lower < a.amount < it.upper]
    assert max(interior) - min(interior) < 0.05


def test_marginal_roas_target_stops_at_target() -> None:
    items = [Allotment("a", saturating(1000, 200), Decimal(0), Decimal(2000)),
             Allotment("b", saturating(400, 100), Decimal(0), Decimal(2000))]
    result = allocate(items, mode=Mode.TARGET_ROAS, target=2.0)
    for a in result.allocations:
        # R'(x) = a/b·exp(-x/b) = 2 at x = b·ln(a/(2b)); the grid stops within one step
        curve = next(it.curve for it in items if it.entity_id == a.entity_id)
        exact = curve.b * np.log(curve.a / (2 * curve.b))
        assert abs(float(a.amount) - exact) <= 1.0
        assert a.marginal_roas == pytest.approx(2.0, abs=0.02)
    cpa = allocate(items, mode=Mode.TARGET_CPA, target=0.5)  # 1/0.5 = same threshold
    assert cpa.amounts() == result.amounts()
    capped = allocate(items, mode="target_roas", target=2.0, max_total=Decimal(200))
    assert result.total > Decimal(200) and capped.total == Decimal(200)


def test_linear_curves_fill_best_roas_first_and_stop_at_cap() -> None:
    items = [Allotment("lo", linear(1.5), Decimal(10), Decimal(500)),
             Allotment("hi", linear(4.0, cap=120), Decimal(10), Decimal(500))]
    result = allocate(items, total=Decimal(300))
    assert result.amounts() == {"hi": Decimal(120), "lo": Decimal(180)}


def test_fractional_total_is_placed_exactly() -> None:
    items = _problem(3, 5)
    total = sum((it.lower for it in items), Decimal(0)) + Decimal("123.37")
    assert allocate(items, total=total).total == total


def test_bad_problems_say_what_is_wrong() -> None:
    items = _problem(0, 3)
    with pytest.raises(AllocationError, match="below the sum of lower bounds"):
        allocate(items, total=Decimal(1))
    with pytest.raises(AllocationError, match="positive target"):
        allocate(items, mode="target_roas", target=-1.0)
    with pytest.raises(AllocationError, match="appears twice"):
        allocate([*items, items[0]], total=Decimal(10_000))


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[Allotment], Decimal]:
    n = draw(st.integers(1, 8))
    items = []
    for i in range(n):
        lower = draw(st.integers(0, 100))
        width = draw(st.integers(0, 200))
        a = draw(st.floats(1, 5000))
        b = draw(st.floats(1, 500))
        curve = (saturating(a, b) if draw(st.booleans())
                 else linear(draw(st.floats(0.1, 10)), cap=draw(st.floats(1, 400))))
        items.append(Allotment(f"e{i}", curve, Decimal(lower), Decimal(lower + width)))
    lo = sum((it.lower for it in items), Decimal(0))
    hi = sum((it.upper for it in items), Decimal(0))
    total = lo + Decimal(draw(st.integers(0, int(hi - lo))))
    return items, total


@settings(max_examples=60, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_invariants(problem: tuple[list[Allotment], Decimal], rnd: random.Random) -> None:
    items, total = problem
    result = allocate(items, total=total)
    assert result.total == total and result.unallocated == 0
    by_id = {it.entity_id: it for it in items}
    for a in result.allocations:
        assert by_id[a.entity_id].lower <= a.amount <= by_id[a.entity_id].upper
    shuffled = list(items)
    rnd.shuffle(shuffled)
    again = allocate(shuffled, total=total)
    assert repr(again) == repr(result)

