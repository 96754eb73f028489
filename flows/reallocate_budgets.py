"""Reallocate daily budgets toward their marginal return: plan, approve, apply, record.

One run (daily, after the attribution report):

1. validates its parameters and reads the budget entities' daily history (spend, and value
   calibrated by the attribution model, or conversions for a CPA target) and fx rates; a
   platform-reported value counts its view-through part at ``view_through_weight``;
2. fits a response curve per entity and plans today's budgets under the guardrails
   (``marketing.budgets.plan_budgets``), in the reporting currency;
3. records the plan's changes in the change ledger under an idempotency key (the day and the
   parameters: a re-run continues the plan it made instead of planning again);
4. approves the changes inside the auto-apply policy and pauses for a person's typed answer in
   the Prefect UI on the rest (no answer before the timeout means rejected);
5. applies the approved changes through the platforms' campaign writers (read live, skip
   what is at target, write, read back; a failure rolls back what this run applied);
6. leaves the plan, the decision and the outcome as artifacts.

Bad input (a negative target, a pool smaller than its minimums, no attribution for the
period, an unknown campaign) fails in steps 1-2, before anything is recorded or applied.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from pydantic import BaseModel, Field

from flows.budget_parameters import BudgetMode, BudgetRequest, parse_budget_request
from marketing.budgets.guardrails import EntityState, GuardrailPolicy, hold_reason
from marketing.budgets.pacing import DailyPace, month_pace
from marketing.budgets.reallocate import plan_budgets
from resources import environment as environments
from tasks import budgets, decision_loop
from tasks.budget_artifacts import plan_rows, publish_plan
from tasks.budgets import BudgetRunError

__all__ = ["BudgetApplyFailed", "BudgetRunResult", "reallocate_budgets"]



class BudgetApplyFailed(RuntimeError):
    """A write failed while applying the plan; what this run applied was rolled back."""


class BudgetRunResult(BaseModel):
    """What one reallocation run planned, decided and applied (the CLI prints it)."""

    plan_key: str
    resumed: bool = False
    dry_run: bool = False
    mode: str
    currency: str
    value_source: str
    total_before: float | None = None
    """The pool's total before the plan (None on a resumed run: the plan was made earlier)."""
    total_after: float | None = None
    expected_value_delta: float | None = None
    entities: int = 0
    lines: list[dict[str, Any]] = Field(default_factory=list)
    intents: int = 0
    auto_approved: int = 0
    approved: int = 0
    rejected: int = 0
    timed_out: bool = False
    applied: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)
    failed: dict[str, str] = Field(default_factory=dict)
    compensated: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def _check_total(request: BudgetRequest, states: list[EntityState], now: dt.datetime,
                 policy: GuardrailPolicy, currency: str) -> None:
    """Refuse a daily total below what the pool must spend anyway (its minimums, held budgets)."""
    if request.daily_total is None:
        return
    needed = sum((s.current if hold_reason(s, now, policy) is not None else s.limits.minimum
                  for s in states), Decimal(0))
    if request.daily_total < needed:
        raise BudgetRunError(
            f"daily_total {request.daily_total} {currency} is below what the pool of "
            f"{len(states)} budget(s) needs: {needed} {currency} (platform minimums plus the "
            "budgets held by cooldown or exclusion); raise it or shrink the pool")


def _pace(request: BudgetRequest, pool: list[budgets.PoolEntity], today: dt.date,
          policy: GuardrailPolicy) -> DailyPace | None:
    if request.monthly_budget is None:
        return None
    spent = budgets.month_spend(pool, today - dt.timedelta(days=1))
    return month_pace(request.monthly_budget, spent, today, policy.pacing_band)


