"""Landing files -> typed staging tables (``staging.*``), one per landed table of a batch.

Types come from the target platform table. Every value is cast; a value that does not cast is
a :class:`StagingError` naming the table, column, target type and sample values, raised before
anything is created. Staging tables are committed (the quality suite reads them through its
own connection) and dropped by publish or quarantine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from warehouse.connection import Warehouse
from warehouse.errors import StagingError, WarehouseError
from warehouse.landing import LandingFile
from warehouse.platforms import table_spec

__all__ = [
    "LoadBatch",
    "StagedBatch",
    "StagedTable",
    "drop_staging",
    "quote",
    "stage_batch",
    "table_columns",
]

_META_COLUMNS = ("_run_id", "_loaded_at")


@dataclass(frozen=True)
class LoadBatch:
    """The landed files of one (platform, account) for one run: the unit of publish.

    Attributes:
        platform: ``meta_ads``.
        account_id: the account.
        run_id: the extract run.
        files: one landing file per stream/table.
        window_end: last day of the extract window (freshness is measured against it).

    """

    platform: str
    account_id: str
    run_id: str
    files: tuple[LandingFile, ...]
    window_end: date | None = None


@dataclass(frozen=True)
class StagedTable:
    """One typed staging table ready for the quality suite and publish."""

    table: str
    stream: str
    staging_table: str
    rejects_table: str
    rows: int
    rejects: int
    landing: LandingFile
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagedBatch:
    """A staged :class:`LoadBatch`."""

    batch: LoadBatch
    tables: tuple[StagedTable, ...] = field(default_factory=tuple)

    def table(self, name: str) -> StagedTable:
        """Return the staged table for a qualified target table name."""
        for staged in self.tables:
            if staged.table == name:
                return staged
        raise KeyError(name)


def quote(identifier: str) -> str:
    """Quote a DuckDB identifier (``a.b`` is quoted part by part)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in identifier.split("."))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(column, type) of a qualified table, in table order."""
    schema, name = table.split(".", 1)
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return [(str(c), str(t)) for c, t in rows]


def _staging_name(batch: LoadBatch, table: str, suffix: str = "") -> str:
    raw = f"{table.replace('.', '__')}__{batch.account_id}__{batch.run_id}{suffix}"
    return "staging." + re.sub(r"[^A-Za-z0-9_]", "_", raw)


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _stage_table(con: duckdb.DuckDBPyConnection, batch: LoadBatch, lf: LandingFile) -> StagedTable:
    try:
        spec = table_spec(lf.table)
    except WarehouseError as exc:
        raise StagingError(str(exc)) from None
    target = table_columns(con, spec.table)
    if not target:
        raise StagingError(f"target table {spec.table} does not exist (migrations not applied?)")
    staging = _staging_name(batch, spec.table)
    rejects = _staging_name(batch, spec.table, "__rejects")
    data_columns = [(c, t) for c, t in target if c not in _META_COLUMNS]
    landed: set[str] = set()
    if lf.rows > 0:
        landed = {
            str(r[0])
            for r in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_sql_path(lf.path)})"
            ).fetchall()
        }
    failures: list[str] = []
    if landed:
        checks = [
            f"count(*) FILTER (WHERE {quote(c)} IS NOT NULL "
            f"AND TRY_CAST({quote(c)} AS {t}) IS NULL)"
            for c, t in data_columns
            if c in landed
        ]
        counted = [(c, t) for c, t in data_columns if c in landed]
        if checks:
            counts = con.execute(
                f"SELECT {', '.join(checks)} FROM read_parquet({_sql_path(lf.path)})"
            ).fetchone()
            for (column, type_), bad in zip(counted, counts or (), strict=True):
                if bad:
                    samples = con.execute(
                        f"SELECT DISTINCT CAST({quote(column)} AS VARCHAR) "
                        f"FROM read_parquet({_sql_path(lf.path)}) "
                        f"WHERE {quote(column)} IS NOT NULL "
                        f"AND TRY_CAST({quote(column)} AS {type_}) IS NULL LIMIT 5"
                    ).fetchall()
                    failures.append(
                        f"{spec.table}.{column}: {bad} value(s) do not cast to {type_}, "
                        f"e.g. {[s[0] for s in samples]}"
                    )
    if failures:
        raise StagingError(f"cannot stage {lf.path} into {spec.table}: " + "; ".join(failures))
    select = [
        f"CAST({quote(c)} AS {t}) AS {quote(c)}"
        if c in landed
        else f"CAST(NULL AS {t}) AS {quote(c)}"
        for c, t in data_columns
    ]
    select += [f"CAST({_literal(batch.run_id)} AS VARCHAR) AS _run_id", "now() AS _loaded_at"]
    source = f"read_parquet({_sql_path(lf.path)})" if landed else "(SELECT 1 WHERE false)"
    con.execute(
        f"CREATE OR REPLACE TABLE {quote(staging)} AS SELECT {', '.join(select)} FROM {source}"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {quote(rejects)} "
        "(stream VARCHAR, raw_json VARCHAR, error VARCHAR, location VARCHAR)"
    )
    if lf.rejects_path is not None and lf.rejects > 0:
        con.execute(
            f"INSERT INTO {quote(rejects)} SELECT stream, raw_json, error, location FROM read_json("
            f"{_sql_path(lf.rejects_path)}, format='newline_delimited', columns={{"
            "stream: 'VARCHAR', raw_json: 'VARCHAR', error: 'VARCHAR', location: 'VARCHAR'})"
        )
    row = con.execute(f"SELECT count(*) FROM {quote(staging)}").fetchone()
    rej = con.execute(f"SELECT count(*) FROM {quote(rejects)}").fetchone()
    ignored = tuple(sorted(landed - {c for c, _ in target}))
    return StagedTable(
        table=spec.table,
        stream=lf.stream,
        staging_table=staging,
        rejects_table=rejects,
        rows=int(row[0]) if row else 0,
        rejects=int(rej[0]) if rej else 0,
        landing=lf,
        ignored_columns=ignored,
    )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stage_batch(wh: Warehouse, batch: LoadBatch) -> StagedBatch:
    """Load every landing file of a batch into typed staging tables.

    Raises:
        StagingError: a file belongs to another batch, a value does not cast to its column
            type (the message names table, column, type and sample values), or DuckDB failed.

    """
    for lf in batch.files:
        if (lf.platform, lf.account_id, lf.run_id) != (
            batch.platform,
            batch.account_id,
            batch.run_id,
        ):
            raise StagingError(f"landing file {lf.path} does not belong to batch {batch}")
    tables: list[StagedTable] = []
    with wh.transaction(StagingError, f"stage {batch.platform}/{batch.account_id}") as con:
        for lf in batch.files:
            tables.append(_stage_table(con, batch, lf))
    return StagedBatch(batch=batch, tables=tuple(tables))


def drop_staging(con: duckdb.DuckDBPyConnection, staged: StagedBatch) -> None:
    """Drop the staging tables of a batch (inside the caller's transaction)."""
    for st in staged.tables:
        con.execute(f"DROP TABLE IF EXISTS {quote(st.staging_table)}")
        con.execute(f"DROP TABLE IF EXISTS {quote(st.rejects_table)}")


def staged_days(con: duckdb.DuckDBPyConnection, st: StagedTable) -> int | None:
    """Distinct report days in a staged day-grained table (None for entity tables)."""
    column = table_spec(st.table).date_column
    if column is None:
        return None
    row = con.execute(
        f"SELECT count(DISTINCT {quote(column)}) FROM {quote(st.staging_table)}"
    ).fetchone()
    return int(row[0]) if row else 0
