"""Publish a checked batch atomically, or quarantine it.

:func:`publish` runs in ONE DuckDB transaction per (platform, account) batch: merge each staged
table into its platform table on the natural key (insert new keys, update rows whose values
changed: a re-pulled lookback day overwrites), refresh the batch's slice of ``core``, record
``ops.loads`` and ``ops.quality_results``, advance ``ops.extract_state`` and drop the staging
tables. A crash or error at any point leaves every table as it was (see the kill test).

A report with a failed ERROR check never reaches the transaction: the batch is quarantined
(:func:`quarantine`) and :class:`DataQualityError` is raised.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.connection import Warehouse
from warehouse.errors import DataQualityError, PublishError, WarehouseError
from warehouse.migrate import split_statements
from warehouse.platforms import core_model_sql, table_spec
from warehouse.quality.report import QualityReport
from warehouse.staging import (
    StagedBatch,
    StagedTable,
    drop_staging,
    quote,
    staged_days,
    table_columns,
)

__all__ = [
    "CursorUpdate",
    "PublishResult",
    "QuarantineResult",
    "TableLoad",
    "get_cursor",
    "publish",
    "quarantine",
    "record_api_calls",
]


@dataclass(frozen=True)
class CursorUpdate:
    """Advance the incremental cursor of one stream of the batch's account."""

    stream: str
    cursor_date: date


@dataclass(frozen=True)
class TableLoad:
    """Rows merged into one table."""

    table: str
    rows: int
    inserted: int
    updated: int


@dataclass(frozen=True)
class PublishResult:
    """What one publish changed."""

    platform: str
    account_id: str
    run_id: str
    tables: tuple[TableLoad, ...]
    cursors: tuple[CursorUpdate, ...]
    warnings: tuple[str, ...] = ()
    report: QualityReport | None = None
    set_aside: tuple[Path, ...] = ()  # rejected records copied to the quarantine folder

    def table(self, name: str) -> TableLoad:
        """Return the load of one qualified table."""
        for load in self.tables:
            if load.table == name:
                return load
        raise KeyError(name)


@dataclass(frozen=True)
class QuarantineResult:
    """Where a quarantined batch's files went."""

    run_id: str
    folder: Path
    files: tuple[Path, ...]
    reason: str


_LOADS_COLUMNS = (
    'run_id, platform, account_id, table_name, rows, inserted, updated, status, "at", days'
)


