"""The typed parameters of ``reallocate-budgets``, validated before anything is read or written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from flows.parameters import parameter_error
from marketing.budgets.guardrails import GuardrailPolicy

__all__ = ["BudgetMode", "BudgetRequest", "parse_budget_request"]

BudgetMode = Literal["fixed_total", "target_roas", "target_cpa"]
"""``fixed_total``: redistribute a total; ``target_roas``: spend while the marginal return
clears the target; ``target_cpa``: spend while a marginal conversion costs at most the target."""


class BudgetRequest(BaseModel):
    """What one reallocation run is asked to do (money in the reporting currency)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: BudgetMode = "fixed_total"
    target: float | None = Field(default=None, gt=0)
    daily_total: Decimal | None = Field(default=None, ge=0)
    monthly_budget: Decimal | None = Field(default=None, gt=0)
    platforms: tuple[str, ...] = Field(min_length=1)
    pool: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    attribution_model: str | None = "markov"
    history_days: int = Field(default=21, ge=7, le=180)
    max_step_meta: float = Field(default=0.20, gt=0, le=1)
    max_step_other: float = Field(default=0.30, gt=0, le=1)
    cooldown_hours: int = Field(default=72, ge=0, le=24 * 30)
    max_movement_share: float = Field(default=0.15, gt=0, le=1)
    deadband_share: float = Field(default=0.05, ge=0, lt=1)
    auto_apply_max_change: float = Field(default=0.10, ge=0, le=10)
    view_through_weight: float = Field(default=0.0, ge=0, le=1)
    approval_timeout_seconds: int = Field(default=4 * 3600, ge=1, le=7 * 24 * 3600)
    dry_run: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> BudgetRequest:
        if self.mode != "fixed_total" and self.target is None:
            raise ValueError(f"mode {self.mode} needs a target (a positive number)")
        if self.mode == "fixed_total" and self.target is not None:
            raise ValueError("target applies to target_roas and target_cpa, not fixed_total")
        if self.daily_total is not None and self.monthly_budget is not None:
            raise ValueError("give daily_total or monthly_budget (month pacing), not both")
        if len(set(self.platforms)) != len(self.platforms):
            raise ValueError("each platform may be named once")
        if self.pool is not None and not [p for p in self.pool if p.strip()]:
            raise ValueError("pool is empty (leave it out to steer every active budget)")
        return self

    def policy(self) -> GuardrailPolicy:
        """Return the guardrails these parameters ask for (Meta's step bound apart)."""
        return GuardrailPolicy(
            cooldown=dt.timedelta(hours=self.cooldown_hours),
            step_bound_by_platform={"meta_ads": self.max_step_meta},
            default_step_bound=self.max_step_other,
            max_movement_share=self.max_movement_share,
            deadband_share=self.deadband_share,
        )

    @property
    def value(self) -> str:
        """What the curves predict: ``conversions`` for a CPA target, else ``value``."""
        return "conversions" if self.mode == "target_cpa" else "value"


def parse_budget_request(**parameters: object) -> BudgetRequest:
    """Validate raw flow parameters, or raise a ParameterError naming each bad one."""
    try:
        return BudgetRequest.model_validate(parameters)
    except ValidationError as exc:
        raise parameter_error("reallocate-budgets", exc) from None
