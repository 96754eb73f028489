"""The conversion-upload ledger: which offline conversion went to which destination, and when.

A push records its plan first (``record_planned``: one row per idempotency key, inserted
only if absent, so two runs planning at once still make one row), sends only what
``sent_keys`` does not list, and marks each batch ``sent`` once the platform accepted it
(``mark_sent``, with the platform's request or trace id) or ``rejected`` with the reason
(``mark_rejected``: a later run tries again). A crash between the platform's answer and
``mark_sent`` leaves the rows ``planned``: the next run re-sends them with the same event
and transaction ids, which the platforms count once.

A ``sent`` row is final: neither ``mark_rejected`` nor a new plan changes it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from store.engine import translate_errors
from store.schema import conversion_uploads

__all__ = [
    "NewUpload",
    "RecordedUpload",
    "UploadRow",
    "list_uploads",
    "mark_rejected",
    "mark_sent",
    "record_planned",
    "sent_keys",
]

_MAX_REASON_CHARS = 2000
_CHUNK = 500  # keys per IN (...) list: well under SQLite's and PostgreSQL's bind limits


@dataclass(frozen=True)
class NewUpload:
    """One planned upload to record.

    Attributes:
        destination: ``google_data_manager``, ``meta_capi``...
        idempotency_key: unique per destination and conversion (the dedupe key).
        conversion_id: the unified conversion id.
        event_id: the id the platform deduplicates by (event id, transaction id).

    """

    destination: str
    idempotency_key: str
    conversion_id: str
    event_id: str


@dataclass(frozen=True)
class RecordedUpload:
    """What ``record_planned`` found for one upload: a new row, or the existing row's status."""

    upload: NewUpload
    inserted: bool
    status: str


@dataclass(frozen=True)
class UploadRow:
    """One ledger row."""

    id: int
    destination: str
    idempotency_key: str
    conversion_id: str
    event_id: str
    status: str
    planned_at: datetime
    sent_at: datetime | None
    request_id: str | None
    reason: str | None
    run_id: str | None
    attempts: int


def _insert(engine: Engine) -> Any:
    if engine.dialect.name == "postgresql":
        return postgresql.insert(conversion_uploads).on_conflict_do_nothing(
            index_elements=["idempotency_key"])
    if engine.dialect.name == "sqlite":
        return sqlite.insert(conversion_uploads).on_conflict_do_nothing(
            index_elements=["idempotency_key"])
    raise NotImplementedError(
        f"the upload ledger supports SQLite and PostgreSQL, not {engine.dialect.name}"
    )


def _chunks(keys: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield list(keys[start : start + _CHUNK])


def record_planned(
    engine: Engine, uploads: Sequence[NewUpload], *, now: datetime, run_id: str | None = None
) -> list[RecordedUpload]:
    """Record ``uploads`` as planned in one transaction; existing keys are left as they are.

    Args:
        engine: the store.
        uploads: the plan's uploads.
        now: the planning time (aware).
        run_id: the run that planned them (Prefect flow run id), for the audit trail.

    Returns:
        One outcome per upload, in order: ``inserted`` False when the key was already there,
        with that row's status (``sent`` means: do not send again).

    Raises:
        StoreUnavailableError: nothing was recorded (the transaction rolled back).

    """
    if not uploads:
        return []
    statement = _insert(engine)
    keys = [u.idempotency_key for u in uploads]
    with translate_errors(engine, "recording planned uploads"), engine.begin() as connection:
        before = _statuses(connection, keys)
        for chunk_start in range(0, len(uploads), _CHUNK):
            chunk = uploads[chunk_start : chunk_start + _CHUNK]
            fresh = [u for u in chunk if u.idempotency_key not in before]
            if not fresh:
                continue
            connection.execute(statement, [
                {"destination": u.destination, "idempotency_key": u.idempotency_key,
                 "conversion_id": u.conversion_id, "event_id": u.event_id,
                 "status": "planned", "planned_at": now, "run_id": run_id, "attempts": 0}
                for u in fresh
            ])
        after = _statuses(connection, keys)
    return [
        RecordedUpload(u, inserted=u.idempotency_key not in before,
                       status=after.get(u.idempotency_key, "planned"))
        for u in uploads
    ]


def _statuses(connection: sa.Connection, keys: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(keys))):
        rows = connection.execute(
            sa.select(conversion_uploads.c.idempotency_key, conversion_uploads.c.status)
            .where(conversion_uploads.c.idempotency_key.in_(chunk))
        )
        found.update({str(k): str(s) for k, s in rows})
    return found


def sent_keys(engine: Engine, keys: Collection[str]) -> set[str]:
    """Return those of ``keys`` whose upload the platform already accepted."""
    ordered = list(dict.fromkeys(keys))
    sent: set[str] = set()
    with translate_errors(engine, "reading sent uploads"), engine.connect() as connection:
        for chunk in _chunks(ordered):
            rows = connection.execute(
                sa.select(conversion_uploads.c.idempotency_key).where(
                    conversion_uploads.c.idempotency_key.in_(chunk),
                    conversion_uploads.c.status == "sent",
                )
            )
            sent.update(str(k) for k in rows.scalars())
    return sent


def _mark_unsent(engine: Engine, keys: Sequence[str], what: str, **values: Any) -> int:
    """Set ``values`` on the rows of ``keys`` not yet sent, counting an attempt; rows changed."""
    changed = 0
    with translate_errors(engine, f"marking uploads {what}"), engine.begin() as connection:
        for chunk in _chunks(list(dict.fromkeys(keys))):
            result = connection.execute(
                sa.update(conversion_uploads)
                .where(conversion_uploads.c.idempotency_key.in_(chunk),
                       conversion_uploads.c.status != "sent")
                .values(attempts=conversion_uploads.c.attempts + 1, **values)
            )
            changed += int(result.rowcount)
    return changed


def mark_sent(
    engine: Engine, keys: Sequence[str], *, now: datetime, request_id: str | None = None
) -> int:
    """Record that the platform accepted these uploads; return how many rows changed.

    Rows already ``sent`` keep their first time and request id.
    """
    return _mark_unsent(engine, keys, "sent", status="sent", sent_at=now,
                        request_id=request_id, reason=None)


def mark_rejected(engine: Engine, keys: Sequence[str], *, reason: str) -> int:
    """Record that these uploads were refused (a later run tries again); return rows changed.

    The attempt is counted and the reason kept; rows already ``sent`` are left alone.
    """
    return _mark_unsent(engine, keys, "rejected", status="rejected",
                        reason=reason[:_MAX_REASON_CHARS])


def list_uploads(
    engine: Engine, *, destination: str | None = None, status: str | None = None
) -> list[UploadRow]:
    """Return ledger rows (optionally of one destination and status), oldest first."""
    query = sa.select(conversion_uploads).order_by(conversion_uploads.c.id)
    if destination is not None:
        query = query.where(conversion_uploads.c.destination == destination)
    if status is not None:
        query = query.where(conversion_uploads.c.status == status)
    with translate_errors(engine, "listing uploads"), engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [UploadRow(**{c.name: row[c.name] for c in conversion_uploads.columns})
            for row in rows]
