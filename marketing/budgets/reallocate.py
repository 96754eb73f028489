"""One reallocation run: guardrails, then water-filling, then the post-filters, as a plan.

Order (reference part A3): hold what may not move (excluded, learning, cooldown, thin data),
bound the rest (step bound, platform limits, delivery cap), allocate the day's total minus
what is held (or spend to a marginal ROAS / CPA target), scale back to the run's movement
cap, skip changes in the deadband, round to each platform's step and minimum. Every entity's
line carries the reasons that shaped it and the evidence (curve, fit, marginal return).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from marketing.budgets.allocate import AllocationError, Allotment, Mode, allocate
from marketing.budgets.curves import ResponseCurve
from marketing.budgets.guardrails import (
    EntityState,
    GuardrailPolicy,
    hold_reason,
    in_deadband,
    limit_movement,
    step_bounds,
    to_platform,
)
from marketing.budgets.pacing import DailyPace
from marketing.budgets.plan import BudgetPlan, EntityChange, Evidence
from marketing.budgets.reasons import Reason

__all__ = ["plan_budgets"]


def _evidence(curve: ResponseCurve, amount: Decimal) -> Evidence:
    x = float(amount)
    return Evidence(curve.kind.value, curve.a, curve.b, curve.cap, curve.r2, curve.data_days,
                    curve.marginal(x), curve.marginal_interval(x))


def _line(e: EntityState, curve: ResponseCurve, after: Decimal,
          reasons: Sequence[Reason]) -> EntityChange:
    return EntityChange(e.entity_id, e.platform, e.current, after, tuple(reasons),
                        _evidence(curve, after), curve.value(float(e.current)),
                        curve.value(float(after)))


def plan_budgets(
    entities: Sequence[EntityState],
    *,
    now: datetime,
    mode: Mode | str = Mode.FIXED_TOTAL,
    total: Decimal | None = None,
    target: float | None = None,
    pace: DailyPace | None = None,
    policy: GuardrailPolicy | None = None,
    grid_step: Decimal = Decimal(1),
) -> BudgetPlan:
    """Plan today's budgets for ``entities`` under ``policy``; lines sorted by entity id.

    ``fixed_total`` redistributes ``pace.total`` when a month pace is given, else ``total``,
    else the sum of current budgets. ``target_roas``/``target_cpa`` spend while the marginal
    return clears ``target`` (``total`` or ``pace`` then cap the spend). Curves are taken on
    ``now``'s weekday. Held entities keep their budget and count against the total.

    Raises:
        AllocationError: on duplicate ids or a missing or non-positive target.

    """
    cfg = policy or GuardrailPolicy()
    mode = Mode(mode)
    ordered = sorted(entities, key=lambda e: e.entity_id)
    if len({e.entity_id for e in ordered}) != len(ordered):
        raise AllocationError("an entity appears twice")
    curves = {e.entity_id: e.curve.on(now.weekday()) for e in ordered}
    day_total = pace.total if pace is not None else total
    held: dict[str, Reason] = {}
    for e in ordered:
        reason = hold_reason(e, now, cfg)
        if reason is not None:
            held[e.entity_id] = reason
    movable = [e for e in ordered if e.entity_id not in held]
    bounds = {e.entity_id: step_bounds(e, cfg) for e in movable}
    lower_sum = sum((b[0] for b in bounds.values()), Decimal(0))
    upper_sum = sum((b[1] for b in bounds.values()), Decimal(0))
    held_sum = sum((e.current for e in ordered if e.entity_id in held), Decimal(0))
    pool = sum((e.current for e in ordered), Decimal(0))
    budget = (day_total if day_total is not None else pool) - held_sum
    items = [Allotment(e.entity_id, curves[e.entity_id], *bounds[e.entity_id]) for e in movable]
    if mode is Mode.FIXED_TOTAL:
        result = allocate(items, mode=mode, total=min(max(budget, lower_sum), upper_sum),
                          step=grid_step)
    else:
        cap = None if day_total is None else max(budget, lower_sum)
        result = allocate(items, mode=mode, target=target, max_total=cap, step=grid_step)
    before = {e.entity_id: e.current for e in movable}
    step = min((e.limits.step for e in movable if e.limits.step > 0), default=Decimal("0.01"))
    amounts, scaled = limit_movement(before, result.amounts(),
                                     pool * Decimal(str(cfg.max_movement_share)), step)
    paced = pace is not None and pace.clipped
    lines: list[EntityChange] = []
    for e in ordered:
        curve = curves[e.entity_id]
        if e.entity_id in held:
            lines.append(_line(e, curve, e.current, (held[e.entity_id],)))
            continue
        lower, upper = bounds[e.entity_id]
        amount = amounts[e.entity_id]
        reasons: list[Reason] = []
        if e.entity_id in scaled:
            reasons.append(Reason.TOTAL_MOVEMENT)
        if amount == upper and math.isfinite(curve.cap) and upper == Decimal(str(curve.cap)):
            reasons.append(Reason.DELIVERY_CAP)
        elif amount in (lower, upper) and amount != e.current and lower != e.limits.minimum:
            reasons.append(Reason.STEP_BOUND)
        if in_deadband(e.current, amount, cfg):
            lines.append(_line(e, curve, e.current, [*reasons, Reason.DEADBAND]))
            continue
        after, note = to_platform(amount, e.limits, toward=e.current)
        if note is not None:
            reasons.append(note)
        if after != e.current:
            if paced:
                reasons.append(Reason.PACING)
            if e.curve.note is not None:
                reasons.append(e.curve.note)
            reasons.insert(0, Reason.REALLOCATED)
        lines.append(_line(e, curve, after, reasons))
    return BudgetPlan(mode.value, day_total, tuple(lines))
