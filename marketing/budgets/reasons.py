"""Why an entity's budget was held, clipped or fitted the way it was: one code per cause.

Every guardrail that holds or clips an entity adds its :class:`Reason` to that entity's
plan row, so each change (or non-change) can be explained next to its evidence.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """A cause that held, clipped or shaped one entity's new budget."""

    REALLOCATED = "reallocated"
    """Moved by the allocator toward equal marginal return (no guardrail involved)."""
    EXCLUDED = "excluded"
    """The user excluded the entity: its budget is held."""
    LEARNING = "learning"
    """The platform reports a learning phase: held."""
    COOLDOWN = "cooldown"
    """Changed less than the cooldown ago (default 72 h): held."""
    THIN_DATA = "thin_data"
    """Too few days or conversions: held, or the curve fell back to shrunk linear ROAS."""
    POOR_FIT = "poor_fit"
    """The saturating fit failed or explained too little (R²): shrunk linear ROAS instead."""
    STEP_BOUND = "step_bound"
    """Stopped at the per-step change bound (default ±20 % Meta, ±30 % elsewhere)."""
    TOTAL_MOVEMENT = "total_movement"
    """Scaled back so the run moves at most its share of the pool (default 15 %)."""
    PACING = "pacing"
    """The day's total came from month pacing clipped to its band, or an intraday trim."""
    DEADBAND = "deadband"
    """The change was below the deadband (max(5 %, 1 unit)): held."""
    PLATFORM_MINIMUM = "platform_minimum"
    """Raised to the platform's minimum budget."""
    ROUNDING = "rounding"
    """Rounded down to the platform's budget step."""
    TOO_EARLY = "too_early"
    """An intraday check in the first hours of the day, which project too noisily: held."""
    DELIVERY_CAP = "delivery_cap"
    """Stopped at the spend the entity can deliver (e.g. 1.5x its best 7-day average)."""
