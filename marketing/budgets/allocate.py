"""Greedy water-filling of a budget over concave response curves, on an integer spend grid.

Meridian's discrete ``BudgetOptimizer`` made deterministic and vectorised. Every entity
starts at its lower bound; its spend grid is ``lower + k·step`` up to its upper bound, and
every grid step has a step return ``(R(x+step) − R(x)) / step``. On a concave curve those
returns fall along the grid, so repeatedly taking the best step anywhere (Meridian's loop)
selects exactly the best steps overall: one sort of all steps instead of a loop. This
equalises marginal return across entities up to one grid step, the KKT point an SLSQP solver
reaches with gradients. A curve that is not concave on the grid is replaced by its least
concave majorant (pooled step returns), which is what Meridian's "jump to any higher row"
chooses.

Modes:

- ``fixed_total``: spend exactly ``total``; the grid's remainder (less than one step) goes to
  the entities with the best next step that still have room, so the sum is exact in Decimal.
- ``target_roas``: take every step whose return is at least ``target`` (marginal ROAS, not
  average ROAS), optionally no more than ``max_total``.
- ``target_cpa``: the curves predict conversions; take every step whose cost per conversion
  is at most ``target`` (return ≥ 1/target).

Step returns are rounded to 9 decimals and ties go to the entity whose id sorts first, then
to the lower grid step, so a permuted input or a rerun gives byte-identical output.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from marketing.budgets.curves import CurveArrays, ResponseCurve

__all__ = [
    "Allocation",
    "AllocationError",
    "AllocationResult",
    "Allotment",
    "Mode",
    "allocate",
]

MAX_GRID_STEPS = 50_000_000
ROI_DECIMALS = 9


class AllocationError(ValueError):
    """An allocation problem that cannot be solved as posed (bad bounds, total, target)."""


class Mode(StrEnum):
    """What the allocator optimises for."""

    FIXED_TOTAL = "fixed_total"
    TARGET_ROAS = "target_roas"
    TARGET_CPA = "target_cpa"


@dataclass(frozen=True)
class Allotment:
    """One entity to allocate: its curve and its hard bounds (account currency)."""

    entity_id: str
    curve: ResponseCurve
    lower: Decimal
    upper: Decimal


@dataclass(frozen=True)
class Allocation:
    """One entity's allocated amount, its marginal return there and its expected value.

    ``marginal_roas`` is dR/dx at ``amount``: value per currency unit (conversions per unit
    when the curves predict conversions; see :attr:`marginal_cpa`).
    """

    entity_id: str
    amount: Decimal
    marginal_roas: float
    expected_value: float

    @property
    def marginal_cpa(self) -> float:
        """Cost of the next conversion at ``amount`` (inf when the curve is flat)."""
        return math.inf if self.marginal_roas <= 0 else 1.0 / self.marginal_roas


@dataclass(frozen=True)
class AllocationResult:
    """Allocations sorted by entity id, their total, and what a fixed total could not place."""

    mode: Mode
    allocations: tuple[Allocation, ...]
    total: Decimal
    unallocated: Decimal

    def amounts(self) -> dict[str, Decimal]:
        """Return ``{entity_id: amount}``."""
        return {a.entity_id: a.amount for a in self.allocations}

    @property
    def expected_value(self) -> float:
        """Return the summed expected value of all allocations."""
        return float(sum(a.expected_value for a in self.allocations))


def _concave_majorant(roi: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Pool adjacent violators: the step returns of the least concave majorant (non-increasing)."""
    values: list[float] = []
    weights: list[int] = []
    for r in roi.tolist():
        values.append(r)
        weights.append(1)
        while len(values) > 1 and values[-2] < values[-1]:
            w = weights[-2] + weights[-1]
            v = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            values[-2:] = [v]
            weights[-2:] = [w]
    return np.repeat(np.array(values), np.array(weights, dtype=np.intp))


def _check(items: Sequence[Allotment], step: Decimal) -> list[Allotment]:
    if not (step.is_finite() and step > 0):
        raise AllocationError(f"grid step must be positive, got {step}")
    ordered = sorted(items, key=lambda item: item.entity_id)
    for prev, item in itertools.pairwise(ordered):
        if prev.entity_id == item.entity_id:
            raise AllocationError(f"entity {item.entity_id!r} appears twice")
    for item in ordered:
        if not (item.lower.is_finite() and item.upper.is_finite()):
            raise AllocationError(f"entity {item.entity_id!r}: bounds must be finite")
        if item.lower < 0 or item.upper < item.lower:
            raise AllocationError(
                f"entity {item.entity_id!r}: bounds [{item.lower}, {item.upper}] are not "
                "0 <= lower <= upper")
    return ordered


