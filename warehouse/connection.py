"""The DuckDB warehouse handle: one file, one writer, migrations applied on open.

A :class:`Warehouse` owns one DuckDB connection. Writes go through :meth:`Warehouse.transaction`
(``BEGIN`` ... ``COMMIT``, ``ROLLBACK`` on any error); every duckdb error is translated into the
tree in :mod:`warehouse.errors`. Only flows open the file read-write, one process at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from warehouse.errors import WarehouseError, translate_errors
from warehouse.migrate import apply_migrations

__all__ = ["Warehouse", "connect"]


class Warehouse:
    """A DuckDB warehouse file plus the folders that go with it.

    Args:
        path: the DuckDB file (``":memory:"`` for throwaway tests).
        landing_root: root of the immutable landing files; default ``<db dir>/landing``.
        quarantine_root: where quarantined landing files are copied; default
            ``<landing_root>/../quarantine``.
        reporting_currency: ISO code that ``core`` converts spend into (default USD).
        read_only: open without writing (fails while a writer holds the file).
        migrate: apply pending migrations on open (ignored when ``read_only``).

    """

    def __init__(
        self,
        path: str | Path,
        *,
        landing_root: str | Path | None = None,
        quarantine_root: str | Path | None = None,
        reporting_currency: str = "USD",
        read_only: bool = False,
        migrate: bool = True,
    ) -> None:
        self.path = str(path)
        base = Path(self.path).parent if self.path != ":memory:" else Path.cwd()
        self.landing_root = Path(landing_root) if landing_root else base / "landing"
        self.quarantine_root = (
            Path(quarantine_root) if quarantine_root else self.landing_root.parent / "quarantine"
        )
        self.reporting_currency = reporting_currency.upper()
        self.read_only = read_only
        self._lock = threading.RLock()
        with translate_errors(WarehouseError, f"open {self.path}"):
            self._con = duckdb.connect(self.path, read_only=read_only)
        self.applied_migrations: list[int] = []
        if migrate and not read_only:
            try:
                self.applied_migrations = apply_migrations(self._con)
            except BaseException:
                self._con.close()
                raise

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The raw DuckDB connection (for reads; write through :meth:`transaction`)."""
        return self._con

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run one statement outside an explicit transaction; return the DuckDB result."""
        with self._lock, translate_errors(WarehouseError, "query"):
            return self._con.execute(sql, params)

    def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run a query and return all rows."""
        with self._lock, translate_errors(WarehouseError, "query"):
            return self._con.execute(sql, params).fetchall()

    @contextmanager
    def transaction(
        self, error: type[WarehouseError] = WarehouseError, context: str = "transaction"
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block in one DuckDB transaction: all of it commits, or none of it.

        Args:
            error: warehouse error class that duckdb errors in the block become.
            context: operation name for error messages.

        Yields:
            The connection to execute statements on.

        """
        with self._lock, translate_errors(error, context):
            self._con.execute("BEGIN TRANSACTION")
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            self._con.execute("COMMIT")

    def checkpoint(self) -> None:
        """Merge the WAL into the database file (run after each stage of a flow)."""
        with self._lock, translate_errors(WarehouseError, "checkpoint"):
            self._con.execute("FORCE CHECKPOINT")

    def close(self) -> None:
        """Close the connection (DuckDB checkpoints on clean shutdown)."""
        with self._lock:
            self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def connect(path: str | Path, **options: Any) -> Warehouse:
    """Open (and migrate) the warehouse at ``path``; options as for :class:`Warehouse`."""
    return Warehouse(path, **options)
