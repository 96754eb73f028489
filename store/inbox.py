"""The webhook inbox: deliveries accepted by the gateway, kept until Prefect has them.

A delivery is written here (``add_deliveries``) before the gateway answers the sender 2xx,
so an answered delivery survives any crash after it. Forwarders then ``claim_unforwarded``
rows (a lease: other forwarders skip them until it expires, so a crashed forwarder's rows
come back), post them, and ``mark_forwarded`` or ``mark_failed`` (which counts the attempt,
keeps the error and sets when the row may be tried again).

``(source, delivery_id)`` is unique: the same delivery posted twice, or ten times at once,
is one row, and the later posts learn they were duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from store.engine import translate_errors
from store.schema import inbox

__all__ = [
    "AddOutcome",
    "InboxRow",
    "NewDelivery",
    "add_deliveries",
    "claim_unforwarded",
    "get_delivery",
    "inbox_backlog",
    "mark_failed",
    "mark_forwarded",
]

_MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class NewDelivery:
    """A verified delivery to store.

    Attributes:
        source: who sent it (``hubspot``, ``meta``, ``shopify``, ``webform``).
        delivery_id: the sender's id for it, unique per source (the dedupe key).
        topic: what the sender says happened (``contact.creation``, ``orders/create``...).
        event_name: the Prefect event it becomes.
        event_id: the Prefect event id, derived from source and delivery id.
        payload: the event payload (JSON values only).
        body: the delivery's JSON as received (for batching senders, its element).
        received_at: when the gateway accepted it (aware).

    """

    source: str
    delivery_id: str
    topic: str
    event_name: str
    event_id: UUID
    payload: dict[str, Any]
    body: str
    received_at: datetime

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")


@dataclass(frozen=True)
class AddOutcome:
    """What happened to one delivery passed to ``add_deliveries``."""

    delivery: NewDelivery
    inserted: bool
    row_id: int | None


@dataclass(frozen=True)
class InboxRow:
    """One stored delivery and its forwarding state."""

    id: int
    source: str
    delivery_id: str
    topic: str
    event_name: str
    event_id: UUID
    payload: dict[str, Any]
    body: str
    received_at: datetime
    available_at: datetime
    forwarded_at: datetime | None
    attempts: int
    last_error: str | None


def _row(mapping: sa.RowMapping) -> InboxRow:
    return InboxRow(**{column.name: mapping[column.name] for column in inbox.columns})


def _insert(engine: Engine) -> Any:
    if engine.dialect.name == "postgresql":
        return postgresql.insert(inbox).on_conflict_do_nothing()
    if engine.dialect.name == "sqlite":
        return sqlite.insert(inbox).on_conflict_do_nothing()
    raise NotImplementedError(
        f"the inbox supports SQLite and PostgreSQL, not {engine.dialect.name}"
    )


def add_deliveries(engine: Engine, deliveries: Sequence[NewDelivery]) -> list[AddOutcome]:
    """Store ``deliveries`` in one transaction; a delivery already stored is a duplicate.

    Each new row is immediately available to forwarders (``available_at = received_at``).

    Returns:
        One outcome per delivery, in order: ``inserted`` False for duplicates.

    Raises:
        StoreUnavailableError: nothing was stored (the transaction rolled back).

    """
    outcomes: list[AddOutcome] = []
    statement = _insert(engine).returning(inbox.c.id)
    with translate_errors(engine, "adding deliveries"), engine.begin() as connection:
        for delivery in deliveries:
            row_id = connection.execute(
                statement,
                {
                    "source": delivery.source,
                    "delivery_id": delivery.delivery_id,
                    "topic": delivery.topic,
                    "event_name": delivery.event_name,
                    "event_id": delivery.event_id,
                    "payload": delivery.payload,
                    "body": delivery.body,
                    "received_at": delivery.received_at,
                    "available_at": delivery.received_at,
                    "attempts": 0,
                },
            ).scalar()
            outcomes.append(AddOutcome(delivery, inserted=row_id is not None, row_id=row_id))
    return outcomes


def claim_unforwarded(
    engine: Engine, *, now: datetime, lease: timedelta, limit: int = 100
) -> list[InboxRow]:
    """Take up to ``limit`` due, unforwarded rows for ``lease``, oldest first.

    Rows claimed here are skipped by other forwarders until ``now + lease``; if this
    forwarder dies, they become due again then.
    """
    pending = (
        sa.select(inbox.c.id)
        .where(inbox.c.forwarded_at.is_(None), inbox.c.available_at <= now)
        .order_by(inbox.c.available_at, inbox.c.id)
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)
    with translate_errors(engine, "claiming deliveries"), engine.begin() as connection:
        ids = list(connection.execute(pending).scalars())
        if not ids:
            return []
        connection.execute(
            sa.update(inbox).where(inbox.c.id.in_(ids)).values(available_at=now + lease)
        )
        rows = connection.execute(sa.select(inbox).where(inbox.c.id.in_(ids)).order_by(inbox.c.id))
        return [_row(row) for row in rows.mappings()]


def mark_forwarded(engine: Engine, row_ids: Sequence[int], *, now: datetime) -> int:
    """Record that the rows' events were accepted by Prefect; return how many rows changed."""
    if not row_ids:
        return 0
    with translate_errors(engine, "marking deliveries forwarded"), engine.begin() as connection:
        result = connection.execute(
            sa.update(inbox)
            .where(inbox.c.id.in_(list(row_ids)), inbox.c.forwarded_at.is_(None))
            .values(forwarded_at=now, attempts=inbox.c.attempts + 1, last_error=None)
        )
        return int(result.rowcount)


def mark_failed(
    engine: Engine, row_ids: Sequence[int], *, error: str, retry_at: datetime
) -> int:
    """Count a failed forwarding attempt, keep ``error`` and make the rows due at ``retry_at``."""
    if not row_ids:
        return 0
    with translate_errors(engine, "marking deliveries failed"), engine.begin() as connection:
        result = connection.execute(
            sa.update(inbox)
            .where(inbox.c.id.in_(list(row_ids)), inbox.c.forwarded_at.is_(None))
            .values(
                attempts=inbox.c.attempts + 1,
                last_error=error[:_MAX_ERROR_CHARS],
                available_at=retry_at,
            )
        )
        return int(result.rowcount)


def get_delivery(engine: Engine, source: str, delivery_id: str) -> InboxRow | None:
    """Return the stored row of one delivery, or None."""
    query = sa.select(inbox).where(inbox.c.source == source, inbox.c.delivery_id == delivery_id)
    with translate_errors(engine, "reading a delivery"), engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    return _row(row) if row is not None else None


def inbox_backlog(engine: Engine) -> int:
    """Return how many stored deliveries Prefect does not have yet."""
    query = sa.select(sa.func.count()).select_from(inbox).where(inbox.c.forwarded_at.is_(None))
    with translate_errors(engine, "counting the backlog"), engine.connect() as connection:
        return int(connection.execute(query).scalar() or 0)
