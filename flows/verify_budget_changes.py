"""Verify applied budget changes against their prediction and a control; revert what hurt.

One run (daily, after the reallocation): every applied budget change between
``min_age_days`` and ``max_age_days`` old is judged on the warehouse's daily history (the
entity's value before and after the change, against comparable untouched budgets of the same
platform). The verdicts are a table artifact. A change that clearly hurt gets a revert intent
that goes through the decision loop like any plan (approval unless ``auto_apply_reverts``),
and, once applied, the original is marked ``reverted`` in the ledger. A re-run on the same
day continues the revert plan it recorded rather than recording another.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run
from pydantic import BaseModel, Field

from marketing.budgets.verify import VerifyPolicy
from resources import environment as environments
from tasks import budgets, decision_loop, verify_budgets

__all__ = ["VerifyRunResult", "verify_budget_changes"]


class VerifyRunResult(BaseModel):
    """What one verification run judged and reverted."""

    judged: int
    verdicts: dict[str, int] = Field(default_factory=dict)
    rows: list[dict[str, object]] = Field(default_factory=list)
    reverts_proposed: int = 0
    reverted: list[str] = Field(default_factory=list)
    plan_key: str | None = None


@flow(name="verify-budget-changes", log_prints=True)
def verify_budget_changes(
    min_age_days: Annotated[int, Field(ge=1, le=90)] = 7,
    max_age_days: Annotated[int, Field(ge=1, le=180)] = 28,
    pre_days: Annotated[int, Field(ge=3, le=90)] = 14,
    post_days: Annotated[int, Field(ge=3, le=90)] = 7,
    min_post_days: Annotated[int, Field(ge=1, le=90)] = 3,
    attribution_model: str | None = "markov",
    z: Annotated[float, Field(gt=0, le=5)] = 1.96,
    target_roas: Annotated[float, Field(ge=0)] = 1.0,
    auto_apply_reverts: bool = False,
    approval_timeout_seconds: Annotated[int, Field(ge=1, le=604800)] = 4 * 3600,
    dry_run: bool = False,
) -> VerifyRunResult:
    """Judge the budget changes applied ``min_age_days``..``max_age_days`` ago; revert harm.

    Args:
        min_age_days: a change is judged once this old (its post-period must be reported).
        max_age_days: changes older than this are not judged again.
        pre_days: days before the change compared.
        post_days: days after the change compared (the change day itself is left out, and
            the period ends before a later change of the same budget).
        min_post_days: fewer days after the change than this: ``too_early``.
        attribution_model: the model calibrating value (empty: platform-reported value).
        z: the interval's width in standard errors (1.96: about 95 %).
        target_roas: what each unit of moved spend had to earn (1.0: break-even).
        auto_apply_reverts: revert without asking a person.
        approval_timeout_seconds: how long a proposed revert waits for a person.
        dry_run: judge and show; propose and apply nothing.

    """
    if min_age_days > max_age_days:
        raise ValueError(f"min_age_days {min_age_days} is above max_age_days {max_age_days}")
    logger = get_run_logger()
    environment = environments.current()
    platforms = budgets.budget_platforms()

    def clock() -> dt.datetime:
        return environment.now(platforms[0])

    now = clock()
    engine = decision_loop.ledger_engine(environment)
    key = budgets.plan_key(now.date(), {"kind": "verify", "min": min_age_days,
                                        "max": max_age_days})
    existing = decision_loop.find_plan(engine, key)  # a re-run today continues its plan
    due = verify_budgets.changes_to_verify(engine, now=now, min_age_days=min_age_days,
                                           max_age_days=max_age_days)
    result = VerifyRunResult(judged=0)
    reverts = []
    if due:
        days = max_age_days + pre_days + 1
        inputs = budgets.read_budget_inputs(
            environment, platforms=sorted({i.platform for i in due}),
            end=now.date() - dt.timedelta(days=1), days=days, model=attribution_model or None)
        judged = verify_budgets.judge(
            inputs.history, due, changed=budgets.applied_changes(engine),
            pre_days=pre_days, post_days=post_days,
            policy=VerifyPolicy(z=z, min_post_days=min(min_post_days, post_days),
                                target_roas=target_roas))
        rows = verify_budgets.verdict_rows(judged)
        create_table_artifact(
            rows, key="budget-verification",
            description="Applied budget changes against prediction and control")
        reverts = verify_budgets.revert_intents(judged, key=key, auto_apply=auto_apply_reverts)
        result = VerifyRunResult(
            judged=len(judged), rows=rows, reverts_proposed=len(reverts),
            verdicts=dict(Counter(j.verification.verdict for j in judged)))
    else:
        logger.info("no applied budget change is %d..%d days old", min_age_days, max_age_days)
    if dry_run or not (reverts or existing):
        return result
    if existing is None:
        decision_loop.record(
            engine, budgets.new_plan(key, f"Revert budget changes that hurt ({now.date()})",
                                     {"kind": "verify"}, "verification"),
            reverts, now=now, run_id=str(flow_run.get_id() or uuid.uuid4()))
    outcome = decision_loop.run_decision_loop(
        engine, environment, key, "Revert budget changes that hurt", clock=clock,
        timeout_seconds=approval_timeout_seconds, artifact_prefix="budget")
    reverted = verify_budgets.mark_reverted(engine, outcome.intents, now=clock())
    return result.model_copy(update={"reverted": sorted(reverted), "plan_key": key})
