"""Apply a plan's approved intents through the campaign writers, once each, or not at all.

For every intent of the plan, in the order recorded:

1. An intent left ``applying`` by a run that was killed is reconciled first: the live value
   says whether its write landed (``applied``) or not (released to ``approved``, written
   below).
2. ``claim`` it (a compare-and-set in the ledger: a concurrent run gets nothing).
3. Read the live value: already at ``after`` -> ``skipped``; neither ``before`` nor
   ``after`` (somebody changed it since the plan) -> ``failed``, never overwritten.
4. Write it, read it back, record ``applied`` with the value read.

When a write fails, or its read-back disagrees, the intents this run applied are rolled
back to their ``before`` values (compensating writes, recorded ``compensated``) and the
rest are left ``approved`` for a later run: a plan is never left half-applied by one run.
The ledger's compare-and-set moves make a re-run safe at any point: nothing is applied twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Engine

from connectors.campaign_writes import CampaignChange, CampaignWriter, EntityState
from store import changes
from store.changes import IntentRow

__all__ = ["ApplyReport", "apply_intents"]


@dataclass
class ApplyReport:
    """What one apply did, by intent key."""

    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    compensated: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    not_claimed: list[str] = field(default_factory=list)
    left_approved: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed (and so nothing was rolled back)."""
        return not self.failed


def _value(state: EntityState | None, intent: IntentRow) -> str | None:
    """Return the live value of the intent's field, as text in the ledger's terms."""
    if state is None:
        return None
    value: Any = state.daily_budget if intent.field == "daily_budget" else state.status
    return None if value is None else str(value)


def _same(intent: IntentRow, live: str | None, wanted: str | None) -> bool:
    if live is None or wanted is None:
        return live == wanted
    if intent.field != "daily_budget":
        return live == wanted
    try:
        return Decimal(live) == Decimal(wanted)
    except InvalidOperation:
        return False


def _change(intent: IntentRow, value: str) -> CampaignChange:
    if intent.field == "daily_budget":
        return CampaignChange(intent.account_id, intent.entity_id, intent.level,
                              daily_budget=Decimal(value), currency=intent.currency)
    if value == "ACTIVE":
        return CampaignChange(intent.account_id, intent.entity_id, intent.level, status="ACTIVE")
    if value == "PAUSED":
        return CampaignChange(intent.account_id, intent.entity_id, intent.level, status="PAUSED")
    raise ValueError(f"intent {intent.intent_key}: status {value!r} is not ACTIVE/PAUSED")


def _live(writer: CampaignWriter, intent: IntentRow) -> str | None:
    states = writer.current(intent.account_id, [intent.entity_id], level=intent.level)
    return _value(states.get(intent.entity_id), intent)


def apply_intents(
    engine: Engine,
    intents: Sequence[IntentRow],
    writer_for: Callable[[str], CampaignWriter],
    *,
    clock: Callable[[], datetime],
) -> ApplyReport:
    """Apply the approved (and earlier failed) ``intents`` once each; see the module docstring.

    Args:
        engine: the store holding the change ledger.
        intents: the plan's intents as last read (their statuses are re-checked by each move).
        writer_for: the campaign writer of a platform (kept open for the whole apply).
        clock: the time recorded on each move.

    Returns:
        What happened to each intent. Connector errors never escape: a failed write is in
        ``failed`` with its reason, and what this run applied before it is compensated.

    """
    report = ApplyReport()
    done: list[tuple[IntentRow, str | None]] = []  # applied by this run, with before as read
    for position, intent in enumerate(intents):
        writer = writer_for(intent.platform)
        if intent.status == "applying":
            live = _live(writer, intent)
            if _same(intent, live, intent.after):
                changes.finish(engine, intent.intent_key, "applied", now=clock(), observed=live)
                report.reconciled.append(intent.intent_key)
                continue
            changes.release(engine, intent.intent_key, now=clock(), observed=live)
        elif intent.status not in ("approved", "failed"):
            continue
        if not changes.claim(engine, intent.intent_key, now=clock()):
            report.not_claimed.append(intent.intent_key)
            continue
        error = _apply_one(engine, writer, intent, report, clock)
        if error is None:
            if report.applied and report.applied[-1] == intent.intent_key:
                done.append((intent, intent.before))
            continue
        report.failed[intent.intent_key] = error
        _compensate(engine, done, writer_for, report, clock, cause=intent.intent_key)
        report.left_approved.extend(
            i.intent_key for i in intents[position + 1:] if i.status == "approved")
        break
    return report


def _apply_one(
    engine: Engine, writer: CampaignWriter, intent: IntentRow, report: ApplyReport,
    clock: Callable[[], datetime],
) -> str | None:
    """Write one claimed intent; return why it failed (None: applied or skipped)."""
    key = intent.intent_key
    try:
        live = _live(writer, intent)
        if _same(intent, live, intent.after):
            changes.finish(engine, key, "skipped", now=clock(), observed=live)
            report.skipped.append(key)
            return None
        if live is None:
            error = f"{intent.platform} {intent.level} {intent.entity_id} was not found"
        elif not _same(intent, live, intent.before):
            error = (f"{intent.field} of {intent.entity_id} is {live} on {intent.platform}, "
                     f"not {intent.before} as planned: changed since the plan, left alone")
        else:
            outcome = writer.apply([_change(intent, intent.after)])[0]
            if not outcome.applied:
                error = f"{outcome.result}: {outcome.reason}"
            else:
                observed = _live(writer, intent)
                if _same(intent, observed, intent.after):
                    changes.finish(engine, key, "applied", now=clock(), observed=observed)
                    report.applied.append(key)
                    return None
                error = f"read back {observed}, not {intent.after}"
    except Exception as exc:  # a connector error, or a bad value in the ledger row
        error = f"{type(exc).__name__}: {exc}"
    changes.finish(engine, key, "failed", now=clock(), error=error)
    return error


def _compensate(
    engine: Engine, done: Sequence[tuple[IntentRow, str | None]],
    writer_for: Callable[[str], CampaignWriter], report: ApplyReport,
    clock: Callable[[], datetime], *, cause: str,
) -> None:
    """Write ``before`` back for each intent this run applied, newest first."""
    for intent, before in reversed(done):
        if before is None:
            continue
        writer = writer_for(intent.platform)
        try:
            outcome = writer.apply([_change(intent, before)])[0]
        except Exception as exc:  # keep rolling back the others
            report.failed[f"{intent.intent_key} (rollback)"] = f"{type(exc).__name__}: {exc}"
            continue
        if outcome.applied:
            changes.mark_compensated(engine, [intent.intent_key], now=clock(),
                                     note=f"rolled back after {cause} failed")
            report.compensated.append(intent.intent_key)
        else:
            report.failed[f"{intent.intent_key} (rollback)"] = (
                f"{outcome.result}: {outcome.reason}")
