"""Turn a table's declared suite into measurable checks, for GX and for native DuckDB alike.

Each :class:`PlannedCheck` lists its *measures* (one per column, or one for the table): a GX
expectation (class name + kwargs) and the equivalent scalar SQL. Both engines fill in the same
measures, so their reports are comparable check by check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from warehouse.platforms import table_spec
from warehouse.spec import CheckKind, CheckSpec
from warehouse.staging import StagedBatch, StagedTable, quote, staged_days

__all__ = ["Measure", "PlannedCheck", "plan_checks", "previous_rows"]


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


def _plan_one(
    con: duckdb.DuckDBPyConnection, st: StagedTable, spec: CheckSpec, window_end: date
) -> PlannedCheck:
    rel = quote(st.staging_table)
    cols = spec.columns
    kind = spec.kind
    if kind is CheckKind.NOT_NULL:
        measures = tuple(
            Measure(
                c,
                "ExpectColumnValuesToNotBeNull",
                {"column": c},
                f"(SELECT count(*) FROM {rel} WHERE {quote(c)} IS NULL)",
            )
            for c in cols
        )
        where = " OR ".join(f"{quote(c)} IS NULL" for c in cols)
        return PlannedCheck(
            st,
            spec,
            st.staging_table,
            st.rows,
            measures,
            f"SELECT * FROM {rel} WHERE {where} LIMIT 5",
        )
    if kind is CheckKind.UNIQUE:
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
            st,
            spec,
            st.staging_table,
            st.rows,
            (Measure("+".join(cols), gx[0], gx[1], dup_sql),),
            f"SELECT * FROM {rel} QUALIFY count(*) OVER (PARTITION BY {keys}) > 1 "
            f"ORDER BY {keys} LIMIT 5",
        )
    if kind is CheckKind.NON_NEGATIVE:
        measures = tuple(
            Measure(
                c,
                "ExpectColumnValuesToBeBetween",
                {"column": c, "min_value": 0},
                f"(SELECT count(*) FROM {rel} WHERE {quote(c)} < 0)",
            )
            for c in cols
        )
        where = " OR ".join(f"{quote(c)} < 0" for c in cols)
        return PlannedCheck(
            st,
            spec,
            st.staging_table,
            st.rows,
            measures,
            f"SELECT * FROM {rel} WHERE {where} LIMIT 5",
        )
    if kind is CheckKind.NOT_GREATER:
        small, big = cols
        cond = f"{quote(small)} > {quote(big)}"
        measure = Measure(
            f"{small}<={big}",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": big,
                "column_B": small,
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            f"(SELECT count(*) FROM {rel} WHERE {cond})",
        )
        return PlannedCheck(
            st,
            spec,
            st.staging_table,
            st.rows,
            (measure,),
            f"SELECT * FROM {rel} WHERE {cond} LIMIT 5",
        )
    if kind is CheckKind.IN_SET:
        (column,) = cols
        values = tuple(spec.params["values"])
        cond = f"{quote(column)} IS NOT NULL AND {quote(column)} NOT IN ({_sql_list(values)})"
        measure = Measure(
            column,
            "ExpectColumnValuesToBeInSet",
            {"column": column, "value_set": list(values)},
            f"(SELECT count(*) FROM {rel} WHERE {cond})",
        )
        return PlannedCheck(
            st,
            spec,
            st.staging_table,
            st.rows,
            (measure,),
            f"SELECT * FROM {rel} WHERE {cond} LIMIT 5",
        )
    if kind is CheckKind.FRESHNESS:
        (column,) = cols
        oldest_ok = window_end - timedelta(days=int(spec.params["days"]))
        measure = Measure(
            "max",
            "ExpectColumnMaxToBeBetween",
            {"column": column, "min_value": oldest_ok.isoformat()},
            f"(SELECT max({quote(column)}) FROM {rel})",
            "observed_value",
        )
        return PlannedCheck(
            st, spec, st.staging_table, st.rows, (measure,), None, (oldest_ok, None)
        )
    if kind is CheckKind.ROW_COUNT_VS_PREVIOUS:
        prev = previous_rows(con, st)
        low = math.ceil(prev * float(spec.params["min_ratio"])) if prev is not None else 0
        measure = Measure(
            "rows",
            "ExpectTableRowCountToBeBetween",
            {"min_value": low},
            f"(SELECT count(*) FROM {rel})",
            "observed_value",
        )
        note = None if prev else "no previous load to compare with"
        return PlannedCheck(
            st, spec, st.staging_table, st.rows, (measure,), None, (low, None), note
        )
    if kind is CheckKind.NO_REJECTS:
        rrel = quote(st.rejects_table)
        measure = Measure(
            "rows",
            "ExpectTableRowCountToEqual",
            {"value": 0},
            f"(SELECT count(*) FROM {rrel})",
            "observed_value",
        )
        return PlannedCheck(
            st,
            spec,
            st.rejects_table,
            st.rejects,
            (measure,),
            f"SELECT * FROM {rrel} LIMIT 5",
            (0, 0),
        )
    raise ValueError(f"unknown check kind {kind}")


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
