"""Numbered SQL migrations (``warehouse/migrations/NNN_name.sql``), applied on open.

Each file runs in its own transaction together with its row in ``ops.schema_migrations``, so a
crash leaves either the whole migration or none of it. Applied files are identified by number
and checksum: editing an applied file is an error (add a new file instead).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse.errors import MigrationError, translate_errors

__all__ = ["Migration", "apply_migrations", "load_migrations", "split_statements"]

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    checksum   VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations() -> list[Migration]:
    """Read every ``NNN_name.sql`` file shipped in ``warehouse.migrations``, in order."""
    found: list[Migration] = []
    for entry in resources.files("warehouse.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match is None:
            continue
        found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {versions}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a SQL script on ``;`` at line ends (our files never put ``;`` inside strings)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations; return the versions applied (empty when up to date).

    Raises:
        MigrationError: a migration failed (it was rolled back), or an applied file changed.

    """
    with translate_errors(MigrationError, "bootstrap ops.schema_migrations"):
        con.execute(_BOOTSTRAP)
        applied = {
            int(v): str(c)
            for v, c in con.execute(
                "SELECT version, checksum FROM ops.schema_migrations"
            ).fetchall()
        }
    done: list[int] = []
    for migration in load_migrations():
        if migration.version in applied:
            if applied[migration.version] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.version:03d}_{migration.name}.sql was edited after "
                    "it was applied; add a new numbered file instead"
                )
            continue
        label = f"migration {migration.version:03d}_{migration.name}.sql"
        with translate_errors(MigrationError, label):
            con.execute("BEGIN TRANSACTION")
            try:
                for statement in split_statements(migration.sql):
                    con.execute(statement)
                con.execute(
                    "INSERT INTO ops.schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                    [migration.version, migration.name, migration.checksum],
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        done.append(migration.version)
    return done
