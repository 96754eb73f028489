"""The budget plan: per entity before, after, reason codes, evidence and expected effect.

Plain frozen dataclasses so a flow can store them in the ledger and render them as a table
(:meth:`BudgetPlan.rows`) without knowing how they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from marketing.budgets.reasons import Reason

__all__ = ["BudgetPlan", "EntityChange", "Evidence"]


@dataclass(frozen=True)
class Evidence:
    """What a change rests on: the curve, its fit and the marginal return at the new amount."""

    curve_kind: str
    a: float
    b: float
    cap: float
    r2: float | None
    data_days: int
    marginal_roas: float
    marginal_interval: tuple[float, float]


@dataclass(frozen=True)
class EntityChange:
    """One entity's line of the plan (``after == before`` for held entities)."""

    entity_id: str
    platform: str
    before: Decimal
    after: Decimal
    reasons: tuple[Reason, ...]
    evidence: Evidence
    value_before: float
    value_after: float

    @property
    def changed(self) -> bool:
        """Return True when the plan moves this entity's budget."""
        return self.after != self.before

    @property
    def value_delta(self) -> float:
        """Return the expected change in value (curve at ``after`` minus at ``before``)."""
        return self.value_after - self.value_before


@dataclass(frozen=True)
class BudgetPlan:
    """A whole run's plan: every entity's line, the totals and the day's target."""

    mode: str
    target_total: Decimal | None
    changes: tuple[EntityChange, ...]

    @property
    def total_before(self) -> Decimal:
        """Return the sum of current budgets."""
        return sum((c.before for c in self.changes), Decimal(0))

    @property
    def total_after(self) -> Decimal:
        """Return the sum of planned budgets."""
        return sum((c.after for c in self.changes), Decimal(0))

    @property
    def expected_effect(self) -> float:
        """Return the summed expected value delta of all changes."""
        return float(sum(c.value_delta for c in self.changes))

    def moved(self) -> tuple[EntityChange, ...]:
        """Return the lines whose budget changes."""
        return tuple(c for c in self.changes if c.changed)

    def rows(self) -> list[dict[str, Any]]:
        """Return one flat dict per entity, ready for a table artifact."""
        return [
            {"entity": c.entity_id, "platform": c.platform, "before": str(c.before),
             "after": str(c.after), "reasons": ", ".join(r.value for r in c.reasons),
             "marginal_roas": round(c.evidence.marginal_roas, 4),
             "data_days": c.evidence.data_days, "value_delta": round(c.value_delta, 2)}
            for c in self.changes
        ]
