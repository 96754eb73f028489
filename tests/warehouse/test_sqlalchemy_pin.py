"""What the GX route needs from SQLAlchemy + duckdb-engine 0.17, and where reflection breaks.

Measured: inspector-level reflection (``get_columns``, ``has_table``; what GX uses) works on
SQLAlchemy 2.0.30 ... 2.0.58. Full ``Table(autoload_with=...)`` reflection fails from 2.0.55 on
(duckdb-engine's PostgreSQL-derived dialect casts to REGCLASS, which DuckDB lacks) and works
up to 2.0.54. Recommended pin: ``sqlalchemy==2.0.54``.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
import sqlalchemy as sa
from duckdb_engine import ConnectionWrapper

LAST_GOOD = (2, 0, 54)


def _version() -> tuple[int, ...]:
    return tuple(int(p) for p in sa.__version__.split(".")[:3])


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE TABLE staging.x (a INTEGER, b VARCHAR)")
    eng = sa.create_engine("duckdb:///:memory:", creator=lambda: ConnectionWrapper(con.cursor()))
    yield eng
    eng.dispose()
    con.close()


def test_inspector_reflection_used_by_gx_works(engine: sa.Engine) -> None:
    insp = sa.inspect(engine)
    assert insp.has_table("x", schema="staging")
    assert [c["name"] for c in insp.get_columns("x", schema="staging")] == ["a", "b"]


@pytest.mark.filterwarnings("ignore:duckdb-engine doesn.t yet support reflection on indices")
def test_full_table_reflection(engine: sa.Engine) -> None:
    if _version() > LAST_GOOD:
        with pytest.raises(sa.exc.ProgrammingError, match="REGCLASS"):
            sa.Table("x", sa.MetaData(), autoload_with=engine, schema="staging")
        pytest.xfail(f"SQLAlchemy {sa.__version__} > 2.0.54 breaks duckdb-engine autoload")
    table = sa.Table("x", sa.MetaData(), autoload_with=engine, schema="staging")
    assert list(table.columns.keys()) == ["a", "b"]
