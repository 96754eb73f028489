"""The gateway's view of the inbox: a small protocol and its SQL implementation.

The app and the forwarder talk to ``Inbox`` only, so the benchmark can put a no-op store in
its place to measure what durability costs. ``SqlInbox`` is the real one (the operational
store, ``store.inbox``).

``SqlInbox.add`` commits in groups: requests that arrive while a commit is running wait, and
the next commit stores all of them in one transaction (one fsync on SQLite) before any of
them is answered. Each request still learns its own outcome; a failed group commit fails
every request in it (none is answered 2xx). Threads queue on a condition variable instead of
SQLite's busy handler, whose sleeps (up to 100 ms each) made the latency tail.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

import store

__all__ = ["Inbox", "SqlInbox"]


class Inbox(Protocol):
    """Where accepted deliveries wait until Prefect has them."""

    def open(self) -> None:
        """Prepare the inbox (create tables); called once at startup."""

    def add(self, deliveries: Sequence[store.NewDelivery]) -> list[store.AddOutcome]:
        """Store deliveries durably; report duplicates."""

    def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[store.InboxRow]:
        """Lease due, unforwarded rows."""

    def mark_forwarded(self, row_ids: Sequence[int], *, now: datetime) -> int:
        """Record rows as forwarded."""

    def mark_failed(self, row_ids: Sequence[int], *, error: str, retry_at: datetime) -> int:
        """Record a failed attempt and when to retry."""

    def backlog(self) -> int:
        """Count unforwarded rows."""

    def check(self) -> None:
        """Raise ``store.StoreError`` when the inbox cannot be used."""

    def close(self) -> None:
        """Release connections."""


class SqlInbox:
    """The inbox in the operational store (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._group = threading.Condition()
        self._pending: list[tuple[Sequence[store.NewDelivery], Future[list[store.AddOutcome]]]]
        self._pending = []
        self._committing = False

    @classmethod
    def from_url(cls, url: str) -> SqlInbox:
        """Return an inbox on the store at ``url`` (no connection is made yet)."""
        return cls(store.create_store_engine(url))

    def open(self) -> None:
        """Create the store's tables when missing."""
        store.create_schema(self.engine)

    def add(self, deliveries: Sequence[store.NewDelivery]) -> list[store.AddOutcome]:
        """Store deliveries durably (group commit; see the module docstring)."""
        mine: Future[list[store.AddOutcome]] = Future()
        with self._group:
            self._pending.append((deliveries, mine))
            while self._committing and not mine.done():
                self._group.wait()
            if not mine.done():
                # No commit is running and ours is pending: commit everything pending.
                self._committing = True
                group, self._pending = self._pending, []
        if not mine.done():
            try:
                self._commit(group)
            finally:
                with self._group:
                    self._committing = False
                    self._group.notify_all()
        return mine.result()

    def _commit(
        self, group: list[tuple[Sequence[store.NewDelivery], Future[list[store.AddOutcome]]]]
    ) -> None:
        try:
            outcomes = store.add_deliveries(self.engine, [d for ds, _ in group for d in ds])
        except BaseException as exc:
            for _, future in group:
                future.set_exception(exc)
            return
        start = 0
        for deliveries, future in group:
            future.set_result(outcomes[start:start + len(deliveries)])
            start += len(deliveries)

    def claim(self, *, now: datetime, lease: timedelta, limit: int) -> list[store.InboxRow]:
        """Lease due rows (see ``store.claim_unforwarded``)."""
        return store.claim_unforwarded(self.engine, now=now, lease=lease, limit=limit)

    def mark_forwarded(self, row_ids: Sequence[int], *, now: datetime) -> int:
        """Record rows as forwarded."""
        return store.mark_forwarded(self.engine, row_ids, now=now)

    def mark_failed(self, row_ids: Sequence[int], *, error: str, retry_at: datetime) -> int:
        """Record a failed attempt."""
        return store.mark_failed(self.engine, row_ids, error=error, retry_at=retry_at)

    def backlog(self) -> int:
        """Count unforwarded rows."""
        return store.inbox_backlog(self.engine)

    def check(self) -> None:
        """Check the store answers and holds our schema."""
        store.ping(self.engine)
        if store.schema_version(self.engine) != store.SCHEMA_VERSION:
            raise store.SchemaVersionError("the store's schema is missing or of another version")

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()
