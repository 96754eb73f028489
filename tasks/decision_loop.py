"""The decision loop every writer flow shares: record a plan, decide, apply, report.

Budgets use it today; creatives and audiences will. Call :func:`run_decision_loop` from a
flow body (it may pause the flow run for a person's answer).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from connectors.campaign_writes import CampaignWriter
from resources.environment import Environment
from store import changes, create_schema, create_store_engine
from store.changes import IntentRow, NewIntent, NewPlan
from tasks.apply_changes import ApplyReport, apply_intents
from tasks.approval import Decision, approve_within_policy, request_approval
from tasks.budget_artifacts import publish_outcome

__all__ = ["LoopOutcome", "find_plan", "ledger_engine", "record", "run_decision_loop",
           "writers"]


@dataclass(frozen=True)
class LoopOutcome:
    """Where a plan ended: its intents as the ledger holds them, the decision, the apply."""

    intents: tuple[IntentRow, ...]
    decision: Decision
    report: ApplyReport
    auto_approved: frozenset[str]

    def keys(self, status: str) -> list[str]:
        """Return the intent keys now in ``status``."""
        return [i.intent_key for i in self.intents if i.status == status]


def ledger_engine(environment: Environment) -> Engine:
    """Return the operational store's engine with its schema in place."""
    engine = create_store_engine(environment.store_url)
    create_schema(engine)
    return engine


def find_plan(engine: Engine, plan_key: str) -> changes.RecordedPlan | None:
    """Return the plan recorded under ``plan_key``, or None."""
    try:
        return changes.get_plan(engine, plan_key)
    except changes.ChangePlanError:
        return None


def record(engine: Engine, plan: NewPlan, intents: Sequence[NewIntent], *, now: datetime,
           run_id: str | None) -> changes.RecordedPlan:
    """Record ``plan`` with its intents (a plan key recorded before is returned as it stands)."""
    return changes.record_plan(engine, plan, intents, now=now, run_id=run_id)


@contextlib.contextmanager
def writers(environment: Environment) -> Iterator[Callable[[str], CampaignWriter]]:
    """Yield ``platform -> writer``, each built once and closed when the block ends."""
    opened: dict[str, CampaignWriter] = {}

    def writer_for(platform: str) -> CampaignWriter:
        if platform not in opened:
            opened[platform] = environment.campaign_writer(platform)
        return opened[platform]

    try:
        yield writer_for
    finally:
        for writer in opened.values():
            writer.close()


def run_decision_loop(
    engine: Engine, environment: Environment, plan_key: str, title: str, *,
    clock: Callable[[], datetime], timeout_seconds: int, poll_interval_seconds: int = 10,
    writer_for: Callable[[str], CampaignWriter] | None = None,
) -> LoopOutcome:
    """Decide and apply the recorded plan ``plan_key``; leave the outcome as artifacts.

    The auto-apply policy approves what needs no person; the rest waits for an answer in the
    Prefect UI (the flow run pauses). Then every approved intent is applied once.
    """
    recorded = changes.get_plan(engine, plan_key)
    auto = approve_within_policy(engine, recorded.intents, now=clock())
    decision = request_approval(engine, title, changes.get_plan(engine, plan_key).intents,
                                clock=clock, timeout_seconds=timeout_seconds,
                                poll_interval_seconds=poll_interval_seconds)
    intents = changes.get_plan(engine, plan_key).intents
    report = _apply(engine, environment, intents, clock, writer_for)
    final = changes.get_plan(engine, plan_key).intents
    publish_outcome(final, decision, report)
    return LoopOutcome(final, decision, report, frozenset(auto))


def _apply(engine: Engine, environment: Environment, intents: Sequence[IntentRow],
           clock: Callable[[], datetime],
           writer_for: Callable[[str], CampaignWriter] | None) -> ApplyReport:
    if not any(i.status in ("approved", "applying", "failed") for i in intents):
        return ApplyReport()
    if writer_for is not None:
        return apply_intents(engine, intents, writer_for, clock=clock)
    with writers(environment) as opened:
        return apply_intents(engine, intents, opened, clock=clock)


def describe(outcome: LoopOutcome) -> dict[str, Any]:
    """Return the outcome's counts for a run's result."""
    r = outcome.report
    return {"applied": list(r.applied), "skipped": list(r.skipped),
            "failed": dict(r.failed), "compensated": list(r.compensated),
            "reconciled": list(r.reconciled)}
