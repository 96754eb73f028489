"""A digest of the demo's warehouse: row count and an order-independent checksum per table.

Every table and view of the ``core`` and ``marts`` schemas is summed as rows of its columns,
leaving out what changes from run to run by design (run ids, load times, report paths).
Doubles are rounded to 6 decimals (a sum's last bits depend on the order rows arrive in).
The seeded sandbox on a fixed day (``CAMPAIGN_OPS_SANDBOX_TODAY``) gives the same digest on
every run, so a refactoring that changes any number shows up as a changed table.

    python -m tests.e2e.demo_digest data/warehouse.duckdb > tests/e2e/demo_digest.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

SCHEMAS = ("core", "marts")
DEMO_DAY = "2026-11-26"
VOLATILE = frozenset({"_run_id", "_loaded_at", "run_id", "built_at", "report_path",
                      "flow_run_id"})


def _value(column: str, data_type: str) -> str:
    quoted = f'"{column}"'
    if data_type in {"DOUBLE", "FLOAT", "REAL"}:
        return f"round({quoted}, 6)"
    return quoted


def digest(path: Path) -> dict[str, dict[str, int | str]]:
    """Return ``{schema.table: {"rows": n, "checksum": "..."}}`` of the warehouse at ``path``."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            f"WHERE table_schema IN {SCHEMAS} ORDER BY 1, 2").fetchall()
        out: dict[str, dict[str, int | str]] = {}
        for schema, table in tables:
            columns = [
                _value(name, data_type) for name, data_type in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    [schema, table]).fetchall()
                if name not in VOLATILE
            ]
            row = con.execute(
                f"SELECT count(*), coalesce(sum(hash({', '.join(columns)})::HUGEINT), 0)"
                f" FROM {schema}.{table}").fetchone()
            assert row is not None
            out[f"{schema}.{table}"] = {"rows": int(row[0]), "checksum": str(row[1])}
        return out
    finally:
        con.close()


if __name__ == "__main__":
    json.dump(digest(Path(sys.argv[1])), sys.stdout, indent=1, sort_keys=True)
    print()