def _merge(con: duckdb.DuckDBPyConnection, st: StagedTable) -> TableLoad:
    spec = table_spec(st.table)
    columns = [c for c, _ in table_columns(con, st.table)]
    keys = spec.natural_key
    data = [c for c in columns if c not in keys and not c.startswith("_")]
    target, source = quote(st.table), quote(st.staging_table)
    on = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in keys)
    changed = " OR ".join(f"t.{quote(c)} IS DISTINCT FROM s.{quote(c)}" for c in data) or "false"
    sets = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns if c not in keys)
    names = ", ".join(quote(c) for c in columns)
    values = ", ".join(f"s.{quote(c)}" for c in columns)
    before = _count(con, st.table)
    merged = con.execute(
        f"MERGE INTO {target} AS t USING {source} AS s ON {on} "
        f"WHEN MATCHED AND ({changed}) THEN UPDATE SET {sets} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    ).fetchone()
    inserted = _count(con, st.table) - before
    touched = int(merged[0]) if merged else 0
    return TableLoad(st.table, st.rows, inserted, touched - inserted)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()
    return int(row[0]) if row else 0


def _refresh_core(con: duckdb.DuckDBPyConnection, wh: Warehouse, staged: StagedBatch) -> None:
    batch = staged.batch
    sql = core_model_sql(batch.platform)
    if sql is None:
        return
    date_from = date_to = None
    for st in staged.tables:
        spec = table_spec(st.table)
        if spec.date_column is not None and st.rows:
            row = con.execute(
                f"SELECT min({quote(spec.date_column)}), max({quote(spec.date_column)}) "
                f"FROM {quote(st.staging_table)}"
            ).fetchone()
            if row and row[0] is not None:
                date_from = row[0] if date_from is None else min(date_from, row[0])
                date_to = row[1] if date_to is None else max(date_to, row[1])
    params: dict[str, Any] = {
        "account_id": batch.account_id,
        "date_from": date_from,
        "date_to": date_to,
        "reporting_currency": wh.reporting_currency,
        "run_id": batch.run_id,
    }
    for statement in split_statements(sql):
        used = set(re.findall(r"\$([a-z_]+)", statement))
        con.execute(statement, {k: v for k, v in params.items() if k in used})


# (table, original amount, reporting amount, currency, day expression) of each core table
# whose money the core models convert to the reporting currency.
_CONVERTED = (
    ("core.ad_performance_daily", "spend", "spend_reporting", "currency", "date"),
    ("core.conversions", "value", "value_reporting", "currency", "CAST(occurred_at AS DATE)"),
    ("core.orders", "total", "total_reporting", "currency", "CAST(ordered_at AS DATE)"),
)


def _check_converted(con: duckdb.DuckDBPyConnection, staged: StagedBatch) -> None:
    """Refuse a publish that leaves money without a reporting-currency value.

    Raises:
        PublishError: a currency (or the reporting currency) has no rate in core.fx_rates;
            the surrounding transaction rolls back, so nothing of the batch is published.

    """
    batch = staged.batch
    problems = []
    for table, amount, reporting, currency, day in _CONVERTED:
        missing = con.execute(
            f"SELECT {currency}, min({day}), max({day}), count(*) FROM {table} "
            f"WHERE platform = ? AND _run_id = ? AND {amount} IS NOT NULL "
            f"AND {reporting} IS NULL GROUP BY ALL ORDER BY 1",
            [batch.platform, batch.run_id],
        ).fetchall()
        problems += [f"{table}.{amount} in {c}: {n} row(s) {lo}..{hi}" for c, lo, hi, n in missing]
    if problems:
        raise PublishError(
            f"{batch.platform} {batch.account_id}: money left unconverted to the reporting "
            f"currency (no rate in core.fx_rates for {'; '.join(problems)}); nothing "
            "published. Load the missing rates into core.fx_rates and re-run."
        )


def _record_quality(con: duckdb.DuckDBPyConnection, report: QualityReport, at: datetime) -> None:
    rows = [
        (
            report.run_id,
            report.platform,
            report.account_id,
            r.table,
            r.check,
            str(r.severity),
            r.passed,
            json.dumps(r.observed, default=str),
            json.dumps(list(r.samples), default=str),
            at,
        )
        for r in report.results
    ]
    if rows:
        con.executemany(
            "INSERT INTO ops.quality_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )


def _check_report(staged: StagedBatch, report: QualityReport) -> None:
    b = staged.batch
    if (report.platform, report.account_id, report.run_id) != (b.platform, b.account_id, b.run_id):
        raise PublishError(
            f"quality report is for {report.platform}/{report.account_id}/{report.run_id}, "
            f"batch is {b.platform}/{b.account_id}/{b.run_id}"
        )
    checked = {r.table for r in report.results}
    unchecked = [st.table for st in staged.tables if st.table not in checked]
    if unchecked:
        raise PublishError(f"no quality results for {unchecked}; run the suite first")


def publish(
    wh: Warehouse,
    staged: StagedBatch,
    report: QualityReport,
    cursor_updates: Sequence[CursorUpdate] = (),
    *,
    checkpoint: bool = True,
) -> PublishResult:
    """Publish a staged, checked batch in one transaction, or quarantine it.

    Args:
        wh: the warehouse.
        staged: the staged batch.
        report: its quality report (from :func:`warehouse.quality.gate.run_quality`).
        cursor_updates: cursors to advance with the data (same transaction).
        checkpoint: run ``CHECKPOINT`` after the commit.

    Returns:
        Rows per table (inserted/updated) and the cursors advanced.

    Raises:
        DataQualityError: an ERROR check failed; the batch was quarantined, nothing published.
        PublishError: the transaction failed and was rolled back (nothing changed).

    """
    _check_report(staged, report)
    if report.has_errors:
        set_aside = quarantine(wh, staged, report)
        raise DataQualityError(
            f"batch {staged.batch.platform}/{staged.batch.account_id}/{staged.batch.run_id} "
            f"quarantined in {set_aside.folder}, nothing published:\n{report.summary()}",
            report,
        )
    batch = staged.batch
    at = datetime.now(UTC)
    loads: list[TableLoad] = []
    rejects = _copy_rejects(wh, staged)
    with wh.transaction(PublishError, f"publish {batch.platform}/{batch.account_id}") as con:
        days = {st.table: staged_days(con, st) for st in staged.tables}
        for st in staged.tables:
            loads.append(_merge(con, st))
        _refresh_core(con, wh, staged)
        _check_converted(con, staged)
        con.executemany(
            f"INSERT INTO ops.loads ({_LOADS_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'published', ?, ?)",
            [
                (
                    batch.run_id,
                    batch.platform,
                    batch.account_id,
                    ld.table,
                    ld.rows,
                    ld.inserted,
                    ld.updated,
                    at,
                    days[ld.table],
                )
                for ld in loads
            ],
        )
        _record_quality(con, report, at)
        for st, src, dst in rejects:
            con.execute(
                "INSERT INTO ops.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [batch.run_id, batch.platform, batch.account_id, st.stream, st.table, str(src),
                 str(dst), f"{st.landing.rejects} rejected record(s) set aside; the valid "
                 "rows were published", at],
            )
        for cu in cursor_updates:
            con.execute(
                "INSERT INTO ops.extract_state VALUES (?, ?, ?, ?, ?, ?) "
                # A backfill of older days must not pull the cursor back: the next scheduled
                # run would then re-read far more than its lookback.
                "ON CONFLICT DO UPDATE SET "
                "cursor_date = greatest(ops.extract_state.cursor_date, excluded.cursor_date), "
                "updated_at = excluded.updated_at, run_id = excluded.run_id",
                [batch.platform, batch.account_id, cu.stream, cu.cursor_date, at, batch.run_id],
            )
        drop_staging(con, staged)
    if checkpoint:
        wh.checkpoint()
    return PublishResult(
        platform=batch.platform,
        account_id=batch.account_id,
        run_id=batch.run_id,
        tables=tuple(loads),
        cursors=tuple(cursor_updates),
        warnings=tuple(f"{r.table} {r.check}: {r.observed}" for r in report.warnings),
        report=report,
        set_aside=tuple(dst for _, _, dst in rejects),
    )


def _copy_rejects(wh: Warehouse, staged: StagedBatch) -> list[tuple[StagedTable, Path, Path]]:
    """Copy the rejects files of a batch that publishes anyway (a WARN-level rejects check).

    The copies sit where a quarantined batch's files would, so people look in one place.
    """
    batch = staged.batch
    folder = wh.quarantine_root / batch.platform / batch.account_id / batch.run_id
    copied = []
    for st in staged.tables:
        src = st.landing.rejects_path
        if src is None or not st.landing.rejects:
            continue
        dst = folder / st.stream / src.name
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        except OSError as exc:
            raise WarehouseError(f"cannot set rejected records aside in {dst}: {exc}") from exc
        copied.append((st, src, dst))
    return copied


def quarantine(
    wh: Warehouse, staged: StagedBatch, report: QualityReport, reason: str | None = None
) -> QuarantineResult:
    """Set a batch aside: copy its landing files to the quarantine folder, record it, drop staging.

    Landing files stay where they are (landing is immutable); the copies sit in
    ``<quarantine_root>/<platform>/<account>/<run_id>/`` with ``report.json``. Platform and core
    tables and cursors are not touched.
    """
    batch = staged.batch
    why = reason or "; ".join(f"{r.table} {r.check}" for r in report.errors) or "manual"
    folder = wh.quarantine_root / batch.platform / batch.account_id / batch.run_id
    copied: list[tuple[StagedTable, Path, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for st in staged.tables:
            for src in (st.landing.path, st.landing.rejects_path):
                if src is None:
                    continue
                dst = folder / st.stream / src.name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
                copied.append((st, src, dst))
        (folder / "report.json").write_text(
            json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8"
        )
    except OSError as exc:
        raise WarehouseError(f"cannot quarantine batch into {folder}: {exc}") from exc
    at = datetime.now(UTC)
    with wh.transaction(WarehouseError, f"quarantine {batch.platform}/{batch.account_id}") as con:
        con.executemany(
            "INSERT INTO ops.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    batch.run_id,
                    batch.platform,
                    batch.account_id,
                    st.stream,
                    st.table,
                    str(src),
                    str(dst),
                    why,
                    at,
                )
                for st, src, dst in copied
            ],
        )
        con.executemany(
            f"INSERT INTO ops.loads ({_LOADS_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, 0, 0, 'quarantined', ?, ?)",
            [
                (
                    batch.run_id,
                    batch.platform,
                    batch.account_id,
                    st.table,
                    st.rows,
                    at,
                    staged_days(con, st),
                )
                for st in staged.tables
            ],
        )
        _record_quality(con, report, at)
        drop_staging(con, staged)
    return QuarantineResult(batch.run_id, folder, tuple(d for _, _, d in copied), why)


def get_cursor(wh: Warehouse, platform: str, account_id: str, stream: str) -> date | None:
    """Return the last published cursor date of a stream, or None before the first publish."""
    rows = wh.fetchall(
        "SELECT cursor_date FROM ops.extract_state WHERE platform = ? AND account_id = ? "
        "AND stream = ?",
        [platform, account_id, stream],
    )
    return rows[0][0] if rows else None


_API_CALL_FIELDS = (
    "platform",
    "account_id",
    "endpoint",
    "method",
    "status",
    "attempt",
    "latency_ms",
    "throttle_headroom",
    "error",
    "started_at",
)


def _as_mapping(call: Any) -> Mapping[str, Any]:
    if isinstance(call, Mapping):
        return call
    if dataclasses.is_dataclass(call) and not isinstance(call, type):
        return dataclasses.asdict(call)
    dump = getattr(call, "model_dump", None)
    if callable(dump):
        result = dump()
        if isinstance(result, Mapping):
            return result
    return {f: getattr(call, f, None) for f in _API_CALL_FIELDS}


def record_api_calls(wh: Warehouse, run_id: str | None, calls: Iterable[Any]) -> int:
    """Append recorded HTTP calls (``ApiCall``-like objects or dicts) to ``ops.api_calls``.

    Returns:
        The number of rows written.

    """
    rows = []
    for call in calls:
        m = _as_mapping(call)
        rows.append((run_id, *[m.get(f) for f in _API_CALL_FIELDS]))
    if rows:
        with wh.transaction(WarehouseError, "record api calls") as con:
            con.executemany(
                "INSERT INTO ops.api_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
    return len(rows)
