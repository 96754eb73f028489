"""What a budget run leaves on its Prefect page: the plan (the outcome: ``tasks.decision_loop``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from marketing.budgets.plan import BudgetPlan
from tasks.budgets import PoolEntity

__all__ = ["plan_rows", "publish_plan"]


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
