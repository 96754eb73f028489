"""Cross-channel consistency: core.ad_performance_daily equals the market's ground truth.

One seeded company advertises on Meta, Google Ads and LinkedIn; the in-process emulators render
the same market, whose clock the test moves forward so late conversions restate past days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

from emulators.curves import DEFAULT_WINDOWS
from emulators.google_ads import CONVERSION_WINDOWS as GOOGLE_WINDOWS
from emulators.market import Market
from emulators.registry import EMULATORS
from flows.parameters import Platform
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

START = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
PLATFORMS: tuple[Platform, ...] = ("meta_ads", "google_ads", "linkedin_ads")
LOOKBACK = {"meta_ads": 28, "google_ads": 14, "linkedin_ads": 30}
# Conversions each emulator reports, by attribution window (Meta and LinkedIn: the market's
# default 7-day click + 1-day view; Google Ads: its 28-day click conversion action).
WINDOWS = {"google_ads": GOOGLE_WINDOWS}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def warehouse(tmp_path, monkeypatch, prefect_server):
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "warehouse.duckdb"


def test_core_table_matches_ground_truth_per_day_and_platform_after_restatement(warehouse):
    from flows.extract_ads import extract_ads

    clock = Clock(START)
    market = Market(seed=11, clock=clock, platforms=PLATFORMS)
    emulators = {p: EMULATORS[p](market=market) for p in PLATFORMS}
    with contextlib.ExitStack() as stack:
        for platform, emulator in emulators.items():
            stack.enter_context(use_sandbox_emulator(platform, emulator))
        assert extract_ads(platforms=list(PLATFORMS)).ok
        clock.now = START + dt.timedelta(days=3)
        assert extract_ads(platforms=list(PLATFORMS)).ok

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select platform, ad_id, date, spend, conversions, conversion_value, spend_reporting "
            "from core.ad_performance_daily"
        ).fetchall()
        views = dict(con.execute(
            "select platform, count(view_conversion_value) from core.ad_performance_daily "
            "group by all").fetchall())
    assert {r[0] for r in rows} == set(PLATFORMS)
    assert all(r[6] is not None for r in rows), "spend left unconverted to the reporting currency"
    # only Meta reports a view-through part; the others leave it NULL (unknown), not 0
    assert views["meta_ads"] == sum(r[0] == "meta_ads" for r in rows)
    assert views["google_ads"] == views["linkedin_ads"] == 0

    stored: dict[tuple[str, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    truth: dict[tuple[str, dt.date], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    restated = 0
    for platform, ad_id, day, spend, conversions, value, _ in rows:
        # Only days inside the second run's lookback were re-read "now".
        if day < (clock.now - dt.timedelta(days=LOOKBACK[platform] - 1)).date():
            continue
        native = ad_id.split(":", 1)[1]
        windows = WINDOWS.get(platform, DEFAULT_WINDOWS)
        now = market.truth(platform, native, day, windows=windows)
        before = market.truth(platform, native, day, as_of=START.date(), windows=windows)
        restated += now.conversions > before.conversions
        for bucket, values in (
            (stored, (spend, conversions, value)),
            (truth, (now.spend, now.conversions, now.value)),
        ):
            for i, v in enumerate(values):
                bucket[(platform, day)][i] += Decimal(v)
    assert stored.keys() == truth.keys() and len(stored) > 40
    for key in stored:
        assert stored[key] == truth[key], key
    assert restated > 0, "late conversions should have restated past days"


@pytest.mark.parametrize("platform", ["google_ads", "linkedin_ads"])
def test_injected_faults_give_the_same_core_rows_as_a_clean_run(
    platform: Platform, tmp_path, monkeypatch, prefect_server
):
    """20 % of calls fail with 429/5xx/timeouts: same rows, no duplicates (Meta: see
    test_extract_ads.py)."""
    from emulators.faults import FaultConfig
    from flows.extract_ads import extract_ads

    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    faults = FaultConfig(
        rate=0.2, kinds=("http_429", "http_500", "http_503", "timeout"), seed=5, retry_after=0
    )
    tables = {}
    for name, fault_config in (("clean", None), ("faulty", faults)):
        monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / name / "warehouse.duckdb"))
        monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / name / "data"))
        market = Market(seed=11, clock=Clock(START), platforms=PLATFORMS)
        emulator = EMULATORS[platform](market=market, faults=fault_config)
        with use_sandbox_emulator(platform, emulator):
            summary = extract_ads(platforms=[platform], lookback_days=5)
        assert summary.ok
        if fault_config is not None:
            assert sum(1 for r in emulator.request_log if r.fault) > 0
            assert sum(s.retries for s in summary.calls) > 0
        with duckdb.connect(str(tmp_path / name / "warehouse.duckdb"), read_only=True) as con:
            tables[name] = con.execute(
                "select date, account_id, campaign_id, ad_group_id, ad_id, spend, impressions, "
                "clicks, conversions, conversion_value from core.ad_performance_daily"
            ).fetchall()
    assert tables["clean"], "the clean run published nothing"
    assert sorted(tables["clean"]) == sorted(tables["faulty"])
    assert len(set(tables["faulty"])) == len(tables["faulty"]), "duplicates after faults"
