"""The gateway's view of the inbox: a small protocol and its SQL implementation.

The app and the forwarder talk to ``Inbox`` only, so the benchmark can put a no-op store in
its place to measure what durability costs. ``SqlInbox`` is the real one (the operational
store, ``store.inbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
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

    @classmethod
    def from_url(cls, url: str) -> SqlInbox:
        """Return an inbox on the store at ``url`` (no connection is made yet)."""
        return cls(store.create_store_engine(url))

    def open(self) -> None:
        """Create the store's tables when missing."""
        store.create_schema(self.engine)

    def add(self, deliveries: Sequence[store.NewDelivery]) -> list[store.AddOutcome]:
        """Store deliveries in one transaction (see ``store.add_deliveries``)."""
        return store.add_deliveries(self.engine, deliveries)

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
