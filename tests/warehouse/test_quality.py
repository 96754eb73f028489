from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

import warehouse
from tests.warehouse.conftest import ACCOUNT, DAY0, campaign_rows, insight_rows, land
from warehouse import Severity

INSIGHTS = "meta_ads.ad_insights_daily"
WINDOW_END = DAY0 + timedelta(days=2)

Rows = list[dict[str, Any]]


def _null_key(rows: Rows) -> None:
    rows[0]["ad_id"] = None


def _duplicate(rows: Rows) -> None:
    rows.append(dict(rows[0]))


def _negative(rows: Rows) -> None:
    rows[1]["spend"] = Decimal("-3.5")


def _clicks(rows: Rows) -> None:
    rows[2]["clicks"] = rows[2]["impressions"] + 1


def _currency(rows: Rows) -> None:
    rows[3]["currency"] = "EUX"


def _negative_view(rows: Rows) -> None:
    rows[1]["view_conversion_value"] = Decimal("-2.5")


def _views_over_value(rows: Rows) -> None:
    # view-through value above the total: the windows disagree (12.00 of 40.25 is fine)
    rows[0]["view_conversion_value"] = Decimal("12.00")
    rows[1]["view_conversion_value"] = Decimal("41.75")


def _views_over_conversions(rows: Rows) -> None:
    rows[2]["view_conversions"] = Decimal("3")


CASES: dict[str, tuple[Callable[[Rows], None], Severity, str]] = {
    "keys_not_null": (_null_key, Severity.ERROR, "ad_id"),
    "natural_key_unique": (_duplicate, Severity.ERROR, "23870000"),
    "metrics_non_negative": (_negative, Severity.ERROR, "-3.5"),
    "clicks_le_impressions": (_clicks, Severity.ERROR, "1001"),
    "currency_known": (_currency, Severity.ERROR, "EUX"),
    "view_metrics_non_negative": (_negative_view, Severity.ERROR, "-2.5"),
    "view_conversion_value_le_conversion_value": (_views_over_value, Severity.WARN, "41.75"),
    "view_conversions_le_conversions": (_views_over_conversions, Severity.WARN, "3"),
}


@pytest.fixture(params=["gx", "duckdb"])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _run(
    wh: warehouse.Warehouse,
    run_id: str,
    streams: dict[str, Rows],
    engine: str,
    window_end: date = WINDOW_END,
    **kw: Any,
) -> tuple[warehouse.StagedBatch, warehouse.QualityReport]:
    batch = land(wh, run_id, streams, window_end=window_end, **kw)
    staged = warehouse.stage_batch(wh, batch)
    return staged, warehouse.run_quality(wh, staged, warehouse.QualityContext(engine=engine))


def test_good_batch_passes_every_check(wh: warehouse.Warehouse, engine: str) -> None:
    _, report = _run(
        wh, "r1", {"ad_insights_daily": insight_rows(), "campaigns": campaign_rows()}, engine
    )
    assert [r for r in report.results if not r.passed] == []
    assert {r.check for r in report.for_table(INSIGHTS)} == {
        "keys_not_null",
        "natural_key_unique",
        "metrics_non_negative",
        "clicks_le_impressions",
        "currency_known",
        "freshness",
        "row_count_vs_previous",
        "no_rejected_records",
        "view_metrics_non_negative",
        "view_conversions_le_conversions",
        "view_conversion_value_le_conversion_value",
    }


@pytest.mark.parametrize("check", sorted(CASES))
def test_each_row_check_fails_on_crafted_data(
    wh: warehouse.Warehouse, engine: str, check: str
) -> None:
    spoil, severity, sample_text = CASES[check]
    rows = insight_rows(n_ads=2, days=3)
    spoil(rows)
    _, report = _run(wh, "r1", {"ad_insights_daily": rows}, engine)
    failed = [(r.check, r.severity) for r in report.results if not r.passed]
    assert failed == [(check, severity)]
    result = report.result(INSIGHTS, check)
    assert 1 <= len(result.samples) <= 5
    assert sample_text in str(result.samples)


def test_freshness_is_a_warning(wh: warehouse.Warehouse, engine: str) -> None:
    _, report = _run(
        wh,
        "r1",
        {"ad_insights_daily": insight_rows()},
        engine,
        window_end=WINDOW_END + timedelta(days=10),
    )
    assert [(r.check, r.severity) for r in report.results if not r.passed] == [
        ("freshness", Severity.WARN)
    ]
    assert report.result(INSIGHTS, "freshness").observed == WINDOW_END.isoformat()
    assert not report.has_errors


def test_row_count_drop_is_a_warning(wh: warehouse.Warehouse, engine: str) -> None:
    staged, report = _run(wh, "r1", {"ad_insights_daily": insight_rows(n_ads=4)}, engine)
    warehouse.publish(wh, staged, report)
    _, report = _run(wh, "r2", {"ad_insights_daily": insight_rows(n_ads=1)}, engine)
    assert [(r.check, r.severity) for r in report.results if not r.passed] == [
        ("row_count_vs_previous", Severity.WARN)
    ]
    assert report.result(INSIGHTS, "row_count_vs_previous").observed == 3


