"""The store's exception tree: one root, grouped by what the caller should do.

::

    StoreError
    ├── StoreUnavailableError   the database cannot be reached or refused the statement
    │                           (locked, disk full, connection lost): retry later
    ├── SchemaVersionError      the database holds a schema this code does not know (newer,
    │                           or not ours): fix the deployment, do not retry
    └── ChangePlanError         (store.changes) a plan or intent used against the change
                                ledger's rules: a bug in the caller, do not retry

SQLAlchemy and driver errors are translated into this tree in one place
(``store.engine.translate_errors``); nothing above ``store/`` sees them. Messages name the
database by its URL with the password masked.
"""

from __future__ import annotations

__all__ = ["SchemaVersionError", "StoreError", "StoreUnavailableError"]


class StoreError(Exception):
    """Root of every error raised by the operational store."""


class StoreUnavailableError(StoreError):
    """The database could not run the statement now; the same call may succeed later."""


class SchemaVersionError(StoreError):
    """The database's schema version is not one this code can use."""
