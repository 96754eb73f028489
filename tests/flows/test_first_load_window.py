"""A first load of the ad platforms covers the attribution report's default period (issue 12).

Before, a first load read each platform's lookback (Google 14 days, Meta 28), while the report
prices 30 days of conversions: Google's 14 days of spend against 30 days of credit made its
ROAS look about twice what it was. Now every ad platform's first load (no cursor) reads at
least the report's default period, so the report's spend coverage is complete and its ROAS
is priced. The real extract flow runs on the in-process sandbox of one seeded market.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import duckdb
import pytest

from connectors.description import platforms
from emulators.market import Market
from emulators.registry import EMULATORS
from flows.parameters import DEFAULT_ATTRIBUTION_PERIOD_DAYS
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
AD_PLATFORMS = tuple(d.name for d in platforms("ads"))


def test_every_ad_platform_defaults_to_a_first_load_of_the_attribution_period() -> None:
    for description in platforms("ads"):
        initial = description.settings_cls().model_fields["initial_days"].default
        assert initial >= DEFAULT_ATTRIBUTION_PERIOD_DAYS, (description.name, initial)


@pytest.fixture
def first_load(sandbox_env):
    """Extract every ad platform once into a fresh warehouse; yield its path."""
    tmp_path = sandbox_env
    from flows.extract_ads import extract_ads

    market = Market(seed=5, today=NOW, platforms=AD_PLATFORMS)
    with contextlib.ExitStack() as stack:
        for platform in AD_PLATFORMS:
            stack.enter_context(use_sandbox_emulator(platform, EMULATORS[platform](market=market)))
        assert extract_ads(platforms=list(AD_PLATFORMS)).ok
    return tmp_path / "warehouse.duckdb"


def test_a_first_load_covers_the_attribution_period_on_every_ad_platform(first_load) -> None:
    from tasks.attribution import COVERAGE_SQL

    end = NOW.date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=DEFAULT_ATTRIBUTION_PERIOD_DAYS - 1)
    with duckdb.connect(str(first_load), read_only=True) as con:
        coverage = {r[0]: r[1:] for r in con.execute(
            COVERAGE_SQL.replace("$start", "?").replace("$end", "?"), [start, end]).fetchall()}
        earliest = dict(con.execute(
            "SELECT platform, min(date) FROM core.ad_performance_daily GROUP BY ALL").fetchall())
    for platform in AD_PLATFORMS:
        # every day of the report's default period has spend rows, from its first day on
        assert coverage[platform] == (DEFAULT_ATTRIBUTION_PERIOD_DAYS, start, end), platform
        assert earliest[platform] <= start, platform