def test_rejected_records_are_an_error(wh: warehouse.Warehouse, engine: str) -> None:
    rejects = [
        {
            "stream": "ad_insights_daily",
            "raw_json": '{"spend": "x"}',
            "error": "spend: not a number",
            "location": "page 3 row 7",
        }
    ]
    _, report = _run(
        wh,
        "r1",
        {"ad_insights_daily": insight_rows()},
        engine,
        rejects={"ad_insights_daily": rejects},
    )
    result = report.result(INSIGHTS, "no_rejected_records")
    assert (result.passed, result.severity, result.observed) == (False, Severity.ERROR, 1)
    assert result.samples[0]["location"] == "page 3 row 7"


def _state(wh: warehouse.Warehouse) -> dict[str, Any]:
    return {
        t: wh.fetchall(f"SELECT * FROM {t} ORDER BY ALL")
        for t in (
            INSIGHTS,
            "meta_ads.campaigns",
            "core.ad_performance_daily",
            "core.campaigns",
            "ops.extract_state",
        )
    }


def test_error_quarantines_and_publishes_nothing(wh: warehouse.Warehouse) -> None:
    staged, report = _run(
        wh, "r1", {"ad_insights_daily": insight_rows(), "campaigns": campaign_rows()}, "gx"
    )
    warehouse.publish(wh, staged, report, [warehouse.CursorUpdate("ad_insights_daily", DAY0)])
    before = _state(wh)

    rows = insight_rows(days=4)
    rows[5]["spend"] = Decimal("-1")
    staged, report = _run(
        wh, "r2", {"ad_insights_daily": rows, "campaigns": campaign_rows(3)}, "gx"
    )
    with pytest.raises(warehouse.DataQualityError) as info:
        warehouse.publish(
            wh,
            staged,
            report,
            [warehouse.CursorUpdate("ad_insights_daily", DAY0 + timedelta(days=3))],
        )
    message = str(info.value)
    assert INSIGHTS in message and "metrics_non_negative" in message and "-1" in message
    assert info.value.report is report

    assert _state(wh) == before
    assert warehouse.get_cursor(wh, "meta_ads", ACCOUNT, "ad_insights_daily") == DAY0
    quarantined = wh.fetchall("SELECT table_name, quarantine_path FROM ops.quarantine ORDER BY 1")
    assert [t for t, _ in quarantined] == ["meta_ads.ad_insights_daily", "meta_ads.campaigns"]
    for _, path in quarantined:
        assert (wh.quarantine_root / path).exists()
    assert all(lf.path.exists() for lf in staged.batch.files)  # landing stays immutable
    assert wh.fetchall("SELECT count(*) FROM ops.loads WHERE status = 'quarantined'") == [(2,)]
    assert wh.fetchall(
        "SELECT count(*) FROM ops.quality_results WHERE run_id = 'r2' AND NOT passed"
    ) == [(1,)]
    assert wh.fetchall(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'staging'"
    ) == [(0,)]


def test_warning_publishes_and_reports(wh: warehouse.Warehouse) -> None:
    staged, report = _run(
        wh,
        "r1",
        {"ad_insights_daily": insight_rows()},
        "gx",
        window_end=WINDOW_END + timedelta(days=30),
    )
    result = warehouse.publish(wh, staged, report)
    assert result.table(INSIGHTS).inserted == 9
    assert result.warnings and "freshness" in result.warnings[0]
    assert wh.fetchall("SELECT check_name, severity FROM ops.quality_results WHERE NOT passed") == [
        ("freshness", "WARN")
    ]


def test_publish_refuses_a_report_of_another_batch(wh: warehouse.Warehouse) -> None:
    staged, _ = _run(wh, "r1", {"ad_insights_daily": insight_rows()}, "duckdb")
    _, other = _run(wh, "r2", {"ad_insights_daily": insight_rows()}, "duckdb")
    with pytest.raises(warehouse.PublishError, match="quality report is for"):
        warehouse.publish(wh, staged, other)


def test_row_count_compares_rows_per_day(wh: warehouse.Warehouse, engine: str) -> None:
    """A short re-pull after a long load is not a drop; fewer ads per day still is."""
    staged, report = _run(wh, "r1", {"ad_insights_daily": insight_rows(n_ads=4, days=28)}, engine)
    warehouse.publish(wh, staged, report)
    staged, report = _run(wh, "r2", {"ad_insights_daily": insight_rows(n_ads=4, days=3)}, engine)
    assert report.result(INSIGHTS, "row_count_vs_previous").passed
    warehouse.publish(wh, staged, report)
    _, report = _run(wh, "r3", {"ad_insights_daily": insight_rows(n_ads=1, days=3)}, engine)
    assert not report.result(INSIGHTS, "row_count_vs_previous").passed


def test_every_check_kind_has_a_planner() -> None:
    from warehouse.quality.plan import _PLANNERS
    from warehouse.spec import CheckKind

    assert set(_PLANNERS) == set(CheckKind)
