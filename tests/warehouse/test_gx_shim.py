"""The GX route on DuckDB: the shim is needed, it works, and a broken check is its own error."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

import warehouse
from tests.warehouse.conftest import DAY0, insight_rows, land
from warehouse.quality.gx_engine import (
    install_buffering_shim,
    run_with_gx,
    uninstall_buffering_shim,
)
from warehouse.quality.plan import Measure, plan_checks


def _spoiled_batch(wh: warehouse.Warehouse) -> warehouse.StagedBatch:
    rows = insight_rows(n_ads=20, days=10)
    for i in range(0, 200, 7):
        rows[i]["clicks"] = rows[i]["impressions"] + 5
    for i in range(3, 200, 11):
        rows[i]["spend"] = Decimal("-2")
    rows[5]["currency"] = "ZZZ"
    rows.extend(dict(r) for r in rows[:4])
    return warehouse.stage_batch(
        wh, land(wh, "r1", {"ad_insights_daily": rows}, window_end=DAY0 + timedelta(days=20))
    )


def test_gx_measures_equal_native_measures(wh: warehouse.Warehouse) -> None:
    """Would fail if GX silently returned empty results or counted nothing."""
    staged = _spoiled_batch(wh)
    gx = warehouse.run_quality(wh, staged, warehouse.QualityContext(engine="gx"))
    native = warehouse.run_quality(wh, staged, warehouse.QualityContext(engine="duckdb"))
    assert [(r.check, r.passed, r.observed) for r in gx.results] == [
        (r.check, r.passed, r.observed) for r in native.results
    ]
    observed = {r.check: r.observed for r in gx.results}
    assert observed["clicks_le_impressions"] == {
        "clicks<=impressions": 30
    }  # 29 spoiled + 1 duplicate
    assert observed["metrics_non_negative"]["spend"] == 19
    assert observed["natural_key_unique"] == {"ad_id+date": 8}
    assert observed["currency_known"] == {"currency": 1}
    assert observed["freshness"] == (DAY0 + timedelta(days=9)).isoformat()
    assert {r.check for r in gx.errors} == {
        "clicks_le_impressions",
        "metrics_non_negative",
        "natural_key_unique",
        "currency_known",
    }


@pytest.fixture
def without_shim() -> Iterator[None]:
    uninstall_buffering_shim()
    yield
    install_buffering_shim()


def test_without_shim_gx_is_broken_and_that_is_not_read_as_data(
    wh: warehouse.Warehouse, without_shim: None
) -> None:
    staged = warehouse.stage_batch(wh, land(wh, "r1", {"ad_insights_daily": insight_rows()}))
    planned = plan_checks(wh.con.cursor(), staged)
    # run_with_gx would install the shim itself; call GX the shipped way.
    import warehouse.quality.gx_engine as engine

    original = engine.install_buffering_shim
    engine.install_buffering_shim = lambda: None  # type: ignore[assignment]
    try:
        with pytest.raises(warehouse.QualityRunError, match="could not be evaluated"):
            run_with_gx(wh, planned)
    finally:
        engine.install_buffering_shim = original  # type: ignore[assignment]


def test_a_broken_expectation_is_a_run_error_not_bad_data(wh: warehouse.Warehouse) -> None:
    staged = warehouse.stage_batch(wh, land(wh, "r1", {"ad_insights_daily": insight_rows()}))
    planned = plan_checks(wh.con.cursor(), staged)
    broken = planned[0]
    bad = Measure("nope", "ExpectColumnValuesToNotBeNull", {"column": "no_such_column"}, "0")
    planned[0] = type(broken)(**{**broken.__dict__, "measures": (bad,)})
    with pytest.raises(warehouse.QualityRunError) as info:
        run_with_gx(wh, planned)
    assert not isinstance(info.value, warehouse.DataQualityError)
    assert "keys_not_null" in str(info.value)


def test_importing_warehouse_does_not_import_gx() -> None:
    code = "import sys, warehouse; sys.exit(int('great_expectations' in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_gx_run_releases_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "wh.duckdb"
    wh = warehouse.connect(path)
    staged = warehouse.stage_batch(wh, land(wh, "r1", {"ad_insights_daily": insight_rows()}))
    warehouse.run_quality(wh, staged, warehouse.QualityContext(engine="gx"))
    wh.close()
    code = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
    assert subprocess.run([sys.executable, "-c", code, str(path)]).returncode == 0
