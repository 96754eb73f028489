"""End-to-end runs of the `extract_ads` flow on a real Prefect server (the test harness).

Each test gets its own DuckDB file and data folder, and an in-process Meta emulator over a
seeded market whose clock the test controls; the flow talks to it through httpx.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import duckdb
import pytest

from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.registry import EMULATORS
from flows.parameters import ParameterError
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

TODAY = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def sandbox(tmp_path, monkeypatch, prefect_server):
    """Point the flow at a fresh warehouse and a controllable in-process Meta emulator."""
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / "data"))
    for key in list(__import__("os").environ):
        if key.startswith("CAMPAIGN_OPS_SANDBOX_URL_"):
            monkeypatch.delenv(key)

    def make(
        faults: FaultConfig | None = None, clock: Clock | None = None, warehouse: Path | None = None
    ):
        if warehouse is not None:
            monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(warehouse))
            monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(warehouse.parent / "data"))
        market = Market(seed=11, clock=clock or Clock(TODAY))
        return EMULATORS["meta_ads"](market=market, faults=faults)

    return make


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


INSIGHT_COLUMNS = (
    "account_id, campaign_id, ad_set_id, ad_id, date, currency, spend, impressions, clicks, "
    "conversions, conversion_value"
)
CORE_COLUMNS = (
    "date, platform, account_id, campaign_id, ad_group_id, ad_id, currency, spend, "
    "spend_reporting, impressions, clicks, conversions, conversion_value"
)


def test_extract_lands_quality_gated_tables_and_restates_late_conversions(sandbox, tmp_path):
    from flows.extract_ads import extract_ads

    clock = Clock(TODAY)
    emulator = sandbox(clock=clock)
    warehouse = tmp_path / "warehouse.duckdb"
    with use_sandbox_emulator("meta_ads", emulator):
        first = extract_ads(platforms=["meta_ads"])

        assert first.ok and first.environment == "sandbox"
        insights = _rows(warehouse, f"select {INSIGHT_COLUMNS} from meta_ads.ad_insights_daily")
        assert insights, "no insights landed"
        # Every account's report stops at yesterday in its own time zone.
        for account in emulator.market.accounts("meta_ads"):
            local_yesterday = TODAY.astimezone(ZoneInfo(account.timezone)).date() - dt.timedelta(
                days=1
            )
            last = _rows(
                warehouse,
                "select max(date) from meta_ads.ad_insights_daily "
                f"where account_id = '{account.id}'",
            )[0][0]
            assert last == local_yesterday
            cursor = _rows(
                warehouse,
                "select cursor_date from ops.extract_state "
                f"where account_id = '{account.id}' and stream = 'ad_insights_daily'",
            )
            assert cursor == [(local_yesterday,)]
        # No duplicates on the natural key, and core mirrors the platform table.
        assert _rows(
            warehouse,
            "select count(*) - count(distinct (ad_id, date)) from meta_ads.ad_insights_daily",
        ) == [(0,)]
        assert _rows(
            warehouse, "select count(*) from core.ad_performance_daily where platform = 'meta_ads'"
        ) == [(len(insights),)]
        # API calls were recorded, with the run id.
        calls = _rows(
            warehouse,
            "select count(*), count(distinct run_id), count(distinct account_id)"
            " from ops.api_calls",
        )
        assert calls == [(sum(s.calls for s in first.calls), 1, 3)]
        assert sum(s.calls for s in first.calls) > 0

        # Three days later conversions for past days have grown: the lookback re-pull restates them.
        clock.now = TODAY + dt.timedelta(days=3)
        second = extract_ads(platforms=["meta_ads"])
        assert second.ok

    stored = _rows(
        warehouse,
        "select ad_id, date, spend, conversions, conversion_value, view_conversion_value "
        "from meta_ads.ad_insights_daily",
    )
    assert len(stored) == len({(r[0], r[1]) for r in stored})
    restated = 0
    checked = 0
    viewed = 0
    for ad_id, day, spend, conversions, value, view_value in stored:
        truth = emulator.market.truth("meta_ads", ad_id, day)
        if day >= (clock.now - dt.timedelta(days=28)).date():
            checked += 1
            assert conversions == truth.conversions, (ad_id, day)
            assert spend == truth.spend
            assert value == truth.value
            # the view-through part: the 1d_view window's value, inside the total
            assert view_value == truth.value_by_window["1d_view"], (ad_id, day)
            viewed += view_value > 0
        first_truth = emulator.market.truth("meta_ads", ad_id, day, as_of=TODAY.date())
        restated += truth.conversions > first_truth.conversions
    assert checked > 0
    assert restated > 0, "the second run should have picked up late conversions"
    assert viewed > 0, "the market's view-through conversions should show"
    # core carries the view-through value per ad-day, and in the reporting currency
    core = _rows(
        warehouse,
        "select count(*), count(view_conversion_value), count(view_conversion_value_reporting), "
        "count(*) filter (where view_conversion_value > conversion_value), "
        "sum(view_conversion_value) from core.ad_performance_daily where platform = 'meta_ads'",
    )
    total = _rows(warehouse, "select sum(view_conversion_value) from meta_ads.ad_insights_daily")
    assert core == [(len(stored), len(stored), len(stored), 0, total[0][0])]


def test_artifacts_are_left_on_the_flow_run(sandbox):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.extract_ads import extract_ads

    with use_sandbox_emulator("meta_ads", sandbox()):
        summary = extract_ads(platforms=["meta_ads"], accounts=["act_1002"], lookback_days=3)
    # The progress update is a separate API write: give a loaded server a moment to show it.
    deadline = time.monotonic() + 20
    with get_client(sync_client=True) as client:
        while True:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(summary.run_id)])
                )
            )
            by_key = {a.key: a for a in artifacts}
            progress = by_key.get("extract-progress")
            if (progress and progress.data == 100.0) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert {
        "extract-summary",
        "extract-rows-per-table",
        "extract-quality-results",
        "extract-api-calls",
        "extract-progress",
    } <= set(by_key)
    assert "meta_ads.ad_insights_daily" in str(by_key["extract-rows-per-table"].data)
    assert by_key["extract-progress"].data == 100.0
    # The access token never reaches an artifact or the call log.
    from emulators.meta_ads.auth import SANDBOX_TOKEN

    assert all(SANDBOX_TOKEN not in str(a.data) + str(a.description) for a in artifacts)
    summary_md = str(by_key["extract-summary"].data)
    assert "core.ad_performance_daily" in summary_md and "rows in warehouse" in summary_md
    assert summary.checks and all(c.passed or c.severity == "WARN" for c in summary.checks)


def _table(path: Path, table: str, columns: str) -> set[tuple]:
    return set(_rows(path, f"select {columns} from {table}"))


def test_injected_faults_give_the_same_tables_as_a_clean_run(sandbox, tmp_path):
    from flows.extract_ads import extract_ads

    clean_wh = tmp_path / "clean" / "warehouse.duckdb"
    faulty_wh = tmp_path / "faulty" / "warehouse.duckdb"
    clean_wh.parent.mkdir()
    faulty_wh.parent.mkdir()

    with use_sandbox_emulator("meta_ads", sandbox(warehouse=clean_wh)):
        assert extract_ads(platforms=["meta_ads"], lookback_days=7).ok
    faults = FaultConfig(
        rate=0.2, kinds=("http_429", "http_500", "http_503", "timeout"), seed=5, retry_after=0
    )
    faulty = sandbox(faults=faults, warehouse=faulty_wh)
    with use_sandbox_emulator("meta_ads", faulty):
        summary = extract_ads(platforms=["meta_ads"], lookback_days=7)
    assert summary.ok
    assert sum(s.retries for s in summary.calls) > 0, "faults were injected but nothing was retried"
    assert sum(1 for r in faulty.request_log if r.fault) > 0

    for table, columns in [
        ("meta_ads.ad_insights_daily", INSIGHT_COLUMNS),
        ("meta_ads.ads", "ad_id, ad_set_id, campaign_id, name, status"),
        ("core.ad_performance_daily", CORE_COLUMNS),
    ]:
        clean, noisy = _table(clean_wh, table, columns), _table(faulty_wh, table, columns)
        assert clean == noisy, f"{table} differs after faults"
        assert _rows(faulty_wh, f"select count(*) from {table}") == [(len(noisy),)], (
            f"duplicates in {table}"
        )


def test_malformed_payload_is_quarantined_with_a_clear_message(sandbox, tmp_path):
    from flows.extract_ads import ExtractFailed, extract_ads

    # One page of one account's insights report carries a corrupt record (spend "12,3x").
    faults = FaultConfig(rate=1.0, kinds=("bad_record",), seed=3, max_faults=1, paths=r"/insights$")
    warehouse = tmp_path / "warehouse.duckdb"
    with (
        use_sandbox_emulator("meta_ads", sandbox(faults=faults)),
        pytest.raises(ExtractFailed) as failure,
    ):
        extract_ads(platforms=["meta_ads"], lookback_days=3)

    message = str(failure.value)
    assert "quarantined in" in message and "nothing published" in message
    assert str(tmp_path / "data" / "quarantine") in message
    assert "meta_ads." in message and "rejected" in message
    quarantined = _rows(warehouse, "select distinct account_id from ops.quarantine")
    assert len(quarantined) == 1
    bad_account = quarantined[0][0]
    assert bad_account in message
    # The quarantined account published nothing; the others did.
    for table in ("meta_ads.ad_insights_daily", "meta_ads.campaigns", "core.ad_performance_daily"):
        column = "account_id"
        bad = "meta_ads:" + bad_account if table.startswith("core") else bad_account
        assert _rows(warehouse, f"select count(*) from {table} where {column} = '{bad}'") == [(0,)]
    assert (
        _rows(warehouse, "select count(distinct account_id) from meta_ads.ad_insights_daily")[0][0]
        == 2
    )
    assert _rows(
        warehouse, f"select count(*) from ops.extract_state where account_id = '{bad_account}'"
    ) == [(0,)]
    assert any((tmp_path / "data" / "quarantine").rglob("*.parquet"))


@pytest.mark.parametrize(
    "parameters, expected",
    [
        ({"end_date": (TODAY + dt.timedelta(days=400)).date()}, "end_date"),
        ({"start_date": dt.date(2026, 11, 10), "end_date": dt.date(2026, 11, 1)}, "after end_date"),
        ({"lookback_days": 60}, "maximum of 28"),
        ({"full_refresh": True}, "full_refresh needs start_date"),
        ({"accounts": [""]}, "account ids must be non-empty"),
    ],
)
def test_bad_parameters_are_rejected_before_any_api_call(sandbox, parameters, expected):
    from flows.extract_ads import extract_ads

    emulator = sandbox()
    with use_sandbox_emulator("meta_ads", emulator), pytest.raises(ParameterError, match=expected):
        extract_ads(platforms=["meta_ads"], **parameters)
    assert emulator.request_log == []


def test_unknown_account_is_a_clear_error(sandbox):
    from flows.extract_ads import extract_ads

    with (
        use_sandbox_emulator("meta_ads", sandbox()),
        pytest.raises(Exception, match=r"act_999.*not readable"),
    ):
        extract_ads(platforms=["meta_ads"], accounts=["act_999"])


def test_failed_attempts_leave_their_api_calls_in_the_warehouse(sandbox, tmp_path):
    """An expired token the sandbox cannot refresh fails the accounts; their calls are kept."""
    from flows.extract_ads import ExtractFailed, extract_ads

    faults = FaultConfig(rate=1.0, kinds=("expired_token",), seed=1, paths=r"/insights$")
    with (
        use_sandbox_emulator("meta_ads", sandbox(faults=faults)),
        pytest.raises(ExtractFailed) as failure,
    ):
        extract_ads(platforms=["meta_ads"], lookback_days=3)
    assert "extract failed" in str(failure.value)
    assert failure.value.summary.failures
    warehouse = tmp_path / "warehouse.duckdb"
    failed = _rows(
        warehouse,
        "select count(*), count(distinct account_id) from ops.api_calls "
        "where error like 'TokenExpiredError%'",
    )
    assert failed[0][0] >= 3 and failed[0][1] == 3
    assert _rows(warehouse, "select count(*) from meta_ads.ad_insights_daily") == [(0,)]


def test_the_same_run_can_land_an_account_twice(sandbox, tmp_path):
    """A retried flow run re-runs its tasks under the same flow-run id: no landing clash."""
    from prefect import flow

    from resources.environment import current
    from tasks.extract import extract_account, list_accounts

    @flow
    def land_twice() -> tuple[str, str]:
        environment = current()
        account = list_accounts("meta_ads", environment, ("act_1001",)).accounts[0]
        first = extract_account("meta_ads", account, environment, "run-1", {}, None, None, 3)
        second = extract_account("meta_ads", account, environment, "run-1", {}, None, None, 3)
        return first.batch_id, second.batch_id

    with use_sandbox_emulator("meta_ads", sandbox()):
        first, second = land_twice()
    assert first != second and first.startswith("run-1-") and second.startswith("run-1-")
    landed = list((tmp_path / "data" / "landing").rglob("*.parquet"))
    assert len(landed) == 10  # 5 streams, twice
    assert {p.stem for p in landed} == {first, second}
