"""The change ledger: every plan of changes to the ad platforms, each intent's decision and fate.

A writer flow (budgets now; creatives and audiences later) records its plan first
(``record_plan``: idempotent on the plan key, so a re-run of the same day finds the plan it
made), then decides (``decide``: a person through the Prefect UI, or the auto-apply policy),
then applies intent by intent (``claim`` -> write -> ``finish``), and later verifies
(``mark_reverted`` when a change clearly hurt). Every status move is a compare-and-set on
the row's current status, so two runs, or a run and its re-run after a kill, never both
apply one intent::

    proposed ──decide──> approved ──claim──> applying ──finish──> applied ──> compensated
        │                   ▲                    │                   │        (rolled back)
        └──decide──> rejected │                   ├──finish──> skipped └──> reverted
                              └──── release ──────┤           (already at target)
                                                  └──finish──> failed ──claim──> applying

A run killed between ``claim`` and ``finish`` leaves the intent ``applying``. The next run
finds it with ``list_intents(status="applying")`` and reconciles it by reading the live value
(the write sets an absolute value, so writing it again is harmless, and reading it back says
whether the first write landed): ``finish`` it as applied when the platform holds ``after``,
or ``release`` it back to ``approved`` when it still holds ``before``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.engine import translate_errors
from store.errors import StoreError
from store.schema import change_intents, change_plans

__all__ = [
    "TRANSITIONS",
    "ChangePlanError",
    "IntentRow",
    "NewIntent",
    "NewPlan",
    "PlanRow",
    "RecordedPlan",
    "claim",
    "decide",
    "finish",
    "get_plan",
    "list_intents",
    "mark_compensated",
    "mark_reverted",
    "record_plan",
    "release",
]

_MAX_TEXT = 2000
_CHUNK = 500

IntentStatus = Literal["proposed", "approved", "rejected", "applying", "applied", "skipped",
                       "failed", "compensated", "reverted"]
Outcome = Literal["applied", "skipped", "failed"]

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "rejected"}),
    "approved": frozenset({"applying"}),
    "applying": frozenset({"applied", "skipped", "failed", "approved"}),
    "failed": frozenset({"applying"}),
    "applied": frozenset({"compensated", "reverted"}),
    "rejected": frozenset(),
    "skipped": frozenset(),
    "compensated": frozenset(),
    "reverted": frozenset(),
}
"""From each status, the statuses an intent may move to (everything else is refused)."""


class ChangePlanError(StoreError):
    """A plan or intent was used against the ledger's rules: a caller's bug, not transient.

    For example an unknown key, or a plan key recorded again with other intents.
    """


@dataclass(frozen=True)
class NewIntent:
    """One change to record: set ``field`` of one entity from ``before`` to ``after``.

    Attributes:
        intent_key: unique across plans (e.g. the plan key, platform, entity and field).
        platform: ``meta_ads``, ``google_ads``...
        account_id: the ad account.
        level: the level the platform writes (``campaign``, ``ad_set``...).
        entity_id: the entity's id on the platform.
        field: ``daily_budget`` or ``status``.
        before: the value the plan saw (text: a decimal string or a status name).
        after: the value to set.
        currency: the account currency of a budget.
        reason: why, for the person approving (one line).
        evidence: what the decision rests on (curve parameters, marginal ROAS, data days).
        expected: the predicted effect (e.g. value per day before and after).
        needs_approval: False when the auto-apply policy allows it without a person.
        reverts_key: the intent this one undoes (verification reverts), if any.

    """

    intent_key: str
    platform: str
    account_id: str
    level: str
    entity_id: str
    field: str
    before: str | None
    after: str
    reason: str
    currency: str | None = None
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    expected: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    needs_approval: bool = True
    reverts_key: str | None = None


@dataclass(frozen=True)
class NewPlan:
    """A plan to record: its idempotency key, kind, a title and the parameters it ran with."""

    plan_key: str
    kind: str
    title: str
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class PlanRow:
    """One recorded plan."""

    id: int
    plan_key: str
    kind: str
    title: str
    parameters: dict[str, Any]
    created_at: datetime
    run_id: str | None


@dataclass(frozen=True)
class IntentRow:
    """One recorded intent, as the ledger holds it now."""

    id: int
    plan_id: int
    intent_key: str
    platform: str
    account_id: str
    level: str
    entity_id: str
    field: str
    before: str | None
    after: str
    currency: str | None
    reason: str
    evidence: dict[str, Any]
    expected: dict[str, Any]
    needs_approval: bool
    status: str
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
    attempts: int
    claimed_at: datetime | None
    finished_at: datetime | None
    observed: str | None
    error: str | None
    reverts_key: str | None
    updated_at: datetime


@dataclass(frozen=True)
class RecordedPlan:
    """What ``record_plan`` found: the plan, its intents, and whether it was new."""

    plan: PlanRow
    intents: tuple[IntentRow, ...]
    inserted: bool


def _chunks(keys: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield list(keys[start : start + _CHUNK])


def record_plan(
    engine: Engine, plan: NewPlan, intents: Sequence[NewIntent], *, now: datetime,
    run_id: str | None = None,
) -> RecordedPlan:
    """Record ``plan`` and its intents (status ``proposed``) in one transaction.

    Recording the same plan key again records nothing and returns the plan as it stands
    (its intents may have moved on since): a re-run continues the plan it made.

    Raises:
        ChangePlanError: the plan key exists with other intent keys (the same key was used
            for a different plan), or an intent key is used twice or by another plan.
        StoreUnavailableError: nothing was recorded.

    """
    keys = [i.intent_key for i in intents]
    if len(set(keys)) != len(keys):
        raise ChangePlanError(f"plan {plan.plan_key!r} names an intent key twice")
    with translate_errors(engine, "recording a change plan"), engine.begin() as connection:
        found = _plan_row(connection, plan.plan_key)
        if found is not None:
            rows = _intent_rows(connection, plan_id=found.id)
            if sorted(r.intent_key for r in rows) != sorted(keys):
                raise ChangePlanError(
                    f"plan {plan.plan_key!r} was recorded before with other changes "
                    f"({len(rows)} recorded, {len(keys)} now): use a new plan key")
            return RecordedPlan(found, tuple(rows), inserted=False)
        taken = _taken_keys(connection, keys)
        if taken:
            raise ChangePlanError(
                f"intent keys already belong to another plan: {', '.join(sorted(taken)[:5])}")
        plan_id = connection.execute(
            sa.insert(change_plans).values(
                plan_key=plan.plan_key, kind=plan.kind, title=plan.title[:255],
                parameters=dict(plan.parameters), created_at=now, run_id=run_id,
            ).returning(change_plans.c.id)
        ).scalar_one()
        if intents:
            connection.execute(sa.insert(change_intents), [
                {"plan_id": plan_id, "intent_key": i.intent_key, "platform": i.platform,
                 "account_id": i.account_id, "level": i.level, "entity_id": i.entity_id,
                 "field": i.field, "before": i.before, "after": i.after,
                 "currency": i.currency, "reason": i.reason[:_MAX_TEXT],
                 "evidence": dict(i.evidence), "expected": dict(i.expected),
                 "needs_approval": i.needs_approval, "status": "proposed",
                 "reverts_key": i.reverts_key, "attempts": 0, "updated_at": now}
                for i in intents
            ])
        stored = _plan_row(connection, plan.plan_key)
        assert stored is not None
        return RecordedPlan(stored, tuple(_intent_rows(connection, plan_id=plan_id)),
                            inserted=True)


def _taken_keys(connection: sa.Connection, keys: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(keys):
        taken.update(str(k) for k in connection.execute(
            sa.select(change_intents.c.intent_key)
            .where(change_intents.c.intent_key.in_(chunk))).scalars())
    return taken


def _plan_row(connection: sa.Connection, plan_key: str) -> PlanRow | None:
    row = connection.execute(
        sa.select(change_plans).where(change_plans.c.plan_key == plan_key)
    ).mappings().first()
    if row is None:
        return None
    return PlanRow(**{c.name: row[c.name] for c in change_plans.columns})


def _intent_rows(
    connection: sa.Connection, *, plan_id: int | None = None, status: str | None = None,
    keys: Sequence[str] | None = None, platform: str | None = None,
    entity_id: str | None = None,
) -> list[IntentRow]:
    query = sa.select(change_intents).order_by(change_intents.c.id)
    if plan_id is not None:
        query = query.where(change_intents.c.plan_id == plan_id)
    if status is not None:
        query = query.where(change_intents.c.status == status)
    if platform is not None:
        query = query.where(change_intents.c.platform == platform)
    if entity_id is not None:
        query = query.where(change_intents.c.entity_id == entity_id)
    if keys is not None:
        rows: list[IntentRow] = []
        for chunk in _chunks(list(keys)):
            rows.extend(_as_intent(r) for r in connection.execute(
                query.where(change_intents.c.intent_key.in_(chunk))).mappings())
        return sorted(rows, key=lambda r: r.id)
    return [_as_intent(r) for r in connection.execute(query).mappings()]


def _as_intent(row: sa.RowMapping) -> IntentRow:
    values = {c.name: row[c.name] for c in change_intents.columns}
    values["needs_approval"] = bool(values["needs_approval"])
    return IntentRow(**values)


def get_plan(engine: Engine, plan_key: str) -> RecordedPlan:
    """Return the plan ``plan_key`` with its intents as they stand.

    Raises:
        ChangePlanError: no plan has that key.

    """
    with translate_errors(engine, "reading a change plan"), engine.connect() as connection:
        plan = _plan_row(connection, plan_key)
        if plan is None:
            raise ChangePlanError(f"no change plan {plan_key!r}")
        return RecordedPlan(plan, tuple(_intent_rows(connection, plan_id=plan.id)),
                            inserted=False)


def list_intents(
    engine: Engine, *, plan_key: str | None = None, status: str | None = None,
    platform: str | None = None, entity_id: str | None = None,
) -> list[IntentRow]:
    """Return intents (of one plan, status, platform or entity), in the order recorded."""
    with translate_errors(engine, "listing change intents"), engine.connect() as connection:
        plan_id = None
        if plan_key is not None:
            plan = _plan_row(connection, plan_key)
            if plan is None:
                return []
            plan_id = plan.id
        return _intent_rows(connection, plan_id=plan_id, status=status, platform=platform,
                            entity_id=entity_id)


def _move(
    engine: Engine, keys: Collection[str], *, sources: tuple[str, ...], to: str, doing: str,
    now: datetime, **values: Any,
) -> set[str]:
    """Move each of ``keys`` from one of ``sources`` to ``to``; return the keys moved."""
    assert all(to in TRANSITIONS[source] for source in sources), (sources, to)
    ordered = list(dict.fromkeys(keys))
    moved: set[str] = set()
    with translate_errors(engine, doing), engine.begin() as connection:
        for key in ordered:
            result = connection.execute(
                sa.update(change_intents)
                .where(change_intents.c.intent_key == key,
                       change_intents.c.status.in_(sources))
                .values(status=to, updated_at=now, **values)
            )
            if result.rowcount:
                moved.add(key)
        missing = set(ordered) - moved - _taken_keys(connection, ordered)
    if missing:
        raise ChangePlanError(f"no change intent {sorted(missing)[0]!r}")
    return moved


def decide(
    engine: Engine, *, approve: Collection[str] = (), reject: Collection[str] = (),
    by: str, now: datetime, comment: str | None = None,
) -> tuple[set[str], set[str]]:
    """Approve and reject proposed intents; return the keys approved and rejected now.

    Only ``proposed`` intents move: a decision arriving twice, or for an intent another
    run already decided, changes nothing (and is not in the returned sets).

    Raises:
        ChangePlanError: a key is in both lists, or names no intent.

    """
    both = set(approve) & set(reject)
    if both:
        raise ChangePlanError(f"intent {sorted(both)[0]!r} is both approved and rejected")
    note = None if comment is None else comment[:_MAX_TEXT]
    approved = _move(engine, approve, sources=("proposed",), to="approved",
                     doing="approving changes", now=now,
                     decided_by=by[:255], decided_at=now, comment=note)
    rejected = _move(engine, reject, sources=("proposed",), to="rejected",
                     doing="rejecting changes", now=now,
                     decided_by=by[:255], decided_at=now, comment=note)
    return approved, rejected


def claim(engine: Engine, intent_key: str, *, now: datetime) -> bool:
    """Take an approved (or failed) intent for applying; False when another run has it.

    Counts an attempt. Only the run that claimed an intent may write it.
    """
    moved = _move(engine, [intent_key], sources=("approved", "failed"), to="applying",
                  doing="claiming a change", now=now, claimed_at=now,
                  attempts=change_intents.c.attempts + 1)
    return intent_key in moved


def finish(
    engine: Engine, intent_key: str, outcome: Outcome, *, now: datetime,
    observed: str | None = None, error: str | None = None,
) -> bool:
    """Record how applying a claimed intent ended: ``applied``, ``skipped`` or ``failed``.

    Args:
        engine: the store.
        intent_key: the claimed intent.
        outcome: applied (the platform now holds ``after``), skipped (it already did, no
            write), failed (the write did not land; a later run may claim it again).
        now: when.
        observed: the value read back from the platform.
        error: why it failed.

    Returns:
        False when the intent was not ``applying`` (nothing changed).

    """
    moved = _move(engine, [intent_key], sources=("applying",), to=outcome,
                  doing=f"marking a change {outcome}", now=now, finished_at=now, observed=observed,
                  error=None if error is None else error[:_MAX_TEXT])
    return intent_key in moved


def release(engine: Engine, intent_key: str, *, now: datetime, observed: str | None = None
            ) -> bool:
    """Hand a claimed intent back (``applying`` -> ``approved``): its write did not land.

    For the reconciliation of a run killed between ``claim`` and ``finish``: the platform
    still holds ``before``, so the next apply writes it.
    """
    moved = _move(engine, [intent_key], sources=("applying",), to="approved",
                  doing="releasing a change", now=now, observed=observed)
    return intent_key in moved


def mark_compensated(engine: Engine, keys: Collection[str], *, now: datetime, note: str
                     ) -> set[str]:
    """Record that applied intents were rolled back to ``before`` after a later failure."""
    return _move(engine, keys, sources=("applied",), to="compensated",
                 doing="marking changes compensated", now=now, error=note[:_MAX_TEXT])


def mark_reverted(engine: Engine, keys: Collection[str], *, now: datetime, note: str
                  ) -> set[str]:
    """Record that applied intents were undone by verification (a change that hurt)."""
    return _move(engine, keys, sources=("applied",), to="reverted",
                 doing="marking changes reverted", now=now, error=note[:_MAX_TEXT])
