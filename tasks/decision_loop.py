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

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from sqlalchemy.engine import Engine

from connectors.campaign_writes import CampaignWriter
from resources.environment import Environment
from store import changes, create_schema, create_store_engine
from store.changes import IntentRow, NewIntent, NewPlan
from tasks.apply_changes import ApplyReport, apply_intents
from tasks.approval import Decision, approve_within_policy, request_approval, short_id

__all__ = ["LoopOutcome", "find_plan", "intent_rows", "ledger_engine", "publish_outcome",
           "record", "run_decision_loop", "writers"]


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
    clock: Callable[[], datetime], timeout_seconds: int, poll_interval_seconds: int | None = None,
    writer_for: Callable[[str], CampaignWriter] | None = None, artifact_prefix: str = "changes",
) -> LoopOutcome:
    """Decide and apply the recorded plan ``plan_key``; leave the outcome as artifacts.

    The artifacts are keyed ``<artifact_prefix>-apply`` and ``<artifact_prefix>-changes``.
    The pause polls every ``poll_interval_seconds`` (default: a tenth of the timeout, 1-10 s).

    The auto-apply policy approves what needs no person; the rest waits for an answer in the
    Prefect UI (the flow run pauses). Then every approved intent is applied once.
    """
    recorded = changes.get_plan(engine, plan_key)
    auto = approve_within_policy(engine, recorded.intents, now=clock())
    poll = poll_interval_seconds or max(1, min(10, timeout_seconds // 10))
    decision = request_approval(engine, title, changes.get_plan(engine, plan_key).intents,
                                clock=clock, timeout_seconds=timeout_seconds,
                                poll_interval_seconds=poll)
    intents = changes.get_plan(engine, plan_key).intents
    report = _apply(engine, environment, intents, clock, writer_for)
    final = changes.get_plan(engine, plan_key).intents
    publish_outcome(final, decision, report, prefix=artifact_prefix)
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


def intent_rows(intents: Sequence[IntentRow]) -> list[dict[str, Any]]:
    """Return one row per ledger intent: its short id, the change and where it stands."""
    return [{"id": short_id(i), "platform": i.platform, "level": i.level,
             "entity": i.entity_id, "before": i.before or "", "after": i.after,
             "currency": i.currency or "", "needs_approval": i.needs_approval,
             "status": i.status, "decided_by": i.decided_by or "",
             "observed": i.observed or "", "error": i.error or ""} for i in intents]


def publish_outcome(intents: Sequence[IntentRow], decision: Decision | None,
                    report: ApplyReport | None, *, prefix: str) -> None:
    """Leave the decision and the apply's outcome (per intent) on the run's page.

    The artifacts' keys are ``<prefix>-apply`` and ``<prefix>-changes``.
    """
    lines = [f"# Changes ({prefix}): decision and apply", ""]
    if decision is not None and (decision.approved or decision.rejected):
        lines.append(f"Decided by **{decision.by}**: {len(decision.approved)} approved, "
                     f"{len(decision.rejected)} rejected"
                     + (" (no answer before the timeout)" if decision.timed_out else "")
                     + (f". Comment: {decision.comment}" if decision.comment else "") + ".")
    if report is not None:
        lines.append(f"Applied {len(report.applied)}, already at target {len(report.skipped)}, "
                     f"reconciled after a kill {len(report.reconciled)}, failed "
                     f"{len(report.failed)}, rolled back {len(report.compensated)}.")
        lines += [f"- failed `{k}`: {why}" for k, why in report.failed.items()]
        if report.compensated:
            lines.append("A write failed part-way: the changes this run had applied were "
                         "written back to their previous budgets (compensated).")
    create_markdown_artifact("\n".join(lines), key=f"{prefix}-apply",
                             description="What was decided and applied")
    if intents:
        create_table_artifact(intent_rows(intents), key=f"{prefix}-changes",
                              description="Every change of the plan, as the ledger holds it")