@flow(name="reallocate-budgets", log_prints=True)
def reallocate_budgets(  # one typed parameter per UI field
    mode: BudgetMode = "fixed_total",
    target: Annotated[float | None, Field(gt=0)] = None,
    daily_total: Annotated[Decimal | None, Field(ge=0)] = None,
    monthly_budget: Annotated[Decimal | None, Field(gt=0)] = None,
    platforms: list[str] | None = None,
    pool: list[str] | None = None,
    exclude: list[str] | None = None,
    attribution_model: str | None = "markov",
    history_days: Annotated[int, Field(ge=7, le=180)] = 21,
    max_step_meta: Annotated[float, Field(gt=0, le=1)] = 0.20,
    max_step_other: Annotated[float, Field(gt=0, le=1)] = 0.30,
    cooldown_hours: Annotated[int, Field(ge=0, le=720)] = 72,
    max_movement_share: Annotated[float, Field(gt=0, le=1)] = 0.15,
    deadband_share: Annotated[float, Field(ge=0, lt=1)] = 0.05,
    auto_apply_max_change: Annotated[float, Field(ge=0, le=10)] = 0.10,
    view_through_weight: Annotated[float, Field(ge=0, le=1)] = 0.0,
    approval_timeout_seconds: Annotated[int, Field(ge=1, le=604800)] = 4 * 3600,
    dry_run: bool = False,
) -> BudgetRunResult:
    """Plan today's daily budgets toward the best marginal return, then decide and apply.

    Args:
        mode: fixed_total (redistribute), target_roas or target_cpa (spend to a target).
        target: the marginal ROAS to clear, or the most a marginal conversion may cost.
        daily_total: fixed_total: the day's total in the reporting currency (default: the
            pool's current total).
        monthly_budget: pace the month: today's total is what is left over the days left,
            within ±25 % of the linear pace (reporting currency).
        platforms: ad platforms to steer (default: every platform with budget entities).
        pool: only these campaigns or budgets (native id, ``platform:id`` or core id).
        exclude: campaigns or budgets never moved (held, shown in the plan).
        attribution_model: the attribution model whose credit calibrates the value
            (``markov``, ``linear``...); empty to steer by platform-reported value.
        history_days: days of history the curves are fitted on.
        max_step_meta: the largest change of a Meta budget in one run (share).
        max_step_other: the same on the other platforms.
        cooldown_hours: a budget changed this recently is held.
        max_movement_share: the most a run moves, as a share of the pool.
        deadband_share: changes below this share of a budget are not made.
        auto_apply_max_change: changes up to this share of their budget apply without a
            person; larger ones wait for approval in the UI (0: every change waits).
        view_through_weight: how much of a platform-reported value's view-through part
            (Meta's ``1d_view`` value) counts, 0 to 1: 0 steers by click-through value only,
            so a campaign whose reported ROAS rests on views does not draw the money; 1
            counts it whole. An attribution-calibrated value has no view-throughs to weigh.
        approval_timeout_seconds: how long to wait for a person; then the changes are rejected.
        dry_run: plan and show, record and apply nothing.

    """
    logger = get_run_logger()
    environment = environments.current()
    request = parse_budget_request(
        mode=mode, target=target, daily_total=daily_total, monthly_budget=monthly_budget,
        platforms=tuple(platforms or budgets.budget_platforms()),
        pool=tuple(pool) if pool is not None else None, exclude=tuple(exclude or ()),
        attribution_model=attribution_model or None, history_days=history_days,
        max_step_meta=max_step_meta, max_step_other=max_step_other,
        cooldown_hours=cooldown_hours, max_movement_share=max_movement_share,
        deadband_share=deadband_share, auto_apply_max_change=auto_apply_max_change,
        view_through_weight=view_through_weight,
        approval_timeout_seconds=approval_timeout_seconds, dry_run=dry_run)

    def clock() -> dt.datetime:
        return environment.now(request.platforms[0])

    now = clock()
    today = now.date()
    keyed = request.model_dump(mode="json", exclude={"dry_run", "approval_timeout_seconds"})
    key = budgets.plan_key(today, keyed)
    engine = decision_loop.ledger_engine(environment)
    title = f"Budget plan for {today} ({request.mode})"
    existing = None if request.dry_run else decision_loop.find_plan(engine, key)
    if existing is not None:
        logger.info("plan %s was recorded by an earlier run: continuing it", key)
        result = BudgetRunResult(plan_key=key, resumed=True, mode=request.mode,
                                 currency=environment.reporting_currency,
                                 value_source=str(existing.plan.parameters.get("value_source")),
                                 intents=len(existing.intents))
        return _decide_and_apply(engine, environment, key, title, request, clock, result)

    inputs = budgets.read_budget_inputs(
        environment, platforms=request.platforms, end=today - dt.timedelta(days=1),
        days=request.history_days, model=request.attribution_model)
    history = inputs.history
    if request.attribution_model and history.attribution_run_id is None:
        raise BudgetRunError(
            f"no attribution for the period: no {inputs.model} run overlaps "
            f"{history.start}..{history.end} (run the attribution report first, or set "
            "attribution_model empty to steer by platform-reported value)")
    pool_entities, notes = budgets.select_pool(inputs, pool=request.pool,
                                               exclude=request.exclude)
    if not pool_entities:
        raise BudgetRunError("the pool holds no active budget a campaign writer can change"
                             + (f" ({'; '.join(notes[:5])})" if notes else ""))
    policy = request.policy()
    states = budgets.entity_states(pool_entities, value=request.value,
                                   last_changes=budgets.last_budget_changes(engine),
                                   since=inputs.fit_start,
                                   view_through_weight=request.view_through_weight)
    currency = inputs.reporting_currency
    _check_total(request, states, now, policy, currency)
    plan = plan_budgets(states, now=now, mode=request.mode, total=request.daily_total,
                        target=request.target, pace=_pace(request, pool_entities, today, policy),
                        policy=policy, grid_step=budgets.grid_step(states))
    value_source = f"attribution:{inputs.model}" if inputs.model else "platform_reported"
    intents = budgets.plan_intents(plan, pool_entities, key=key,
                                   auto_apply_max_change=request.auto_apply_max_change,
                                   value_source=value_source,
                                   view_through_weight=request.view_through_weight)
    notes += [f"{p.entity.platform} {p.entity.entity_id}: {p.entity.value_note}"
              for p in pool_entities if p.entity.value_note and inputs.model
              and not p.entity.value_source.startswith("attribution")]
    rows = plan_rows(plan, pool_entities, currency)
    result = BudgetRunResult(
        plan_key=key, dry_run=request.dry_run, mode=request.mode, currency=currency,
        value_source=value_source, total_before=float(plan.total_before),
        total_after=float(plan.total_after), expected_value_delta=round(plan.expected_effect, 2),
        entities=len(plan.changes), lines=rows, intents=len(intents), notes=notes)
    publish_plan(title, rows, {
        "mode": request.mode + (f" (target {request.target})" if request.target else ""),
        f"total before ({currency}/day)": f"{plan.total_before:,.2f}",
        f"total after ({currency}/day)": f"{plan.total_after:,.2f}",
        f"expected value change ({currency}/day)": f"{plan.expected_effect:,.2f}",
        "budgets in the plan": len(plan.changes), "changes": len(intents),
        "need approval": sum(i.needs_approval for i in intents),
        "value": value_source, "view-through weight": request.view_through_weight,
        "history": f"{inputs.fit_start} to {history.end}",
        "dry run": request.dry_run}, notes)
    logger.info("%s: %d budget(s), %d change(s), expected %+.2f %s/day", title,
                len(plan.changes), len(intents), plan.expected_effect, currency)
    if request.dry_run:
        return result
    decision_loop.record(engine, budgets.new_plan(key, title, keyed, value_source), intents,
                         now=now, run_id=str(flow_run.get_id() or uuid.uuid4()))
    return _decide_and_apply(engine, environment, key, title, request, clock, result)


def _decide_and_apply(engine: Any, environment: environments.Environment, key: str, title: str,
                      request: BudgetRequest, clock: Any,
                      result: BudgetRunResult) -> BudgetRunResult:
    outcome = decision_loop.run_decision_loop(
        engine, environment, key, title, clock=clock,
        timeout_seconds=request.approval_timeout_seconds, artifact_prefix="budget")
    report = outcome.report
    result = result.model_copy(update={
        "intents": len(outcome.intents), "auto_approved": len(outcome.auto_approved),
        "approved": len(outcome.decision.approved), "rejected": len(outcome.decision.rejected),
        "timed_out": outcome.decision.timed_out, "applied": report.applied + report.reconciled,
        "skipped": report.skipped, "failed": report.failed,
        "compensated": report.compensated})
    if report.failed:
        raise BudgetApplyFailed(
            f"{len(report.failed)} budget change(s) failed ("
            + "; ".join(f"{k}: {v}" for k, v in list(report.failed.items())[:3])
            + f"); {len(report.compensated)} applied change(s) of this run were rolled back")
    return result
