from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import warehouse
from tests.warehouse.conftest import DAY0, campaign_rows, insight_rows, load

INSIGHTS = "meta_ads.ad_insights_daily"


def _table(wh: warehouse.Warehouse, table: str) -> list[tuple[Any, ...]]:
    return wh.fetchall(f"SELECT * EXCLUDE (_loaded_at, _run_id) FROM {table} ORDER BY ALL")


def test_same_batch_twice_creates_no_duplicates(wh: warehouse.Warehouse) -> None:
    streams = {"ad_insights_daily": insight_rows(), "campaigns": campaign_rows()}
    first = load(wh, "r1", streams)
    assert first.table(INSIGHTS).inserted == 9 and first.table(INSIGHTS).updated == 0
    snapshot = {
        t: _table(wh, t)
        for t in (INSIGHTS, "meta_ads.campaigns", "core.ad_performance_daily", "core.campaigns")
    }
    second = load(wh, "r2", streams)
    assert second.table(INSIGHTS).inserted == 0 and second.table(INSIGHTS).updated == 0
    for table, rows in snapshot.items():
        assert _table(wh, table) == rows
    loads = wh.fetchall(
        "SELECT run_id, table_name, rows, inserted, updated FROM ops.loads "
        "WHERE status = 'published' ORDER BY ALL"
    )
    assert ("r2", INSIGHTS, 9, 0, 0) in loads


def test_restated_lookback_days_overwrite(wh: warehouse.Warehouse) -> None:
    load(wh, "r1", {"ad_insights_daily": insight_rows(n_ads=2, days=5)})
    # re-pull of the last 3 days: late conversions restate day 3..5, day 6 is new
    restated = insight_rows(n_ads=2, days=4, start=DAY0 + timedelta(days=2))
    for row in restated:
        row["conversions"] = Decimal("7")
    res = load(wh, "r2", {"ad_insights_daily": restated})
    assert res.table(INSIGHTS).inserted == 2 and res.table(INSIGHTS).updated == 6
    got = dict(
        ((r[0], r[1]), r[2])
        for r in wh.fetchall(f"SELECT ad_id, date, conversions FROM {INSIGHTS}")
    )
    assert len(got) == 12
    assert got[("23870000", DAY0)] == Decimal("2")
    assert got[("23870000", DAY0 + timedelta(days=2))] == Decimal("7")
    assert got[("23870001", DAY0 + timedelta(days=5))] == Decimal("7")
    changed_runs = wh.fetchall(f"SELECT _run_id, count(*) FROM {INSIGHTS} GROUP BY 1 ORDER BY 1")
    assert changed_runs == [("r1", 4), ("r2", 8)]
    core = wh.fetchall("SELECT count(*), sum(conversions) FROM core.ad_performance_daily")
    assert core == [(12, Decimal("4") * 2 + Decimal("7") * 8)]


def test_cursor_advances_with_data(wh: warehouse.Warehouse) -> None:
    assert warehouse.get_cursor(wh, "meta_ads", "act_1001", "ad_insights_daily") is None
    load(wh, "r1", {"ad_insights_daily": insight_rows()}, cursor=date(2026, 3, 3))
    assert warehouse.get_cursor(wh, "meta_ads", "act_1001", "ad_insights_daily") == date(2026, 3, 3)
    load(wh, "r2", {"ad_insights_daily": insight_rows()}, cursor=date(2026, 3, 4))
    assert warehouse.get_cursor(wh, "meta_ads", "act_1001", "ad_insights_daily") == date(2026, 3, 4)
    assert wh.fetchall("SELECT count(*) FROM ops.extract_state") == [(1,)]


def test_core_fx_conversion_by_hand(tmp_path: Path) -> None:
    wh = warehouse.connect(tmp_path / "wh.duckdb", reporting_currency="GBP")
    wh.execute("INSERT INTO core.fx_rates VALUES ('EUR', DATE '2026-03-02', 1.20, 'test')")
    rows = insight_rows(n_ads=1, days=2)  # EUR, spend 10.50 on 03-01 and 11.50 on 03-02
    load(wh, "r1", {"ad_insights_daily": rows})
    got = wh.fetchall(
        "SELECT date, account_id, campaign_id, ad_group_id, ad_id, spend, spend_reporting, "
        "reporting_currency FROM core.ad_performance_daily ORDER BY date"
    )
    # 03-01: EUR 1.08 USD, GBP 1.27 USD -> 10.50 * 1.08 / 1.27 = 8.929133... -> 8.9291
    # 03-02: EUR 1.20 USD (newer rate, ASOF) -> 11.50 * 1.20 / 1.27 = 10.866141... -> 10.8661
    assert got == [
        (
            DAY0,
            "meta_ads:act_1001",
            "meta_ads:23850000",
            "meta_ads:23860000",
            "meta_ads:23870000",
            Decimal("10.5000"),
            Decimal("8.9291"),
            "GBP",
        ),
        (
            DAY0 + timedelta(days=1),
            "meta_ads:act_1001",
            "meta_ads:23850000",
            "meta_ads:23860000",
            "meta_ads:23870000",
            Decimal("11.5000"),
            Decimal("10.8661"),
            "GBP",
        ),
    ]
    wh.close()


