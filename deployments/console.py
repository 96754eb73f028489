"""Terminal rendering of run summaries for the CLI (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tasks.reporting import CheckOutcome, ExtractSummary


def print_extract_summary(summary: ExtractSummary, console: Console | None = None) -> None:
    """Print rows per table, quality results, API calls and the warehouse path."""
    console = console or Console()
    rows = Table(title="Rows per table")
    rows.add_column("table")
    rows.add_column("written this run", justify="right")
    rows.add_column("in the warehouse", justify="right")
    written = summary.rows_by_table()
    for table in sorted(set(written) | set(summary.totals)):
        # Core tables are rebuilt from the platform tables inside publish, not written here.
        this_run = f"{written[table]:,}" if table in written else "-"
        rows.add_row(table, this_run, f"{summary.totals.get(table, 0):,}")
    console.print(rows)

    checks = Table(title="Quality checks (all accounts)")
    for column in ("table", "checks", "passed", "failed (severity: account, observed)"):
        checks.add_column(column, justify="right" if column in ("checks", "passed") else "left")
    by_table: dict[str, list[CheckOutcome]] = {}
    for check in summary.checks:
        by_table.setdefault(check.table, []).append(check)
    for table, outcomes in by_table.items():
        failed = [o for o in outcomes if not o.passed]
        worst = "ERROR" if any(o.severity == "ERROR" for o in failed) else "WARN"
        colour = "green" if not failed else ("red" if worst == "ERROR" else "yellow")
        checks.add_row(
            table,
            str(len({o.check for o in outcomes})),
            f"[{colour}]{len(outcomes) - len(failed)}/{len(outcomes)}[/]",
            "; ".join(f"{o.check} ({o.severity}: {o.account_id}, {o.observed})" for o in failed),
        )
    console.print(checks)

    calls = Table(title="API calls")
    for column in (
        "platform",
        "account",
        "calls",
        "retries",
        "throttled",
        "errors",
        "p50 ms",
        "min headroom",
    ):
        calls.add_column(
            column, justify="right" if column not in ("platform", "account") else "left"
        )
    for stats in summary.calls:
        headroom = "-" if stats.min_headroom is None else f"{stats.min_headroom:.0%}"
        calls.add_row(
            stats.platform,
            stats.account_id,
            str(stats.calls),
            str(stats.retries),
            str(stats.throttled),
            str(stats.errors),
            f"{stats.p50_latency_ms:.1f}",
            headroom,
        )
    console.print(calls)
    for failure in summary.failures:
        console.print(f"[red]failed:[/] {failure}")
    console.print(f"Warehouse: [bold]{summary.warehouse_path}[/]")
