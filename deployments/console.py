"""Terminal rendering of run summaries for the CLI (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tasks.reporting import ExtractSummary


def print_extract_summary(summary: ExtractSummary, console: Console | None = None) -> None:
    """Print rows per table, quality results, API calls and the warehouse path."""
    console = console or Console()
    rows = Table(title="Rows per table")
    rows.add_column("table")
    rows.add_column("rows", justify="right")
    for table, count in summary.rows_by_table().items():
        rows.add_row(table, f"{count:,}")
    console.print(rows)

    checks = Table(title="Quality checks")
    for column in ("table", "check", "severity", "result", "observed"):
        checks.add_column(column)
    for check in summary.checks:
        result = "[green]pass[/]" if check.passed else ("[red]FAIL[/]" if check.severity == "ERROR" else "[yellow]warn[/]")
        checks.add_row(f"{check.table} ({check.account_id})", check.check, check.severity, result, check.observed)
    console.print(checks)

    calls = Table(title="API calls")
    for column in ("platform", "account", "calls", "retries", "throttled", "errors", "p50 ms", "min headroom"):
        calls.add_column(column, justify="right" if column not in ("platform", "account") else "left")
    for stats in summary.calls:
        headroom = "-" if stats.min_headroom is None else f"{stats.min_headroom:.0%}"
        calls.add_row(
            stats.platform, stats.account_id, str(stats.calls), str(stats.retries),
            str(stats.throttled), str(stats.errors), f"{stats.p50_latency_ms:.1f}", headroom,
        )
    console.print(calls)
    for failure in summary.failures:
        console.print(f"[red]failed:[/] {failure}")
    console.print(f"Warehouse: [bold]{summary.warehouse_path}[/]")
