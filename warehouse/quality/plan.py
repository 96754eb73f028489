"""Turn a table's declared suite into measurable checks, for GX and for native DuckDB alike.

Each :class:`PlannedCheck` lists its *measures* (one per column, or one for the table): a GX
expectation (class name + kwargs) and the equivalent scalar SQL. Both engines fill in the same
measures, so their reports are comparable check by check. Each check kind has its planner
(``_PLANNERS``): a new kind is one function and one entry there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from warehouse.platforms import table_spec
from warehouse.spec import CheckKind, CheckSpec
from warehouse.staging import StagedBatch, StagedTable, quote, staged_days

__all__ = ["Measure", "PlannedCheck", "plan_checks", "previous_rows"]

_Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Measure:
    """One measurable part of a check.

    Attributes:
        label: column name, or ``rows``/``max`` for table-level measures.
        expectation: GX expectation class name (``great_expectations.expectations``).
        kwargs: keyword arguments of the expectation.
        sql: scalar SQL computing the same thing natively (unexpected count or observed value).
        observed_key: ``unexpected_count`` (row-level checks) or ``observed_value``.

    """

    label: str
    expectation: str
    kwargs: dict[str, Any]
    sql: str
    observed_key: str = "unexpected_count"


@dataclass(frozen=True)
class PlannedCheck:
    """A check bound to a staged relation, ready for either engine.

    Attributes:
        staged: the staged table the check belongs to.
        spec: the declared check.
        relation: the qualified staging relation it reads (data or rejects table).
        expected_rows: rows in ``relation`` (a GX answer counting other rows is a broken run).
        measures: what to measure.
        sample_sql: query returning up to 5 failing rows, or None for table-level checks.
        bounds: for table-level checks, the (min, max) the observed value must lie in.
        note: why the check passes trivially (e.g. no previous load), else None.

    """

    staged: StagedTable
    spec: CheckSpec
    relation: str
    expected_rows: int
    measures: tuple[Measure, ...]
    sample_sql: str | None
    bounds: tuple[Any, Any] = (None, None)
    note: str | None = None

    def native_verdict(self, values: dict[str, Any]) -> tuple[bool, Any]:
        """Return (passed, observed) from natively computed measure values."""
        if self.note is not None:
            return True, self.note
        kind = self.spec.kind
        if kind in (CheckKind.FRESHNESS, CheckKind.ROW_COUNT_VS_PREVIOUS, CheckKind.NO_REJECTS):
            value = next(iter(values.values()))
            low, high = self.bounds
            ok = (
                value is not None
                and (low is None or value >= low)
                and (high is None or value <= high)
            )
            return ok, value
        return all(v == 0 for v in values.values()), values


def previous_rows(con: duckdb.DuckDBPyConnection, staged: StagedTable) -> int | None:
    """Rows the previous published load of the same (platform, account, table) implies now.

    For day-grained tables the previous load's rows per day, times the days staged now: a
    3-day hourly re-pull after a 28-day daily one is not a drop in volume.
    """
    row = con.execute(
        "SELECT rows, days FROM ops.loads WHERE platform = ? AND account_id = ? "
        "AND table_name = ? AND status = 'published' ORDER BY \"at\" DESC LIMIT 1",
        [staged.landing.platform, staged.landing.account_id, staged.table],
    ).fetchone()
    if not row:
        return None
    rows, days = int(row[0]), row[1]
    if not days:
        return rows
    now = staged_days(con, staged)
    return rows if now is None else math.ceil(rows / int(days) * now)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _failing_rows(st: StagedTable, spec: CheckSpec, measures: tuple[Measure, ...],
                  where: str) -> PlannedCheck:
    """Return a row-level check of the staged data; its sample is rows matching ``where``."""
    return PlannedCheck(
        st, spec, st.staging_table, st.rows, measures,
        f"SELECT * FROM {quote(st.staging_table)} WHERE {where} LIMIT 5",
    )


def _each_column(
    st: StagedTable, spec: CheckSpec, expectation: str, kwargs: dict[str, Any], failing: str
) -> PlannedCheck:
    """Measure, per column, the rows where ``failing`` holds (``{c}`` stands for the column)."""
    rel = quote(st.staging_table)
    conditions = [(c, failing.format(c=quote(c))) for c in spec.columns]
    measures = tuple(
        Measure(c, expectation, {"column": c, **kwargs},
                f"(SELECT count(*) FROM {rel} WHERE {cond})")
        for c, cond in conditions
    )
    return _failing_rows(st, spec, measures, " OR ".join(cond for _, cond in conditions))


def _one_condition(
    st: StagedTable, spec: CheckSpec, label: str, gx: tuple[str, dict[str, Any]], failing: str
) -> PlannedCheck:
    """Measure the rows where ``failing`` holds, under ``label``."""
    count = f"(SELECT count(*) FROM {quote(st.staging_table)} WHERE {failing})"
    return _failing_rows(st, spec, (Measure(label, gx[0], gx[1], count),), failing)


def _not_null(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    return _each_column(st, spec, "ExpectColumnValuesToNotBeNull", {}, "{c} IS NULL")


def _non_negative(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    return _each_column(st, spec, "ExpectColumnValuesToBeBetween", {"min_value": 0}, "{c} < 0")


def _unique(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    rel = quote(st.staging_table)
    cols = spec.columns
    keys = ", ".join(quote(c) for c in cols)
    dup_sql = (
        f"(SELECT count(*) FROM (SELECT count(*) OVER (PARTITION BY {keys}) AS n "
        f"FROM {rel}) WHERE n > 1)"
    )
    gx = (
        ("ExpectColumnValuesToBeUnique", {"column": cols[0]})
        if len(cols) == 1
        else ("ExpectCompoundColumnsToBeUnique", {"column_list": list(cols)})
    )
    return PlannedCheck(
        st, spec, st.staging_table, st.rows,
        (Measure("+".join(cols), gx[0], gx[1], dup_sql),),
        f"SELECT * FROM {rel} QUALIFY count(*) OVER (PARTITION BY {keys}) > 1 "
        f"ORDER BY {keys} LIMIT 5",
    )


def _not_greater(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    small, big = spec.columns
    gx = (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": big, "column_B": small, "or_equal": True,
         "ignore_row_if": "either_value_is_missing"},
    )
    return _one_condition(st, spec, f"{small}<={big}", gx, f"{quote(small)} > {quote(big)}")


def _in_set(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    (column,) = spec.columns
    values = tuple(spec.params["values"])
    failing = f"{quote(column)} IS NOT NULL AND {quote(column)} NOT IN ({_sql_list(values)})"
    gx = ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(values)})
    return _one_condition(st, spec, column, gx, failing)


def _freshness(_con: _Con, st: StagedTable, spec: CheckSpec, window_end: date) -> PlannedCheck:
    (column,) = spec.columns
    oldest_ok = window_end - timedelta(days=int(spec.params["days"]))
    measure = Measure(
        "max",
        "ExpectColumnMaxToBeBetween",
        {"column": column, "min_value": oldest_ok.isoformat()},
        f"(SELECT max({quote(column)}) FROM {quote(st.staging_table)})",
        "observed_value",
    )
    return PlannedCheck(st, spec, st.staging_table, st.rows, (measure,), None, (oldest_ok, None))


def _row_count_vs_previous(
    con: _Con, st: StagedTable, spec: CheckSpec, _end: date
) -> PlannedCheck:
    prev = previous_rows(con, st)
    low = math.ceil(prev * float(spec.params["min_ratio"])) if prev is not None else 0
    measure = Measure(
        "rows",
        "ExpectTableRowCountToBeBetween",
        {"min_value": low},
        f"(SELECT count(*) FROM {quote(st.staging_table)})",
        "observed_value",
    )
    note = None if prev else "no previous load to compare with"
    return PlannedCheck(st, spec, st.staging_table, st.rows, (measure,), None, (low, None), note)


def _no_rejects(_con: _Con, st: StagedTable, spec: CheckSpec, _end: date) -> PlannedCheck:
    rrel = quote(st.rejects_table)
    measure = Measure(
        "rows",
        "ExpectTableRowCountToEqual",
        {"value": 0},
        f"(SELECT count(*) FROM {rrel})",
        "observed_value",
    )
    return PlannedCheck(
        st, spec, st.rejects_table, st.rejects, (measure,), f"SELECT * FROM {rrel} LIMIT 5", (0, 0)
    )


_PLANNERS: dict[CheckKind, Callable[[_Con, StagedTable, CheckSpec, date], PlannedCheck]] = {
    CheckKind.NOT_NULL: _not_null,
    CheckKind.UNIQUE: _unique,
    CheckKind.NON_NEGATIVE: _non_negative,
    CheckKind.NOT_GREATER: _not_greater,
    CheckKind.IN_SET: _in_set,
    CheckKind.FRESHNESS: _freshness,
    CheckKind.ROW_COUNT_VS_PREVIOUS: _row_count_vs_previous,
    CheckKind.NO_REJECTS: _no_rejects,
}


def _plan_one(con: _Con, st: StagedTable, spec: CheckSpec, window_end: date) -> PlannedCheck:
    planner = _PLANNERS.get(spec.kind)
    if planner is None:
        raise ValueError(f"unknown check kind {spec.kind}")
    return planner(con, st, spec, window_end)


def plan_checks(
    con: duckdb.DuckDBPyConnection, staged: StagedBatch, window_end: date | None = None
) -> list[PlannedCheck]:
    """Bind every declared check of every staged table to its relation."""
    end = window_end or staged.batch.window_end or datetime.now(UTC).date()
    planned: list[PlannedCheck] = []
    for st in staged.tables:
        for spec in table_spec(st.table).checks:
            planned.append(_plan_one(con, st, spec, end))
    return planned
