"""Hourly pacing: trim budgets that will overspend their planned day; restore them next day.

One run (hourly, deployed at minute 5):

1. validates its parameters and reads the pool of budget entities from the warehouse (the
   same pool the reallocation steers);
2. reads each entity's live budget and today's spend so far through the campaign writers
   (one read per account, in the account's own day: LinkedIn reports UTC days);
3. restores, on an account's new local day, budgets that an earlier day's check trimmed and
   that nothing changed since, to the budget that day was planned with;
4. projects each entity's end-of-day spend from its spend so far and the hourly profile, and
   trims those projected above their planned day (beyond the tolerance) so the rest of the
   day fits, within the guardrails (``marketing.budgets.trim_intraday``): never raised,
   never below the platform minimum, at most the step bound, excluded entities held, and no
   trim before ``min_hour`` local hours (the first hours project too noisily);
5. records the trims and restores in the change ledger under the hour's key (a re-run in the
   same hour continues it) and applies them through the decision loop: at once by default,
   or after a person's approval in the UI;
6. leaves the check's table as an artifact (``budget-pacing``).

The planned day of an entity is the budget it had before the day's first trim (its live
budget when it has not been trimmed today). Trims are intraday corrections: they start no
cooldown and are never verified as budget changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Annotated, Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run
from pydantic import BaseModel, Field, ValidationError, field_validator

from flows.parameters import parameter_error
from marketing.budgets.guardrails import GuardrailPolicy
from marketing.budgets.pacing import IntradayDecision, trim_intraday
from resources import environment as environments
from tasks import budgets, decision_loop, pacing
from tasks.budgets import PACING_PLAN_KIND, BudgetRunError

__all__ = ["FLAT_PROFILE", "PacingRequest", "PacingRunResult", "pace_budgets"]

FLAT_PROFILE: tuple[float, ...] = (1.0,) * 24
"""Even delivery through the day: what the sandbox's platforms do."""


