"""The operational store: small transactional state next to the warehouse.

SQLite by default (one file under ``data/``), PostgreSQL in production, both through
SQLAlchemy 2 Core. It holds what must survive a crash between two systems: the webhook
inbox (deliveries accepted by the gateway and not yet forwarded to Prefect), the ledger of
offline-conversion uploads (``store.uploads``), and the change ledger (``store.changes``:
plans of changes to the ad platforms, their approvals and what became of each). Nothing here
reads the environment: callers pass a URL.
"""

from store.changes import (
    ChangePlanError,
    IntentRow,
    NewIntent,
    NewPlan,
    PlanRow,
    RecordedPlan,
)
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
from store.uploads import (
    NewUpload,
    RecordedUpload,
    UploadRow,
    list_uploads,
    mark_rejected,
    mark_sent,
    record_planned,
    sent_keys,
)

__all__ = [
    "DEFAULT_STORE_URL",
    "SCHEMA_VERSION",
    "AddOutcome",
    "ChangePlanError",
    "InboxRow",
    "IntentRow",
    "NewDelivery",
    "NewIntent",
    "NewPlan",
    "NewUpload",
    "PlanRow",
    "RecordedPlan",
    "RecordedUpload",
    "SchemaVersionError",
    "StoreError",
    "StoreUnavailableError",
    "UploadRow",
    "add_deliveries",
    "claim_unforwarded",
    "create_schema",
    "create_store_engine",
    "get_delivery",
    "inbox_backlog",
    "list_uploads",
    "mark_failed",
    "mark_forwarded",
    "mark_rejected",
    "mark_sent",
    "metadata",
    "ping",
    "record_planned",
    "schema_version",
    "sent_keys",
]
