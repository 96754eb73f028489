"""Async insights report runs: created by POST act_X/insights, advanced by polling.

Each poll of ``GET /{report_run_id}`` moves the job one step: Job Not Started ->
Job Started -> Job Running (percent rising) -> Job Completed (or Job Failed, for the first
``failing`` runs when asked). The rows are computed when
the job completes, as of that moment, and paged by ``GET /{report_run_id}/insights``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulators.meta_ads.insights import InsightsQuery

NOT_STARTED = "Job Not Started"
STARTED = "Job Started"
RUNNING = "Job Running"
COMPLETED = "Job Completed"
FAILED = "Job Failed"


@dataclass
class ReportRun:
    """One async insights job."""

    id: str
    account_id: str  # act_...
    query: InsightsQuery
    created: datetime
    steps: int
    polls: int = 0
    rows: list[dict[str, Any]] | None = None
    completed: datetime | None = None
    failed: bool = False

    def status(self) -> tuple[str, int]:
        """(async_status, async_percent_completion) after ``polls`` polls."""
        if self.polls > self.steps:
            return (FAILED, 0) if self.failed else (COMPLETED, 100)
        if self.polls <= 1:
            return NOT_STARTED, 0
        if self.polls == 2:
            return STARTED, 0
        return RUNNING, min(99, round(100 * (self.polls - 2) / max(1, self.steps - 1)))

    @property
    def done(self) -> bool:
        """Whether the job has completed."""
        return self.rows is not None


@dataclass
class ReportRuns:
    """Thread-safe registry of report runs with decimal-string ids."""

    steps: int = 3
    failing: int = 0  # the first ``failing`` runs end in Job Failed
    _runs: dict[str, ReportRun] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 6_120_000_000_001

    def create(self, account_id: str, query: InsightsQuery, now: datetime) -> ReportRun:
        """Start a job."""
        with self._lock:
            run = ReportRun(str(self._next), account_id, query, now, self.steps,
                            failed=len(self._runs) < self.failing)
            self._next += 1
            self._runs[run.id] = run
            if self.steps <= 0:
                run.polls = 1
            return run

    def get(self, run_id: str) -> ReportRun | None:
        """Return a job by id."""
        with self._lock:
            return self._runs.get(run_id)

    def poll(self, run: ReportRun) -> tuple[str, int]:
        """Advance a job by one poll and return its status."""
        with self._lock:
            run.polls += 1
            return run.status()
