"""Declarations of platform tables and their quality suites, as plain data.

A platform declares one :class:`TableSpec` per table (natural key, date column, suite) in
``warehouse/platforms/<platform>.py``; the DDL lives in its numbered migration and the mapping to
``core`` in ``warehouse/core_models/<platform>.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["CheckKind", "CheckSpec", "Severity", "TableSpec"]


class Severity(StrEnum):
    """ERROR quarantines the batch and publishes nothing; WARN publishes and reports."""

    ERROR = "ERROR"
    WARN = "WARN"


class CheckKind(StrEnum):
    """The kinds of check a suite can declare (each maps to GX expectations and to SQL)."""

    NOT_NULL = "not_null"
    UNIQUE = "unique"
    NON_NEGATIVE = "non_negative"
    NOT_GREATER = "not_greater"
    IN_SET = "in_set"
    FRESHNESS = "freshness"
    ROW_COUNT_VS_PREVIOUS = "row_count_vs_previous"
    NO_REJECTS = "no_rejects"


@dataclass(frozen=True)
class CheckSpec:
    """One named check of a suite.

    Attributes:
        name: stable name, used in reports and ``ops.quality_results``.
        kind: what is checked.
        severity: ERROR or WARN.
        columns: the columns involved (meaning depends on ``kind``).
        params: kind-specific parameters (``values``, ``days``, ``min_ratio``).

    """

    name: str
    kind: CheckKind
    severity: Severity
    columns: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class TableSpec:
    """A platform table: where it lives, how rows are identified, how batches are checked.

    Attributes:
        table: qualified name, ``<platform>.<table>``.
        natural_key: merge key columns.
        checks: the quality suite run on every staged batch of this table.
        date_column: the report date column (day-grained tables) or None.

    """

    table: str
    natural_key: tuple[str, ...]
    checks: tuple[CheckSpec, ...]
    date_column: str | None = None

    @property
    def platform(self) -> str:
        """The schema part of ``table``."""
        return self.table.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The table part of ``table``."""
        return self.table.split(".", 1)[1]
