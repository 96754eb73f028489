"""The store's tables and the version row that says which layout a database holds.

Schema management is ``metadata.create_all`` plus a one-row ``store_schema`` table rather
than Alembic: the store only ever gains whole tables (the inbox, the conversion-upload ledger;
the change ledger), which ``create_all`` adds idempotently, and the version
row lets old code refuse a newer database instead of misreading it. When a later change has
to alter an existing table, add an upgrade step to ``_UPGRADES`` (or move to Alembic then).

Timestamps are stored in UTC and always read back timezone-aware (``UtcDateTime``), on SQLite
(which keeps text) as on PostgreSQL (``timestamptz``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect, Engine

from store.engine import describe, translate_errors
from store.errors import SchemaVersionError

__all__ = [
    "INTENT_STATUSES",
    "SCHEMA_VERSION",
    "UPLOAD_STATUSES",
    "UtcDateTime",
    "change_intents",
    "change_plans",
    "conversion_uploads",
    "create_schema",
    "inbox",
    "metadata",
    "schema_info",
    "schema_version",
]

SCHEMA_VERSION = 3
"""1: the webhook inbox. 2: the conversion-upload ledger (``conversion_uploads``).
3: the change ledger (``change_plans``, ``change_intents``)."""

UPLOAD_STATUSES = ("planned", "sent", "rejected")
INTENT_STATUSES = ("proposed", "approved", "rejected", "applying", "applied", "skipped",
                   "failed", "compensated", "reverted")
"""Where a change intent stands; ``store.changes`` says which moves are allowed."""


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (naive values are refused)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store ``value`` as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store timestamps must be timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read ``value`` back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

schema_info = sa.Table(
    "store_schema",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)

# One row per accepted webhook delivery (per event, for sources that batch several events in
# one request). ``available_at`` is when a forwarder may next take the row: now on insert, a
# lease while one forwards it, a backoff after a failed attempt.
inbox = sa.Table(
    "webhook_inbox",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("delivery_id", sa.String(255), nullable=False),
    sa.Column("topic", sa.String(255), nullable=False),
    sa.Column("event_name", sa.String(255), nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("available_at", UtcDateTime, nullable=False),
    sa.Column("forwarded_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.UniqueConstraint("source", "delivery_id", name="uq_webhook_inbox_delivery"),
    sa.UniqueConstraint("event_id", name="uq_webhook_inbox_event_id"),
    sa.Index(
        "ix_webhook_inbox_pending",
        "available_at",
        sqlite_where=sa.text("forwarded_at IS NULL"),
        postgresql_where=sa.text("forwarded_at IS NULL"),
    ),
)

# One row per (destination, conversion): the offline-conversion uploads ledger. The
# idempotency key is derived from both, so planning the same conversion again finds its row;
# ``status`` goes planned -> sent (the platform accepted the batch) or rejected (refused,
# retried by a later run); a sent row is never sent again.
conversion_uploads = sa.Table(
    "conversion_uploads",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("destination", sa.String(32), nullable=False),
    sa.Column("idempotency_key", sa.String(64), nullable=False),
    sa.Column("conversion_id", sa.String(255), nullable=False),
    sa.Column("event_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("planned_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("request_id", sa.String(255), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("idempotency_key", name="uq_conversion_uploads_key"),
    sa.CheckConstraint(
        sa.column("status").in_(UPLOAD_STATUSES), name="ck_conversion_uploads_status"
    ),
    sa.Index("ix_conversion_uploads_destination_status", "destination", "status"),
)


_BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# One row per plan (a budget reallocation, a creative rotation...): the unit a person
# approves. ``plan_key`` is the idempotency key: planning the same thing again (a re-run of
# the same day and pool) finds the plan instead of making a second one.
change_plans = sa.Table(
    "change_plans",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("plan_key", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.UniqueConstraint("plan_key", name="uq_change_plans_key"),
)

# One row per change intent: set one field of one entity from ``before`` to ``after``. Values
# are text in neutral units (a budget as a decimal string in ``currency``, a status name).
# ``status`` moves only along the transitions of ``store.changes``, each a compare-and-set,
# so two runs (or a run and its re-run after a kill) never both apply one intent.
change_intents = sa.Table(
    "change_intents",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("plan_id", _BIG_ID, sa.ForeignKey("change_plans.id"), nullable=False),
    sa.Column("intent_key", sa.String(255), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("level", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.String(128), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("before", sa.String(64), nullable=True),
    sa.Column("after", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("expected", sa.JSON, nullable=False),
    sa.Column("needs_approval", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(255), nullable=True),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("observed", sa.String(64), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("reverts_key", sa.String(255), nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("intent_key", name="uq_change_intents_key"),
    sa.CheckConstraint(sa.column("status").in_(INTENT_STATUSES), name="ck_change_intents_status"),
    sa.Index("ix_change_intents_plan", "plan_id"),
    sa.Index("ix_change_intents_entity", "platform", "entity_id", "field"),
)


def _upgrade_to_2(connection: sa.Connection) -> None:
    """Add the conversion-upload ledger to a version-1 database (no other table changes)."""
    conversion_uploads.create(connection, checkfirst=True)


def _upgrade_to_3(connection: sa.Connection) -> None:
    """Add the change ledger to a version-2 database (no other table changes)."""
    change_plans.create(connection, checkfirst=True)
    change_intents.create(connection, checkfirst=True)


# version reached -> function upgrading a database from the previous version.
_UPGRADES: dict[int, Callable[[sa.Connection], Any]] = {2: _upgrade_to_2, 3: _upgrade_to_3}


def schema_version(engine: Engine) -> int | None:
    """Return the schema version recorded in the database, or None for an empty database."""
    with translate_errors(engine, "reading the schema version"), engine.connect() as connection:
        if not sa.inspect(connection).has_table(schema_info.name):
            return None
        return connection.execute(sa.select(sa.func.max(schema_info.c.version))).scalar()


def create_schema(engine: Engine) -> int:
    """Create the store's tables if missing and record the schema version.

    Safe to call on every start, from several processes at once.

    Returns:
        The schema version the database now holds (``SCHEMA_VERSION``).

    Raises:
        SchemaVersionError: the database was written by newer code.
        StoreUnavailableError: the database cannot be reached.

    """
    with translate_errors(engine, "creating the schema"), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Serialise concurrent first starts: CREATE TABLE IF NOT EXISTS races on Postgres.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
        found = None
        if sa.inspect(connection).has_table(schema_info.name):
            found = connection.execute(sa.select(sa.func.max(schema_info.c.version))).scalar()
        if found is not None and found > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"store {describe(engine)} holds schema version {found}, newer than this "
                f"code's {SCHEMA_VERSION}: upgrade campaign-ops"
            )
        # Upgrade an older database step by step first (each step may alter what it holds),
        # then let create_all add whatever a fresh database lacks.
        start = SCHEMA_VERSION if found is None else found
        for version in range(start + 1, SCHEMA_VERSION + 1):
            _UPGRADES[version](connection)
        metadata.create_all(connection, checkfirst=True)
        if found != SCHEMA_VERSION:
            connection.execute(
                sa.insert(schema_info).values(version=SCHEMA_VERSION, applied_at=datetime.now(UTC))
            )
    return SCHEMA_VERSION
