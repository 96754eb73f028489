"""The operational store: small transactional state next to the warehouse.

SQLite by default (one file under ``data/``), PostgreSQL in production, both through
SQLAlchemy 2 Core. It holds what must survive a crash between two systems: the webhook
inbox (deliveries accepted by the gateway and not yet forwarded to Prefect) today, the change
ledger and idempotency keys later. Nothing here reads the environment: callers pass a URL.
"""

from store.engine import DEFAULT_STORE_URL, create_store_engine, ping
from store.errors import SchemaVersionError, StoreError, StoreUnavailableError
from store.inbox import (
    AddOutcome,
    InboxRow,
    NewDelivery,
    add_deliveries,
    claim_unforwarded,
    get_delivery,
    inbox_backlog,
    mark_failed,
    mark_forwarded,
)
from store.schema import SCHEMA_VERSION, create_schema, metadata, schema_version

__all__ = [
    "DEFAULT_STORE_URL",
    "SCHEMA_VERSION",
    "AddOutcome",
    "InboxRow",
    "NewDelivery",
    "SchemaVersionError",
    "StoreError",
    "StoreUnavailableError",
    "add_deliveries",
    "claim_unforwarded",
    "create_schema",
    "create_store_engine",
    "get_delivery",
    "inbox_backlog",
    "mark_failed",
    "mark_forwarded",
    "metadata",
    "ping",
    "schema_version",
]
