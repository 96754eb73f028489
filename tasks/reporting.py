"""What a run did, as data: the extract summary and the Prefect artifacts made from it."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any, Literal

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field


class TableLoad(BaseModel):
    """Rows one batch wrote to one table."""

    platform: str
    account_id: str
    table: str
    rows: int
    inserted: int = 0
    updated: int = 0
    status: Literal["published", "quarantined"] = "published"


class CheckOutcome(BaseModel):
    """One quality check on one staged table."""

    platform: str
    account_id: str
    table: str
    check: str
    severity: Literal["ERROR", "WARN"]
    passed: bool
    observed: str = ""
    detail: str = ""


class CallStats(BaseModel):
    """API call statistics of one platform account."""

    platform: str
    account_id: str
    calls: int
    retries: int
    throttled: int
    errors: int
    p50_latency_ms: float
    max_latency_ms: float
    min_headroom: float | None = None


class ExtractSummary(BaseModel):
    """Everything one `extract_ads` run did, for the CLI, the artifacts and the tests."""

    run_id: str
    environment: str
    warehouse_path: str
    windows: dict[str, str] = Field(default_factory=dict)
    loads: list[TableLoad] = Field(default_factory=list)
    checks: list[CheckOutcome] = Field(default_factory=list)
    calls: list[CallStats] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    totals: dict[str, int] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every batch was published."""
        return not self.failures

    def rows_by_table(self) -> dict[str, int]:
        """Rows written per table over all accounts."""
        totals: Counter[str] = Counter()
        for load in self.loads:
            if load.status == "published":
                totals[load.table] += load.rows
        return dict(sorted(totals.items()))


def call_stats(platform: str, account_id: str, calls: list[dict[str, Any]]) -> CallStats:
    """Summarise the recorded API calls of one account."""
    latencies = [float(c["latency_ms"]) for c in calls] or [0.0]
    headrooms = [
        float(c["throttle_headroom"]) for c in calls if c.get("throttle_headroom") is not None
    ]
    return CallStats(
        platform=platform,
        account_id=account_id,
        calls=len(calls),
        retries=sum(1 for c in calls if int(c.get("attempt") or 1) > 1),
        throttled=sum(
            1
            for c in calls
            if c.get("status") == 429 or "rate" in str(c.get("error") or "").lower()
        ),
        errors=sum(1 for c in calls if c.get("error")),
        p50_latency_ms=round(statistics.median(latencies), 1),
        max_latency_ms=round(max(latencies), 1),
        min_headroom=min(headrooms) if headrooms else None,
    )


def _markdown(summary: ExtractSummary) -> str:
    lines = [
        f"# Extract run `{summary.run_id}`",
        "",
        f"- environment: **{summary.environment}**",
        f"- warehouse: `{summary.warehouse_path}`",
    ]
    for platform, window in summary.windows.items():
        lines.append(f"- {platform} window: {window}")
    lines += ["", "| table | rows this run | rows in warehouse |", "|---|---:|---:|"]
    written = summary.rows_by_table()
    for table in sorted(set(written) | set(summary.totals)):
        this_run = f"{written[table]:,}" if table in written else "-"
        lines.append(f"| `{table}` | {this_run} | {summary.totals.get(table, 0):,} |")
    failed_checks = [c for c in summary.checks if not c.passed]
    lines += [
        "",
        f"Quality: {len(summary.checks) - len(failed_checks)}/{len(summary.checks)} checks passed.",
    ]
    for check in failed_checks:
        lines.append(
            f"- **{check.severity}** `{check.table}` {check.check}: "
            f"{check.detail or check.observed}"
        )
    if summary.failures:
        lines += ["", "## Failures", *[f"- {failure}" for failure in summary.failures]]
    return "\n".join(lines)


@task(name="publish-run-artifacts", cache_policy=NONE)
def publish_run_artifacts(summary: ExtractSummary) -> None:
    """Leave the run's summary, rows per table, quality results and API statistics in the UI."""
    create_markdown_artifact(
        _markdown(summary), key="extract-summary", description="Extract run summary"
    )
    create_table_artifact(
        [load.model_dump() for load in summary.loads] or [{"table": "(none)", "rows": 0}],
        key="extract-rows-per-table",
        description="Rows written per table and account",
    )
    create_table_artifact(
        [check.model_dump() for check in summary.checks] or [{"check": "(none)"}],
        key="extract-quality-results",
        description="Quality checks on each staged table (ERROR quarantines, WARN publishes)",
    )
    create_table_artifact(
        [stats.model_dump() for stats in summary.calls] or [{"calls": 0}],
        key="extract-api-calls",
        description="API calls, retries, throttles and latency per account",
    )
