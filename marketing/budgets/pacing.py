"""Pacing: today's total from the month's budget, and intraday trims of entities running hot.

:func:`month_pace` is Optmyzr's "reach target monthly spend": today's total is the remaining
monthly budget divided by the remaining days (today included), clipped to a band around the
linear pace (default ±25 %), so a slow start is not made up in one day.

:func:`trim_intraday` is the hourly check: from the spend so far and the share of a day's
spend that usually falls before this hour (an hourly profile), it projects the end-of-day
spend; an entity projected above its planned day (beyond a tolerance) gets its budget cut so
the rest of the day fits, within the same guardrails (exclusions, learning, the step bound,
platform minimum and rounding, deadband). Entities on or under pace are never touched.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from marketing.budgets.guardrails import (
    GuardrailPolicy,
    PlatformLimits,
    in_deadband,
    to_platform,
)
from marketing.budgets.reasons import Reason

__all__ = [
    "DailyPace",
    "IntradayDecision",
    "IntradayEntity",
    "PacingError",
    "month_pace",
    "projected_spend",
    "trim_intraday",
]

CENT = Decimal("0.01")


class PacingError(ValueError):
    """Pacing inputs that make no sense (negative budget, bad profile or hour)."""


@dataclass(frozen=True)
class DailyPace:
    """Today's total under month pacing: the raw need, the linear pace and the clipped total."""

    total: Decimal
    raw: Decimal
    linear: Decimal
    clipped: bool


def month_pace(
    monthly_budget: Decimal, spent_to_date: Decimal, today: date, band: float = 0.25,
) -> DailyPace:
    """Return today's total: ``(monthly − spent) / remaining days`` within ±``band`` of linear.

    ``spent_to_date`` is the month's spend before today. Never negative: a month already
    spent gives 0 (the band's floor does not force spend beyond the budget).

    Raises:
        PacingError: on a negative budget or spend, or a band outside [0, 1).

    """
    if monthly_budget < 0 or spent_to_date < 0 or not 0 <= band < 1:
        raise PacingError("monthly budget and spend must be >= 0 and the band in [0, 1)")
    days = calendar.monthrange(today.year, today.month)[1]
    remaining_days = days - today.day + 1
    remaining = max(monthly_budget - spent_to_date, Decimal(0))
    raw = (remaining / remaining_days).quantize(CENT, ROUND_HALF_EVEN)
    linear = (monthly_budget / days).quantize(CENT, ROUND_HALF_EVEN)
    b = Decimal(str(band))
    total = min(max(raw, linear * (1 - b)), linear * (1 + b))
    total = min(total, remaining).quantize(CENT, ROUND_HALF_EVEN)
    return DailyPace(total, raw, linear, total != raw)


def _share_before(hour: float, profile: Sequence[float]) -> float:
    if len(profile) != 24 or any(p < 0 for p in profile) or sum(profile) <= 0:
        raise PacingError("hourly profile: 24 non-negative shares with a positive sum")
    if not 0 <= hour <= 24:
        raise PacingError(f"hour must be within [0, 24], got {hour}")
    total = float(sum(profile))
    whole = int(hour)
    share = sum(profile[:whole]) / total
    if whole < 24:
        share += (hour - whole) * profile[whole] / total
    return share


def projected_spend(spent: Decimal, hour: float, profile: Sequence[float]) -> Decimal | None:
    """Return the end-of-day spend at today's run rate, or None before any spend is expected."""
    share = _share_before(hour, profile)
    if share <= 0:
        return None
    return (spent / Decimal(str(share))).quantize(CENT, ROUND_HALF_EVEN)


@dataclass(frozen=True)
class IntradayEntity:
    """One entity during the day: its planned day, live budget and spend so far."""

    entity_id: str
    platform: str
    planned: Decimal
    budget: Decimal
    spent: Decimal
    limits: PlatformLimits = field(default_factory=PlatformLimits)
    learning: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class IntradayDecision:
    """The hourly check's verdict on one entity (``after == before``: left alone).

    ``reasons`` is empty exactly when the entity is on or under pace.
    """

    entity_id: str
    before: Decimal
    after: Decimal
    projected: Decimal | None
    reasons: tuple[Reason, ...]


def trim_intraday(
    entities: Sequence[IntradayEntity],
    *,
    hour: float,
    profile: Sequence[float],
    policy: GuardrailPolicy | None = None,
    tolerance: float = 0.05,
    min_hour: float = 0.0,
) -> tuple[IntradayDecision, ...]:
    """Cut the budgets of entities projected to overspend their planned day; sorted by id.

    Overspend means ``projected > planned·(1 + tolerance)``. The new budget scales the live
    one so the rest of the day spends ``planned − spent`` at today's run rate, bounded by the
    step bound (PACING, plus STEP_BOUND when clipped), then rounded down to the platform's
    step and never below its minimum. Excluded and learning entities are held with their
    reason, and every hot entity before ``min_hour`` (TOO_EARLY: the first hours project too
    noisily); changes in the deadband are skipped. The cooldown is not applied: the morning's
    own reallocation has just set these budgets, and a trim only ever lowers spend.
    """
    cfg = policy or GuardrailPolicy()
    _share_before(hour, profile)  # a bad profile or hour fails even with no entities
    out: list[IntradayDecision] = []
    for e in sorted(entities, key=lambda item: item.entity_id):
        projected = projected_spend(e.spent, hour, profile)
        hot = projected is not None and projected > e.planned * Decimal(str(1 + tolerance))
        if not hot or projected is None:
            out.append(IntradayDecision(e.entity_id, e.budget, e.budget, projected, ()))
            continue
        if e.excluded or e.learning or hour < min_hour:
            reason = (Reason.EXCLUDED if e.excluded else Reason.LEARNING if e.learning
                      else Reason.TOO_EARLY)
            out.append(IntradayDecision(e.entity_id, e.budget, e.budget, projected, (reason,)))
            continue
        left = max(e.planned - e.spent, Decimal(0))
        wanted = e.budget * left / (projected - e.spent) if projected > e.spent else e.budget
        reasons = [Reason.PACING]
        floor = e.budget * (1 - Decimal(str(cfg.step_bound(e.platform))))
        if wanted < floor:
            wanted = floor
            reasons.append(Reason.STEP_BOUND)
        after, note = to_platform(wanted, e.limits)
        if note is not None:
            reasons.append(note)
        after = min(after, e.budget)
        if after == e.budget or in_deadband(e.budget, after, cfg):
            reasons = [Reason.DEADBAND] if after != e.budget else reasons
            after = e.budget
        out.append(IntradayDecision(e.entity_id, e.budget, after, projected, tuple(reasons)))
    return tuple(out)
