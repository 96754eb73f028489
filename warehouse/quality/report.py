"""Quality results: one :class:`CheckResult` per check and table, gathered in a report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from warehouse.spec import Severity

__all__ = ["CheckResult", "QualityContext", "QualityReport"]


@dataclass(frozen=True)
class QualityContext:
    """What a suite needs to know beyond the data.

    Attributes:
        window_end: last day of the extract window (freshness reference); default: the
            batch's ``window_end``, else today (UTC).
        engine: ``"gx"`` (Great Expectations, the gate) or ``"duckdb"`` (the same checks as
            native SQL; used to cross-check GX and in benchmarks).

    """

    window_end: Any = None
    engine: str = "gx"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check on one staged table.

    Attributes:
        table: qualified target table.
        check: check name.
        severity: ERROR or WARN.
        passed: True when the data satisfies the check.
        observed: what was measured (unexpected count, max date, row count...).
        samples: up to 5 failing rows, as JSON-ready dicts.

    """

    table: str
    check: str
    severity: Severity
    passed: bool
    observed: Any = None
    samples: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "table": self.table,
            "check": self.check,
            "severity": str(self.severity),
            "passed": self.passed,
            "observed": self.observed,
            "samples": list(self.samples),
        }


@dataclass(frozen=True)
class QualityReport:
    """All check results of a staged batch."""

    platform: str
    account_id: str
    run_id: str
    results: tuple[CheckResult, ...] = field(default_factory=tuple)
    engine: str = "gx"
    seconds: float = 0.0

    @property
    def errors(self) -> tuple[CheckResult, ...]:
        """Failed ERROR-severity checks (any of them blocks publish)."""
        return tuple(r for r in self.results if not r.passed and r.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[CheckResult, ...]:
        """Failed WARN-severity checks (published and reported)."""
        return tuple(r for r in self.results if not r.passed and r.severity is Severity.WARN)

    @property
    def has_errors(self) -> bool:
        """True when publish must not happen."""
        return bool(self.errors)

    def for_table(self, table: str) -> tuple[CheckResult, ...]:
        """Results of one table."""
        return tuple(r for r in self.results if r.table == table)

    def result(self, table: str, check: str) -> CheckResult:
        """Return the result of one check on one table."""
        for r in self.results:
            if r.table == table and r.check == check:
                return r
        raise KeyError((table, check))

    def summary(self) -> str:
        """One line per failed check, naming table, check, observed value and sample rows."""
        lines = []
        for r in (*self.errors, *self.warnings):
            lines.append(
                f"{r.severity} {r.table} {r.check}: observed {json.dumps(r.observed, default=str)}"
                f"; sample rows {json.dumps(list(r.samples), default=str)}"
            )
        return "\n".join(lines) if lines else "all checks passed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for artifacts and the quarantine folder)."""
        return {
            "platform": self.platform,
            "account_id": self.account_id,
            "run_id": self.run_id,
            "engine": self.engine,
            "seconds": self.seconds,
            "results": [r.to_dict() for r in self.results],
        }
