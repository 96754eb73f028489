"""Guardrails around the allocator: who may move, how far, and how amounts land on a platform.

Each function decides one rule and returns the :class:`~marketing.budgets.reasons.Reason` it
applied, so the plan can say why an entity was held or clipped:

- :func:`hold_reason`: excluded by the user, in a learning phase, changed within the
  cooldown (default 72 h), or too few days of data: the budget is held as it is;
- :func:`step_bounds`: per-step change bounds (default ±20 % on ``meta_ads``, ±30 %
  elsewhere), the platform's minimum and maximum, and the delivery cap of its curve;
- :func:`limit_movement`: total absolute movement per run (default 15 % of the pool);
- :func:`in_deadband`: changes below ``max(5 %, 1 unit)`` are not worth an API call;
- :func:`to_platform`: round to the platform's budget step (down, or toward the current
  budget), never below its minimum.

Platform minimums and steps come in as data (:class:`PlatformLimits`): this package imports
no connector.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from marketing.budgets.curves import ResponseCurve
from marketing.budgets.reasons import Reason

__all__ = [
    "EntityState",
    "GuardrailPolicy",
    "PlatformLimits",
    "hold_reason",
    "in_deadband",
    "limit_movement",
    "step_bounds",
    "to_platform",
]


@dataclass(frozen=True)
class PlatformLimits:
    """What a platform accepts as a daily budget, in account currency."""

    minimum: Decimal = Decimal(0)
    step: Decimal = Decimal("0.01")
    maximum: Decimal | None = None


@dataclass(frozen=True)
class GuardrailPolicy:
    """The guardrails' settings; the defaults are the reference's (part A2/A3)."""

    cooldown: timedelta = timedelta(hours=72)
    step_bound_by_platform: Mapping[str, float] = field(
        default_factory=lambda: {"meta_ads": 0.20})
    default_step_bound: float = 0.30
    max_movement_share: float = 0.15
    deadband_share: float = 0.05
    deadband_min: Decimal = Decimal(1)
    min_data_days: int = 14
    pacing_band: float = 0.25

    def step_bound(self, platform: str) -> float:
        """Return the largest relative change allowed in one step on ``platform``."""
        return self.step_bound_by_platform.get(platform, self.default_step_bound)


@dataclass(frozen=True)
class EntityState:
    """One campaign or ad set as the planner sees it: its budget, curve, limits and status."""

    entity_id: str
    platform: str
    current: Decimal
    curve: ResponseCurve
    limits: PlatformLimits = PlatformLimits()
    last_changed_at: datetime | None = None
    learning: bool = False
    excluded: bool = False


def hold_reason(entity: EntityState, now: datetime, policy: GuardrailPolicy) -> Reason | None:
    """Return why ``entity`` must keep its budget this run, or None when it may move.

    Thin data is judged by ``entity.curve.data_days`` (what :func:`fit_curve` saw), so a
    curve built by hand must say how many days it rests on.
    """
    if entity.excluded:
        return Reason.EXCLUDED
    if entity.learning:
        return Reason.LEARNING
    if entity.last_changed_at is not None and now - entity.last_changed_at < policy.cooldown:
        return Reason.COOLDOWN
    if entity.curve.data_days < policy.min_data_days:
        return Reason.THIN_DATA
    return None


def step_bounds(entity: EntityState, policy: GuardrailPolicy) -> tuple[Decimal, Decimal]:
    """Return ``(lower, upper)`` for ``entity``: the step bound, platform limits, delivery cap.

    The platform minimum wins over the step bound (a budget is never planned below it); the
    delivery cap lowers the upper bound but never below the lower one.
    """
    delta = Decimal(str(policy.step_bound(entity.platform)))
    limits = entity.limits
    lower = max(limits.minimum, entity.current * (1 - delta))
    upper = entity.current * (1 + delta)
    if limits.maximum is not None:
        upper = min(upper, limits.maximum)
    if math.isfinite(entity.curve.cap):
        upper = min(upper, Decimal(str(entity.curve.cap)))
    lower = lower.quantize(limits.step, ROUND_CEILING) if limits.step > 0 else lower
    return lower, max(lower, upper)


def limit_movement(
    before: Mapping[str, Decimal], after: Mapping[str, Decimal], cap: Decimal,
    step: Decimal = Decimal("0.01"),
) -> tuple[dict[str, Decimal], frozenset[str]]:
    """Scale every change back by one factor so ``Σ|after − before| <= cap``.

    The result is a convex combination of two feasible plans, so bounds and minimums still
    hold, and on concave curves it keeps at least that share of the gain. Amounts are
    quantised to ``step`` toward ``before`` (movement never exceeds the cap). Returns the
    new amounts and the ids that were scaled back.
    """
    moved = sum((abs(after[k] - before[k]) for k in after), Decimal(0))
    if moved <= cap:
        return dict(after), frozenset()
    theta = cap / moved
    out: dict[str, Decimal] = {}
    scaled: set[str] = set()
    for key in sorted(after):
        delta = after[key] - before[key]
        if delta == 0:
            out[key] = after[key]
            continue
        part = (abs(delta) * theta).quantize(step, ROUND_FLOOR)
        out[key] = before[key] + (part if delta > 0 else -part)
        scaled.add(key)
    return out, frozenset(scaled)


def in_deadband(before: Decimal, after: Decimal, policy: GuardrailPolicy) -> bool:
    """Return True when the change is too small to make: below ``max(share·before, min)``."""
    if after == before:
        return False
    threshold = max(before * Decimal(str(policy.deadband_share)), policy.deadband_min)
    return abs(after - before) < threshold


def to_platform(
    amount: Decimal, limits: PlatformLimits, toward: Decimal | None = None,
) -> tuple[Decimal, Reason | None]:
    """Round ``amount`` to the platform's step, never below its minimum.

    Down by default (a cap is never exceeded); toward ``toward`` when it is given (the
    current budget, on the step already), so a rounded change is never larger than the
    planned one and step bounds and the run's movement cap still hold after rounding.
    Returns the amount the platform will receive and PLATFORM_MINIMUM (raised to the minimum)
    or ROUNDING (rounded), or None when it was already on the step.
    """
    rounded = amount
    if limits.step > 0:
        up = toward is not None and amount < toward
        rounded = (amount / limits.step).to_integral_value(
            ROUND_CEILING if up else ROUND_FLOOR) * limits.step
    if rounded < limits.minimum:
        minimum = limits.minimum
        if limits.step > 0:
            minimum = (minimum / limits.step).to_integral_value(ROUND_CEILING) * limits.step
        return minimum, Reason.PLATFORM_MINIMUM
    if limits.maximum is not None and rounded > limits.maximum:
        return limits.maximum, Reason.ROUNDING
    return rounded, (Reason.ROUNDING if rounded != amount else None)