def test_view_through_value_reaches_core_in_both_currencies(tmp_path: Path) -> None:
    wh = warehouse.connect(tmp_path / "wh.duckdb", reporting_currency="GBP")
    rows = insight_rows(n_ads=2, days=1)  # EUR on 03-01: 1.08 USD; GBP: 1.27 USD
    rows[0].update(view_conversions=Decimal("1"), view_conversion_value=Decimal("12.70"))
    rows[1].update(view_conversions=None, view_conversion_value=None)  # unknown
    load(wh, "r1", {"ad_insights_daily": rows})
    assert wh.fetchall(
        f"SELECT ad_id, view_conversions, view_conversion_value FROM {INSIGHTS} ORDER BY 1"
    ) == [("23870000", Decimal("1.0000"), Decimal("12.7000")), ("23870001", None, None)]
    got = wh.fetchall(
        "SELECT ad_id, conversion_value, view_conversion_value, view_conversion_value_reporting "
        "FROM core.ad_performance_daily ORDER BY ad_id"
    )
    # 12.70 EUR * 1.08 / 1.27 = 10.8000 GBP; NULL stays NULL (not 0)
    assert got == [
        ("meta_ads:23870000", Decimal("40.2500"), Decimal("12.7000"), Decimal("10.8000")),
        ("meta_ads:23870001", Decimal("40.2500"), None, None),
    ]
    wh.close()


def test_core_dims_use_unified_ids(wh: warehouse.Warehouse) -> None:
    load(
        wh,
        "r1",
        {
            "accounts": [
                {
                    "account_id": "act_1001",
                    "name": "Shop",
                    "currency": "EUR",
                    "timezone_name": "Europe/Paris",
                    "account_status": 1,
                }
            ],
            "campaigns": campaign_rows(1),
            "ad_sets": [
                {
                    "account_id": "1001",
                    "campaign_id": "23850000",
                    "ad_set_id": "9",
                    "name": "s",
                    "status": "ACTIVE",
                    "effective_status": "ACTIVE",
                    "daily_budget": 100,
                    "created_time": None,
                    "updated_time": None,
                }
            ],
            "ads": [
                {
                    "account_id": "1001",
                    "campaign_id": "23850000",
                    "ad_set_id": "9",
                    "ad_id": "77",
                    "name": "a",
                    "status": "PAUSED",
                    "effective_status": "PAUSED",
                    "creative_id": "c1",
                    "created_time": None,
                    "updated_time": None,
                }
            ],
        },
    )
    assert wh.fetchall("SELECT account_id, native_account_id, currency FROM core.accounts") == [
        ("meta_ads:act_1001", "act_1001", "EUR")
    ]
    assert wh.fetchall("SELECT account_id, campaign_id, ad_group_id FROM core.ad_groups") == [
        ("meta_ads:act_1001", "meta_ads:23850000", "meta_ads:9")
    ]
    assert wh.fetchall("SELECT ad_group_id, ad_id, status FROM core.ads") == [
        ("meta_ads:9", "meta_ads:77", "PAUSED")
    ]


def test_record_api_calls(wh: warehouse.Warehouse) -> None:
    from datetime import UTC, datetime

    call = {
        "platform": "meta_ads",
        "account_id": "act_1",
        "endpoint": "/v26.0/act_1/insights",
        "method": "POST",
        "status": 200,
        "attempt": 1,
        "latency_ms": 12.5,
        "throttle_headroom": 0.8,
        "error": None,
        "started_at": datetime.now(UTC),
    }
    assert warehouse.record_api_calls(wh, "run-9", [call, {**call, "attempt": 2}]) == 2
    assert wh.fetchall("SELECT run_id, attempt FROM ops.api_calls ORDER BY attempt") == [
        ("run-9", 1),
        ("run-9", 2),
    ]


# --- merge semantics, property-based ---------------------------------------------------------