class PacingRequest(BaseModel):
    """What one pacing check is asked to do (validated before any read)."""

    platforms: tuple[str, ...]
    pool: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    tolerance: float = Field(0.05, ge=0, le=1)
    hourly_profile: tuple[float, ...] = FLAT_PROFILE
    min_hour: float = Field(3.0, ge=0, lt=24)
    max_step_meta: float = Field(0.20, gt=0, le=1)
    max_step_other: float = Field(0.30, gt=0, le=1)
    deadband_share: float = Field(0.05, ge=0, lt=1)
    auto_apply: bool = True
    approval_timeout_seconds: int = Field(900, ge=1, le=86400)
    dry_run: bool = False

    @field_validator("hourly_profile")
    @classmethod
    def _profile(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if len(value) != 24 or any(v < 0 for v in value) or sum(value) <= 0:
            raise ValueError("24 non-negative shares of a day's spend, one per local hour "
                             f"from midnight, with a positive sum (got {len(value)} values)")
        return value


class PacingRunResult(BaseModel):
    """What one pacing check saw, trimmed and restored."""

    plan_key: str
    checked: int = 0
    hot: int = 0
    rows: list[dict[str, Any]] = Field(default_factory=list)
    trims: int = 0
    restores: int = 0
    applied: list[str] = Field(default_factory=list)
    rejected: int = 0
    failed: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    resumed: bool = False


def _key(now: dt.datetime, request: PacingRequest) -> str:
    keyed = request.model_dump(mode="json", exclude={"dry_run", "approval_timeout_seconds"})
    return budgets.plan_key(f"{now.astimezone(dt.UTC):%Y-%m-%dT%H}", keyed,
                            kind=PACING_PLAN_KIND)


def _rows(decisions: list[tuple[pacing.Delivery, IntradayDecision, Decimal]]
          ) -> list[dict[str, Any]]:
    return [{"platform": d.pool.entity.platform, "budget": d.pool.entity.entity_id,
             "name": d.pool.entity.name or "", "local_time": f"{d.read.day} "
             f"{int(d.read.hour):02d}:{int(d.read.hour % 1 * 60):02d}",
             "currency": d.pool.currency, "planned": str(planned), "live": str(d.budget),
             "spent": str(d.spent), "projected": "" if x.projected is None else str(x.projected),
             "after": str(x.after), "reasons": ", ".join(r.value for r in x.reasons)}
            for d, x, planned in decisions]


@flow(name="pace-budgets", log_prints=True)
def pace_budgets(  # one typed parameter per UI field
    platforms: list[str] | None = None,
    pool: list[str] | None = None,
    exclude: list[str] | None = None,
    tolerance: Annotated[float, Field(ge=0, le=1)] = 0.05,
    hourly_profile: list[float] | None = None,
    min_hour: Annotated[float, Field(ge=0, lt=24)] = 3.0,
    max_step_meta: Annotated[float, Field(gt=0, le=1)] = 0.20,
    max_step_other: Annotated[float, Field(gt=0, le=1)] = 0.30,
    deadband_share: Annotated[float, Field(ge=0, lt=1)] = 0.05,
    auto_apply: bool = True,
    approval_timeout_seconds: Annotated[int, Field(ge=1, le=86400)] = 900,
    dry_run: bool = False,
) -> PacingRunResult:
    """Trim the budgets running hot against their planned day; restore yesterday's trims.

    Args:
        platforms: ad platforms to check (default: every platform with budget entities).
        pool: only these campaigns or budgets (native id, ``platform:id`` or core id).
        exclude: campaigns or budgets never trimmed (shown, held).
        tolerance: a day projected above its plan by more than this share is trimmed.
        hourly_profile: 24 shares of a day's spend by local hour from midnight (default:
            even delivery); the projection divides the spend so far by the share gone by.
        min_hour: no trims before this many local hours of the account's day.
        max_step_meta: the largest trim of a Meta budget in one check (share).
        max_step_other: the same on the other platforms.
        deadband_share: trims below this share of a budget are not made.
        auto_apply: apply trims and restores at once (else they wait for a person).
        approval_timeout_seconds: how long they wait; then they are rejected.
        dry_run: check and show; record and apply nothing.

    """
    logger = get_run_logger()
    environment = environments.current()
    try:
        request = PacingRequest.model_validate({
            "platforms": tuple(platforms or budgets.budget_platforms()),
            "pool": tuple(pool) if pool is not None else None, "exclude": tuple(exclude or ()),
            "tolerance": tolerance, "hourly_profile": tuple(hourly_profile or FLAT_PROFILE),
            "min_hour": min_hour, "max_step_meta": max_step_meta,
            "max_step_other": max_step_other, "deadband_share": deadband_share,
            "auto_apply": auto_apply, "approval_timeout_seconds": approval_timeout_seconds,
            "dry_run": dry_run})
    except ValidationError as exc:
        raise parameter_error("pace-budgets", exc) from None

    def clock() -> dt.datetime:
        return environment.now(request.platforms[0])

    now = clock()
    key = _key(now, request)
    engine = decision_loop.ledger_engine(environment)
    title = f"Budget pacing at {now.astimezone(dt.UTC):%Y-%m-%d %H}:00 UTC"
    result = PacingRunResult(plan_key=key)
    existing = None if request.dry_run else decision_loop.find_plan(engine, key)
    if existing is not None:
        logger.info("pacing check %s was recorded by an earlier run: continuing it", key)
        return _decide_and_apply(engine, environment, key, title, request, clock,
                                 result.model_copy(update={"resumed": True}))

    inputs = budgets.read_budget_inputs(environment, platforms=request.platforms,
                                        end=now.date() - dt.timedelta(days=1), days=7,
                                        model=None)
    pool_entities, notes = budgets.select_pool(inputs, pool=request.pool,
                                               exclude=request.exclude)
    if not pool_entities:
        raise BudgetRunError("the pool holds no active budget a campaign writer can change")
    open_trims = pacing.trims(engine)
    with decision_loop.writers(environment) as writer_for:
        deliveries = pacing.read_delivery(pool_entities, writer_for)
    restores, restore_notes = pacing.restore_intents(deliveries, open_trims, key=key,
                                                     auto_apply=request.auto_apply)
    restoring = {(i.platform, i.entity_id) for i in restores}
    policy = GuardrailPolicy(step_bound_by_platform={"meta_ads": request.max_step_meta},
                             default_step_bound=request.max_step_other,
                             deadband_share=request.deadband_share)
    by_hour: dict[float, list[pacing.Delivery]] = defaultdict(list)
    for d in deliveries:
        if (d.pool.entity.platform, d.pool.entity.entity_id) not in restoring:
            by_hour[d.read.hour].append(d)
    checked: list[tuple[pacing.Delivery, IntradayDecision, Decimal]] = []
    for hour, group in sorted(by_hour.items()):
        entities = pacing.intraday_entities(group, open_trims)
        decisions = trim_intraday(entities, hour=hour, profile=request.hourly_profile,
                                  policy=policy, tolerance=request.tolerance,
                                  min_hour=request.min_hour)
        planned = {e.entity_id: e.planned for e in entities}
        by_key = {d.pool.key: d for d in group}
        checked += [(by_key[x.entity_id], x, planned[x.entity_id]) for x in decisions]
    trims = pacing.trim_intents([x for _, x, _ in checked], deliveries, key=key,
                                auto_apply=request.auto_apply)
    rows = _rows(checked)
    if rows:
        create_table_artifact(rows, key="budget-pacing",
                              description=f"{title}: spend so far against the planned day")
    hot = sum(1 for _, x, _ in checked if x.reasons)  # held or trimmed: running hot
    result = result.model_copy(update={
        "checked": len(checked), "hot": hot, "rows": rows, "trims": len(trims),
        "restores": len(restores), "notes": notes + restore_notes})
    logger.info("%s: %d budget(s) checked, %d running hot, %d trim(s), %d restore(s)",
                title, len(checked), hot, len(trims), len(restores))
    intents = restores + trims
    if request.dry_run or not intents:
        return result
    decision_loop.record(engine, pacing.pacing_plan(key, title, {
        "tolerance": request.tolerance, "min_hour": request.min_hour}), intents, now=now,
        run_id=str(flow_run.get_id() or uuid.uuid4()))
    return _decide_and_apply(engine, environment, key, title, request, clock, result)


def _decide_and_apply(engine: Any, environment: environments.Environment, key: str,
                      title: str, request: PacingRequest, clock: Any,
                      result: PacingRunResult) -> PacingRunResult:
    outcome = decision_loop.run_decision_loop(
        engine, environment, key, title, clock=clock,
        timeout_seconds=request.approval_timeout_seconds, artifact_prefix="pacing")
    pacing.close_restored(engine, outcome.intents, now=clock())
    report = outcome.report
    return result.model_copy(update={
        "applied": report.applied + report.reconciled,
        "rejected": len(outcome.decision.rejected), "failed": report.failed})