def allocate(
    items: Sequence[Allotment],
    *,
    mode: Mode | str = Mode.FIXED_TOTAL,
    total: Decimal | None = None,
    target: float | None = None,
    max_total: Decimal | None = None,
    step: Decimal = Decimal(1),
) -> AllocationResult:
    """Allocate spend across ``items`` by greedy water-filling on a grid of ``step``.

    ``fixed_total`` needs ``total`` (between the sums of lower and upper bounds: above the
    uppers, the excess is returned as ``unallocated``). ``target_roas`` needs ``target``
    (the least marginal ROAS worth buying), ``target_cpa`` needs ``target`` (the most a
    marginal conversion may cost); both may be capped by ``max_total``.

    Raises:
        AllocationError: on duplicate ids, bad bounds, a missing or non-positive target, a
            total below the sum of lower bounds, or a grid too fine for memory.

    """
    mode = Mode(mode)
    ordered = _check(items, step)
    n = len(ordered)
    lowers = [item.lower for item in ordered]
    uppers = [item.upper for item in ordered]
    sum_lower = sum(lowers, Decimal(0))
    counts = np.array([int(((u - lo) / step).to_integral_value(ROUND_FLOOR))
                       for lo, u in zip(lowers, uppers, strict=True)], dtype=np.int64)
    if int(counts.sum()) > MAX_GRID_STEPS:
        raise AllocationError(
            f"{int(counts.sum())} grid steps exceed {MAX_GRID_STEPS}: use a coarser step")
    curves = CurveArrays.of([item.curve for item in ordered])
    step_f = float(step)
    lower_f = np.array([float(v) for v in lowers], dtype=np.float64)

    # every grid step, flattened: entity index and step number k (1-based)
    idx = np.repeat(np.arange(n, dtype=np.intp), counts)
    starts = np.cumsum(counts) - counts
    k = np.arange(idx.size, dtype=np.int64) - np.repeat(starts, counts) + 1
    x_hi = lower_f[idx] + k * step_f
    roi = (curves.value(idx, x_hi) - curves.value(idx, x_hi - step_f)) / step_f
    rising = np.flatnonzero((np.diff(roi) > 1e-12) & (idx[1:] == idx[:-1]))
    for entity in np.unique(idx[rising + 1]):
        lo, hi = int(starts[entity]), int(starts[entity] + counts[entity])
        roi[lo:hi] = _concave_majorant(roi[lo:hi])
    roi_r = np.round(roi, ROI_DECIMALS)
    order = np.lexsort((k, idx, -roi_r))

    if mode is Mode.FIXED_TOTAL:
        if total is None:
            raise AllocationError("fixed_total needs a total")
        if total < sum_lower:
            raise AllocationError(
                f"total {total} is below the sum of lower bounds {sum_lower}")
        take = int(((total - sum_lower) / step).to_integral_value(ROUND_FLOOR))
    else:
        if target is None or not math.isfinite(target) or target <= 0:
            raise AllocationError(f"{mode.value} needs a positive target, got {target}")
        threshold = round(target if mode is Mode.TARGET_ROAS else 1.0 / target, ROI_DECIMALS)
        take = int(np.count_nonzero(roi_r >= threshold))
        if max_total is not None:
            if max_total < sum_lower:
                raise AllocationError(
                    f"max_total {max_total} is below the sum of lower bounds {sum_lower}")
            cap = int(((max_total - sum_lower) / step).to_integral_value(ROUND_FLOOR))
            take = min(take, cap)
    taken = np.bincount(idx[order[:take]], minlength=n) if take else np.zeros(n, np.int64)
    amounts = [lo + step * int(c) for lo, c in zip(lowers, taken.tolist(), strict=True)]

    unallocated = Decimal(0)
    if mode is Mode.FIXED_TOTAL and total is not None:
        amounts, unallocated = _place_remainder(ordered, amounts, total, curves)
    x = np.array([float(a) for a in amounts], dtype=np.float64)
    ar = np.arange(n, dtype=np.intp)
    value = curves.value(ar, x)
    marginal = curves.marginal(ar, x)
    allocations = tuple(
        Allocation(item.entity_id, amount, float(m), float(v))
        for item, amount, m, v in zip(ordered, amounts, marginal.tolist(), value.tolist(),
                                      strict=True))
    return AllocationResult(mode, allocations, sum(amounts, Decimal(0)), unallocated)


def _place_remainder(
    ordered: Sequence[Allotment], amounts: list[Decimal], total: Decimal, curves: CurveArrays,
) -> tuple[list[Decimal], Decimal]:
    """Give the part of ``total`` the grid could not place to the best next steps with room."""
    rest = total - sum(amounts, Decimal(0))
    if rest <= 0:
        return amounts, Decimal(0)
    n = len(ordered)
    x = np.array([float(a) for a in amounts], dtype=np.float64)
    marginal = np.round(curves.marginal(np.arange(n, dtype=np.intp), x), ROI_DECIMALS)
    out = list(amounts)
    for i in np.lexsort((np.arange(n), -marginal)).tolist():
        room = ordered[i].upper - out[i]
        if room <= 0:
            continue
        give = min(room, rest)
        out[i] += give
        rest -= give
        if rest <= 0:
            break
    return out, rest
