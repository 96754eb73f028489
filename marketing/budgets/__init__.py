"""Budget reallocation, pure: response curves, allocation, guardrails, pacing, verification.

No Prefect, no HTTP, no connector: entities come in as plain values (curves, bounds, platform
limits as data) and a plan of per-entity changes with reason codes and evidence comes out.
"""

from marketing.budgets.allocate import (
    Allocation,
    AllocationError,
    AllocationResult,
    Allotment,
    Mode,
    allocate,
)
from marketing.budgets.curves import (
    CurveError,
    CurveKind,
    FitSettings,
    ResponseCurve,
    fit_curve,
    fit_curves,
    hill,
    linear,
    saturating,
)
from marketing.budgets.guardrails import EntityState, GuardrailPolicy, PlatformLimits
from marketing.budgets.pacing import (
    DailyPace,
    IntradayDecision,
    IntradayEntity,
    PacingError,
    month_pace,
    projected_spend,
    trim_intraday,
)
from marketing.budgets.plan import BudgetPlan, EntityChange, Evidence
from marketing.budgets.reallocate import plan_budgets
from marketing.budgets.reasons import Reason
from marketing.budgets.verify import (
    DayResult,
    Verification,
    VerifyError,
    VerifyPolicy,
    verify_change,
)

__all__ = [
    "Allocation",
    "AllocationError",
    "AllocationResult",
    "Allotment",
    "BudgetPlan",
    "CurveError",
    "CurveKind",
    "DailyPace",
    "DayResult",
    "EntityChange",
    "EntityState",
    "Evidence",
    "FitSettings",
    "GuardrailPolicy",
    "IntradayDecision",
    "IntradayEntity",
    "Mode",
    "PacingError",
    "PlatformLimits",
    "Reason",
    "ResponseCurve",
    "Verification",
    "VerifyError",
    "VerifyPolicy",
    "allocate",
    "fit_curve",
    "fit_curves",
    "hill",
    "linear",
    "month_pace",
    "plan_budgets",
    "projected_spend",
    "saturating",
    "trim_intraday",
    "verify_change",
]
