"""The same planned checks as one native DuckDB query (cross-check and benchmark baseline)."""

from __future__ import annotations

from typing import Any

from warehouse.connection import Warehouse
from warehouse.errors import QualityRunError, translate_errors
from warehouse.quality.gx_engine import jsonable
from warehouse.quality.plan import PlannedCheck

__all__ = ["native_query", "run_native"]


def native_query(planned: list[PlannedCheck]) -> tuple[str, list[tuple[int, str]]]:
    """One SELECT of scalar subqueries, one column per measure; plus (check index, label)."""
    columns: list[str] = []
    keys: list[tuple[int, str]] = []
    for i, pc in enumerate(planned):
        if pc.note is not None:
            continue
        for m in pc.measures:
            columns.append(f"{m.sql} AS m{len(columns)}")
            keys.append((i, m.label))
    return ("SELECT " + ", ".join(columns)) if columns else "SELECT 1", keys


def run_native(wh: Warehouse, planned: list[PlannedCheck]) -> dict[int, tuple[bool, Any]]:
    """Evaluate checks natively; return ``{index in planned: (passed, observed)}``."""
    sql, keys = native_query(planned)
    with translate_errors(QualityRunError, "native quality query"):
        row = wh.con.cursor().execute(sql).fetchone()
    values: dict[int, dict[str, Any]] = {}
    for (i, label), value in zip(keys, row or (), strict=False):
        values.setdefault(i, {})[label] = value
    outcome: dict[int, tuple[bool, Any]] = {}
    for i, pc in enumerate(planned):
        passed, observed = pc.native_verdict(values.get(i, {}))
        outcome[i] = (passed, jsonable(observed))
    return outcome