_ads = st.sampled_from(["1", "2", "3"])
_days = st.integers(min_value=0, max_value=3)
_row = st.tuples(_ads, _days, st.integers(min_value=0, max_value=50))
_batch = st.lists(_row, max_size=6, unique_by=lambda r: (r[0], r[1]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.lists(_batch, min_size=1, max_size=4))
def test_merge_equals_last_write_wins(batches: list[list[tuple[str, int, int]]]) -> None:
    model: dict[tuple[str, date], int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        wh = warehouse.connect(Path(tmp) / "wh.duckdb")
        for n, batch in enumerate(batches):
            rows = []
            for ad, day, clicks in batch:
                d = DAY0 + timedelta(days=day)
                rows.append(
                    {
                        "account_id": "1001",
                        "campaign_id": "c",
                        "ad_set_id": "s",
                        "ad_id": ad,
                        "date": d,
                        "currency": "USD",
                        "spend": Decimal(clicks),
                        "impressions": 100,
                        "clicks": clicks,
                        "conversions": Decimal(0),
                        "conversion_value": Decimal(0),
                        "attribution_setting": None,
                    }
                )
            new = sum(1 for ad, day, _ in batch if (ad, DAY0 + timedelta(days=day)) not in model)
            changed = sum(
                1 for ad, day, c in batch if model.get((ad, DAY0 + timedelta(days=day)), c) != c
            )
            res = load(wh, f"r{n}", {"ad_insights_daily": rows})
            for ad, day, clicks in batch:
                model[(ad, DAY0 + timedelta(days=day))] = clicks
            assert (res.table(INSIGHTS).inserted, res.table(INSIGHTS).updated) == (new, changed)
            got = {
                (a, d): c for a, d, c in wh.fetchall(f"SELECT ad_id, date, clicks FROM {INSIGHTS}")
            }
            assert got == model
            core = {
                (a.split(":")[1], d): c
                for a, d, c in wh.fetchall(
                    "SELECT ad_id, date, clicks FROM core.ad_performance_daily"
                )
            }
            assert core == model
        wh.close()


def test_load_batch_runs_the_whole_path(wh: warehouse.Warehouse) -> None:
    from tests.warehouse.conftest import land

    batch = land(wh, "r1", {"ad_insights_daily": insight_rows()})
    res = warehouse.load_batch(
        wh,
        batch,
        [warehouse.CursorUpdate("ad_insights_daily", DAY0)],
        warehouse.QualityContext(engine="duckdb"),
    )
    assert res.table(INSIGHTS).inserted == 9
    bad = insight_rows()
    bad[0]["currency"] = "EURO"
    with pytest.raises(warehouse.DataQualityError, match="currency_known"):
        warehouse.load_batch(
            wh,
            land(wh, "r2", {"ad_insights_daily": bad}),
            ctx=warehouse.QualityContext(engine="duckdb"),
        )


def test_unknown_table_is_a_staging_error(wh: warehouse.Warehouse) -> None:
    lf = warehouse.write_landing(
        wh.landing_root,
        platform="meta_ads",
        stream="pixels",
        account_id="act_1",
        run_id="r",
        rows=[{"x": 1}],
    )
    with pytest.raises(warehouse.StagingError, match="unknown warehouse table"):
        warehouse.stage_batch(wh, warehouse.LoadBatch("meta_ads", "act_1", "r", (lf,)))


def test_record_connector_api_calls(wh: warehouse.Warehouse) -> None:
    from datetime import UTC, datetime

    from connectors.calllog import ApiCall

    call = ApiCall(
        platform="meta_ads",
        account_id="act_1",
        endpoint="/v26.0/me/adaccounts",
        method="GET",
        status=429,
        attempt=1,
        latency_ms=3.0,
        throttle_headroom=None,
        error="RateLimitError: slow down",
        started_at=datetime.now(UTC),
    )
    assert warehouse.record_api_calls(wh, "run-1", [call]) == 1
    assert wh.fetchall("SELECT endpoint, status, error FROM ops.api_calls") == [
        ("/v26.0/me/adaccounts", 429, "RateLimitError: slow down")
    ]


def test_read_only_open_sees_published_data(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    wh = warehouse.connect(path)
    load(wh, "r1", {"ad_insights_daily": insight_rows()})
    wh.close()
    ro = warehouse.connect(path, read_only=True)
    assert ro.fetchall(f"SELECT count(*) FROM {INSIGHTS}") == [(9,)]
    with pytest.raises(warehouse.WarehouseError):
        ro.execute("DELETE FROM ops.loads")
    ro.close()


def test_backfill_of_older_days_keeps_the_cursor(wh: warehouse.Warehouse) -> None:
    load(wh, "r1", {"ad_insights_daily": insight_rows()}, cursor=date(2026, 3, 3))
    load(wh, "r2", {"ad_insights_daily": insight_rows(days=1)}, cursor=date(2026, 3, 1))
    assert warehouse.get_cursor(wh, "meta_ads", "act_1001", "ad_insights_daily") == date(2026, 3, 3)


def test_spend_without_an_fx_rate_is_not_published(wh: warehouse.Warehouse) -> None:
    """XAF is a valid ISO code with no rate loaded: nothing may reach core half-converted."""
    load(wh, "r1", {"ad_insights_daily": insight_rows()}, cursor=date(2026, 3, 3))
    before = wh.fetchall("SELECT count(*), sum(spend) FROM core.ad_performance_daily")
    with pytest.raises(warehouse.PublishError, match=r"unconverted.*XAF: 9 row\(s\)"):
        load(
            wh,
            "r2",
            {"ad_insights_daily": insight_rows(currency="XAF", start=date(2026, 3, 4))},
            cursor=date(2026, 3, 6),
        )
    assert wh.fetchall("SELECT count(*), sum(spend) FROM core.ad_performance_daily") == before
    assert wh.fetchall("SELECT count(*) FROM meta_ads.ad_insights_daily") == [(9,)]
    assert warehouse.get_cursor(wh, "meta_ads", "act_1001", "ad_insights_daily") == date(2026, 3, 3)
