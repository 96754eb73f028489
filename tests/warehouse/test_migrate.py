from __future__ import annotations

from pathlib import Path

import pytest

import warehouse
from warehouse.migrate import load_migrations, split_statements


def _schema(wh: warehouse.Warehouse) -> list[tuple[object, ...]]:
    return wh.fetchall(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "ORDER BY ALL"
    )


def test_migrations_apply_once_and_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    first = warehouse.connect(path)
    assert first.applied_migrations == [m.version for m in load_migrations()]
    schema = _schema(first)
    fx = first.fetchall("SELECT count(*) FROM core.fx_rates")
    first.close()
    for _ in range(2):
        again = warehouse.connect(path)
        assert again.applied_migrations == []
        assert _schema(again) == schema
        assert again.fetchall("SELECT count(*) FROM core.fx_rates") == fx
        again.close()


def test_numbered_files_cover_every_layer() -> None:
    names = [f"{m.version:03d}_{m.name}" for m in load_migrations()]
    assert names[:3] == ["001_ops", "002_core", "003_meta_ads"]


def test_edited_migration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    wh = warehouse.connect(path)
    wh.execute("UPDATE ops.schema_migrations SET checksum = 'x' WHERE version = 2")
    wh.close()
    with pytest.raises(warehouse.MigrationError, match=r"002_core\.sql was edited"):
        warehouse.connect(path)


def test_every_expected_table_exists(wh: warehouse.Warehouse) -> None:
    tables = {
        f"{s}.{t}"
        for s, t in wh.fetchall("SELECT table_schema, table_name FROM information_schema.tables")
    }
    for name in [
        "ops.api_calls",
        "ops.extract_state",
        "ops.loads",
        "ops.quality_results",
        "ops.quarantine",
        "ops.schema_migrations",
        "meta_ads.accounts",
        "meta_ads.campaigns",
        "meta_ads.ad_sets",
        "meta_ads.ads",
        "meta_ads.ad_insights_daily",
        "core.ad_performance_daily",
        "core.accounts",
        "core.campaigns",
        "core.ad_groups",
        "core.ads",
        "core.fx_rates",
    ]:
        assert name in tables


def test_split_statements_ignores_comments() -> None:
    sql = "-- a; comment\nCREATE TABLE a (x INT);\n\n-- b\nINSERT INTO a VALUES (1);\n"
    assert split_statements(sql) == ["CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"]


def test_second_writer_process_is_a_locked_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "wh.duckdb"
    wh = warehouse.connect(path)
    code = (
        "import sys, warehouse\n"
        "try:\n    warehouse.connect(sys.argv[1])\n"
        "except warehouse.WarehouseLockedError:\n    sys.exit(7)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True)
    wh.close()
    assert proc.returncode == 7, proc.stderr.decode()[-2000:]
