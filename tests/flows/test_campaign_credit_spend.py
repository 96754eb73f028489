"""Campaign-level attribution credit finds its spend and its name on every ad platform (issue 12).

The real pipeline on in-process sandboxes of one seeded market and population: the ad
platforms and the touch and conversion sources are extracted by their flows, then the
attribution report prices campaign-level credit against ``core.ad_performance_daily``.
Touches carry the UTM campaign names the ads were tagged with (on LinkedIn: the campaign
group's name, which Campaign Manager calls the campaign), so each platform's
``core.campaigns`` must hold those names for the credit to find its spend. Before LinkedIn's
campaign groups were extracted, every LinkedIn campaign had spend 0 in
``marts.attribution_campaign_latest``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Final

import duckdb
import pytest

from connectors.description import platforms
from emulators.market import Market
from emulators.population import Population
from emulators.registry import EMULATORS
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
AD_PLATFORMS = tuple(d.name for d in platforms("ads"))
SOURCES = ("ga4", "hubspot")  # touches (sessions, contacts) and conversions (deals)
PEOPLE = 800
MODEL: Final = "linear"  # credits every touch of a journey, so every touched campaign gets some


@pytest.fixture
def pipeline(sandbox_env):
    """Extract every ad platform and the sources, then build the report; yield the warehouse."""
    tmp_path = sandbox_env
    from flows.attribution import build_attribution_report
    from flows.extract_ads import extract_ads
    from flows.extract_sources import extract_sources

    market = Market(seed=3, today=NOW, platforms=AD_PLATFORMS)
    population = Population(market, size=PEOPLE)
    with contextlib.ExitStack() as stack:
        for platform in AD_PLATFORMS:
            stack.enter_context(use_sandbox_emulator(platform, EMULATORS[platform](market=market)))
        for source in SOURCES:
            emulator = EMULATORS[source](market=market, population=population)
            stack.enter_context(use_sandbox_emulator(source, emulator))
        assert extract_ads(platforms=list(AD_PLATFORMS)).ok
        assert extract_sources(platforms=list(SOURCES)).ok
        end = NOW.date() - dt.timedelta(days=1)
        start = end - dt.timedelta(days=29)
        build_attribution_report(period_start=start, period_end=end, models=[MODEL],
                                 push_conversions=False)
    return tmp_path / "warehouse.duckdb", start, end


def test_campaign_credit_finds_spend_and_a_name_on_every_ad_platform(pipeline):
    path, start, end = pipeline
    with duckdb.connect(str(path), read_only=True) as con:
        credit = con.execute(
            "SELECT channel, campaign, value, spend FROM marts.attribution_campaign_latest "
            "WHERE model = ? AND campaign <> '(none)'", [MODEL]).fetchall()
        spent = con.execute(
            "SELECT p.platform, p.campaign_id, c.name, sum(p.spend_reporting) "
            "FROM core.ad_performance_daily AS p LEFT JOIN core.campaigns AS c "
            "ON c.platform = p.platform AND c.campaign_id = p.campaign_id "
            "WHERE p.date BETWEEN ? AND ? GROUP BY ALL HAVING sum(p.spend_reporting) > 0",
            [start, end]).fetchall()

    # every campaign that spent in the period has a name to be matched by
    assert {row[0] for row in spent} == set(AD_PLATFORMS)
    nameless = [(platform, campaign) for platform, campaign, name, _ in spent if not name]
    assert not nameless, f"campaigns that spent without a name: {nameless}"

    spend_by_name: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for platform, _, name, amount in spent:
        spend_by_name[platform, name] += amount
    credited: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for channel, campaign, _, spend in credit:
        if channel in AD_PLATFORMS:
            credited[channel].append((campaign, spend))
    for platform in AD_PLATFORMS:
        rows = credited[platform]
        assert rows, f"{platform}: no campaign-level credit"
        priced = [(c, s) for c, s in rows if s > 0]
        assert priced, f"{platform}: campaign-level credit found no spend: {rows}"
        for campaign, spend in rows:
            # a credited campaign that spent is priced at exactly its period's spend
            expected = spend_by_name.get((platform, campaign), Decimal(0))
            assert spend == pytest.approx(expected, abs=Decimal("0.01")), (platform, campaign)
        # and the campaigns that spent are the ones credit names (not a stray label)
        assert {c for c, _ in priced} <= {n for p, n in spend_by_name if p == platform}
