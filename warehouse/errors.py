"""The warehouse exception tree; duckdb errors are translated here, at one boundary.

::

    WarehouseError                 root: anything the warehouse layer raises
    ├── WarehouseLockedError       another process holds the DuckDB file (one writer per file)
    ├── MigrationError             a migration failed, or an applied migration file was edited
    ├── LandingError               a landing file could not be written or would be overwritten
    ├── StagingError               landing -> staging failed (a value does not cast to its column)
    ├── QualityRunError            a check could not be evaluated (GX raised, metric missing):
    │                              neither good nor bad data; retry, do not quarantine
    ├── DataQualityError(report)   an ERROR-severity check failed: the batch was quarantined
    │                              and nothing was published
    └── PublishError               the publish transaction failed and was rolled back
        └── TransactionConflictError   a concurrent write touched the same rows; rerun

Callers never see ``duckdb.Error``: :func:`translate_errors` maps it to the most specific
class above and chains the original with ``from``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from warehouse.quality.report import QualityReport

__all__ = [
    "DataQualityError",
    "LandingError",
    "MigrationError",
    "PublishError",
    "QualityRunError",
    "StagingError",
    "TransactionConflictError",
    "WarehouseError",
    "WarehouseLockedError",
    "translate_errors",
]


class WarehouseError(Exception):
    """Root of every error raised by the warehouse layer."""


class WarehouseLockedError(WarehouseError):
    """The DuckDB file is locked by another process (DuckDB allows one writer per file)."""


class MigrationError(WarehouseError):
    """A schema migration failed, or an already applied migration file has changed."""


class LandingError(WarehouseError):
    """A landing file could not be written, or writing it would overwrite an existing one."""


class StagingError(WarehouseError):
    """Landing data could not be loaded into its typed staging table."""


class QualityRunError(WarehouseError):
    """A quality check could not be evaluated; its outcome is unknown, not good or bad."""


class DataQualityError(WarehouseError):
    """An ERROR-severity check failed; the batch was quarantined and nothing was published.

    Attributes:
        report: the full quality report of the batch.

    """

    def __init__(self, message: str, report: QualityReport) -> None:
        super().__init__(message)
        self.report = report


class PublishError(WarehouseError):
    """The publish transaction failed and was rolled back; nothing changed."""


class TransactionConflictError(PublishError):
    """Two transactions wrote the same rows; DuckDB's documented fix is to rerun."""


@contextmanager
def translate_errors(
    default: type[WarehouseError] = WarehouseError, context: str = ""
) -> Iterator[None]:
    """Translate ``duckdb.Error`` raised inside the block into a :class:`WarehouseError`.

    Args:
        default: class used when no more specific class applies.
        context: short description of the operation, prefixed to the message.

    """
    try:
        yield
    except WarehouseError:
        raise
    except duckdb.Error as exc:
        message = f"{context}: {exc}" if context else str(exc)
        text = str(exc)
        cls: type[WarehouseError] = default
        if isinstance(exc, duckdb.IOException) and "lock" in text.lower():
            cls = WarehouseLockedError
        elif isinstance(exc, duckdb.TransactionException) and "conflict" in text.lower():
            cls = TransactionConflictError if issubclass(default, PublishError) else default
        raise cls(message) from exc
