"""What a budget run leaves on its Prefect page: the plan, the decision, what was applied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from marketing.budgets.plan import BudgetPlan
from store.changes import IntentRow
from tasks.apply_changes import ApplyReport
from tasks.approval import Decision, short_id
from tasks.budgets import PoolEntity

__all__ = ["intent_rows", "plan_rows", "publish_outcome", "publish_plan"]


def plan_rows(plan: BudgetPlan, pool: Sequence[PoolEntity], currency: str) -> list[dict[str, Any]]:
    """Return one row per entity of the plan: names, budgets, reasons, marginal return."""
    by_key = {p.key: p for p in pool}
    rows = []
    for line, row in zip(plan.changes, plan.rows(), strict=True):
        entity = by_key[line.entity_id].entity
        rows.append({"platform": entity.platform, "level": entity.level,
                     "entity": entity.entity_id, "name": entity.name or "",
                     f"before ({currency})": row["before"], f"after ({currency})": row["after"],
                     "reasons": row["reasons"], "marginal_roas": row["marginal_roas"],
                     "data_days": row["data_days"],
                     f"value_delta ({currency}/day)": row["value_delta"],
                     "value_source": entity.value_source})
    return rows


def intent_rows(intents: Sequence[IntentRow]) -> list[dict[str, Any]]:
    """Return one row per ledger intent: its short id, the change and where it stands."""
    return [{"id": short_id(i), "platform": i.platform, "level": i.level,
             "entity": i.entity_id, "before": i.before or "", "after": i.after,
             "currency": i.currency or "", "needs_approval": i.needs_approval,
             "status": i.status, "decided_by": i.decided_by or "",
             "observed": i.observed or "", "error": i.error or ""} for i in intents]


def publish_plan(title: str, rows: list[dict[str, Any]], summary: Mapping[str, Any],
                 notes: Sequence[str]) -> None:
    """Leave the plan's table and a markdown summary of it on the run's page."""
    lines = [f"# {title}", "", "| | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in summary.items()]
    if notes:
        lines += ["", "## Notes", "", *(f"- {n}" for n in notes)]
    create_markdown_artifact("\n".join(lines), key="budget-plan-summary",
                             description=title)
    create_table_artifact(rows, key="budget-plan", description=f"{title}: every entity")


def publish_outcome(intents: Sequence[IntentRow], decision: Decision | None,
                    report: ApplyReport | None) -> None:
    """Leave the decision and the apply's outcome (per intent) on the run's page."""
    lines = ["# Budget changes: decision and apply", ""]
    if decision is not None and (decision.approved or decision.rejected):
        lines.append(f"Decided by **{decision.by}**: {len(decision.approved)} approved, "
                     f"{len(decision.rejected)} rejected"
                     + (" (no answer before the timeout)" if decision.timed_out else "")
                     + (f". Comment: {decision.comment}" if decision.comment else "") + ".")
    if report is not None:
        lines.append(f"Applied {len(report.applied)}, already at target {len(report.skipped)}, "
                     f"reconciled after a kill {len(report.reconciled)}, failed "
                     f"{len(report.failed)}, rolled back {len(report.compensated)}.")
        lines += [f"- failed `{k}`: {why}" for k, why in report.failed.items()]
        if report.compensated:
            lines.append("A write failed part-way: the changes this run had applied were "
                         "written back to their previous budgets (compensated).")
    create_markdown_artifact("\n".join(lines), key="budget-apply",
                             description="What was decided and applied")
    if intents:
        create_table_artifact(intent_rows(intents), key="budget-changes",
                              description="Every change of the plan, as the ledger holds it")
