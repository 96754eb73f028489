"""Terminal rendering of run summaries for the CLI (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from tasks.reporting import CheckOutcome, ExtractSummary

if TYPE_CHECKING:
    from deployments.simulate import SimulationResult
    from flows.reallocate_budgets import BudgetRunResult


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


def print_budget_plan(result: BudgetRunResult, console: Console | None = None) -> None:
    """Print a budget run's plan (every entity that moves, and the held ones' reasons)."""
    console = console or Console()
    currency = result.currency
    table = Table(title=f"Budget plan ({result.mode}, value: {result.value_source})")
    for column in ("platform", "entity", "name", "before", "after", "reasons"):
        table.add_column(column, justify="right" if column in ("before", "after") else "left")
    for line in result.lines:
        table.add_row(line["platform"], line["entity"], str(line["name"])[:32],
                      line[f"before ({currency})"], line[f"after ({currency})"],
                      line["reasons"])
    console.print(table)
    if result.resumed:
        console.print(f"Continued plan {result.plan_key}, recorded by an earlier run: "
                      f"{result.intents} change(s)")
    else:
        console.print(f"Total {result.total_before:,.2f} -> {result.total_after:,.2f} "
                      f"{currency}/day; expected value {result.expected_value_delta:+,.2f} "
                      f"{currency}/day; {result.intents} change(s)")
    if result.dry_run:
        console.print("[yellow]Shown only:[/yellow] nothing recorded or applied "
                      "(run with --apply, or the reallocate-budgets deployment).")
    else:
        console.print(f"Applied {len(result.applied)}, rejected {result.rejected}, "
                      f"failed {len(result.failed)}.")
    for note in result.notes[:10]:
        console.print(f"[yellow]note:[/yellow] {note}")


def print_simulation(result: SimulationResult, console: Console | None = None) -> None:
    """Print a simulation's revenue under the flows, the static budgets and the oracle."""
    console = console or Console()
    table = Table(title=f"Simulated {result.days} days from {result.start}, seed {result.seed}")
    for column in ("", "revenue (USD)", "vs static"):
        table.add_column(column, justify="left" if not column else "right")
    for label, value in (("static budgets", result.static_revenue),
                         ("the flows", result.revenue), ("oracle", result.oracle_revenue)):
        table.add_row(label, f"{value:,.2f}",
                      f"{value / result.static_revenue - 1:+.2%}" if result.static_revenue
                      else "")
    console.print(table)
    share = result.captured_uplift_share
    console.print(f"Captured uplift share: {'n/a' if share is None else f'{share:.2f}'}; "
                  f"changes applied {result.changes_applied}, reverted "
                  f"{result.changes_reverted}; guardrail breaches {result.guardrail_breaches}; "
                  f"{result.budget_holders} budgets, {result.daily_total_usd:,.2f} USD/day; "
                  f"{result.wall_seconds:,.1f} s")
    if result.budgets:
        moves = Table(title="Budgets (USD a day)")
        for column in ("platform", "budget", "static", "flows (last day)", "oracle"):
            moves.add_column(column, justify="left" if column in ("platform", "budget")
                             else "right")
        for row in result.budgets:
            moves.add_row(row["platform"], row["entity_id"], f"{row['static_usd']:,.2f}",
                          f"{row['final_usd']:,.2f}", f"{row['oracle_usd']:,.2f}")
        console.print(moves)
    for breach in result.breaches[:10]:
        console.print(f"[red]breach:[/red] {breach}")
