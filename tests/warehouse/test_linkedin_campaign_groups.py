"""LinkedIn campaign groups: emulator -> connector -> landing -> quality -> core (issue 12).

``core.campaigns`` holds LinkedIn campaign groups (Campaign Manager's "campaigns"; LinkedIn
campaigns are core ad groups). Before the groups were extracted, those rows had no name, so
attribution credit at campaign level, matched to spend by the UTM campaign name, found no
LinkedIn spend. Here every group carries its name, status and budget, and every LinkedIn row
of ``core.ad_performance_daily`` points at a named core campaign.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import warehouse
from connectors.calllog import CallRecorder
from connectors.windows import extract_window
from emulators.linkedin_ads import LinkedInAdsEmulator
from emulators.linkedin_ads.entities import render_campaign_group
from emulators.market import Market
from tests.connectors.fakes import FakeClock
from tests.connectors.linkedin_ads.contract_target import (
    NOW,
    linkedin_connector,
    linkedin_emulator,
)
from warehouse import Warehouse
from warehouse.errors import DataQualityError

PLATFORM = "linkedin_ads"
INITIAL = 10


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def emulator() -> LinkedInAdsEmulator:
    built: LinkedInAdsEmulator = linkedin_emulator(None)
    return built


def extract(wh: Warehouse, emulator: LinkedInAdsEmulator, clock: FakeClock, run_id: str,
            *, skip: tuple[str, ...] = (), groups: list[dict] | None = None) -> None:
    """Read every stream of every account and publish each account as one batch.

    ``skip`` leaves streams out; ``groups`` replaces the campaign-group rows read.
    """
    connector = linkedin_connector(emulator, clock, CallRecorder(), None, initial_days=INITIAL)
    try:
        for account in connector.list_accounts():
            files, cursors, end = [], [], None
            for spec in connector.streams():
                if spec.name in skip:
                    continue
                window = None
                if spec.is_report:
                    window = extract_window(
                        timezone_name=account.timezone, now=clock(),
                        cursor=warehouse.get_cursor(wh, PLATFORM, account.id, spec.name),
                        lookback_days=30, initial_days=INITIAL,
                    )
                result = connector.read(spec.name, account, window)
                assert not result.rejects
                rows = result.rows
                if spec.name == "campaign_groups" and groups is not None:
                    rows = [g for g in groups if g["account_id"] == account.id]
                files.append(warehouse.write_landing(
                    wh.landing_root, platform=PLATFORM, stream=spec.name,
                    account_id=account.id, run_id=run_id, rows=rows, table=spec.table,
                ))
                if result.window is not None:
                    cursors.append(warehouse.CursorUpdate(spec.name, result.window.end))
                    end = result.window.end
            batch = warehouse.LoadBatch(PLATFORM, account.id, run_id, tuple(files),
                                        window_end=end)
            warehouse.load_batch(
                wh, batch, cursors, warehouse.QualityContext(window_end=end, engine="duckdb"))
    finally:
        connector.close()


def test_the_connector_reads_every_group_in_linkedin_terms(emulator, clock):
    market: Market = emulator.market
    connector = linkedin_connector(emulator, clock, CallRecorder(), None, object_page_size=2)
    try:
        account = connector.list_accounts()[0]
        result = connector.read("campaign_groups", account)
    finally:
        connector.close()
    assert not result.rejects
    rows = {r["campaign_group_id"]: r for r in result.rows}
    campaigns = market.campaigns(PLATFORM, account.id)
    assert len(campaigns) > 2  # more than one page
    assert set(rows) == {c.id for c in campaigns}
    for campaign in campaigns:
        row = rows[campaign.id]
        assert row["name"] == campaign.name and row["account_id"] == account.id
        assert row["status"] == market.status(PLATFORM, campaign.id)
        budget = market.budget(PLATFORM, campaign.id)
        assert row["daily_budget"] == (None if budget is None else Decimal(budget) / 100)
        assert row["total_budget"] is None and row["currency"] == account.currency
        assert row["created_time"] == row["run_start"] == campaign.created_time
    # every campaign's group is one of the groups read
    campaign_rows = connector_rows(emulator, clock, "campaigns", account.id)
    assert {r["campaign_group_id"] for r in campaign_rows} <= set(rows)


def connector_rows(emulator, clock, stream: str, account_id: str) -> list[dict]:
    connector = linkedin_connector(emulator, clock, CallRecorder(), None)
    try:
        account = next(a for a in connector.list_accounts() if a.id == account_id)
        rows: list[dict] = connector.read(stream, account).rows
        return rows
    finally:
        connector.close()


def test_core_campaigns_are_the_named_groups_and_spend_points_at_them(wh, emulator, clock):
    extract(wh, emulator, clock, "run-1")
    market: Market = emulator.market
    core = wh.con.execute(
        "SELECT campaign_id, native_campaign_id, name, status, daily_budget "
        "FROM core.campaigns WHERE platform = 'linkedin_ads'").fetchall()
    expected = {
        f"{PLATFORM}:{c.id}": (c.id, c.name, market.status(PLATFORM, c.id),
                               market.budget(PLATFORM, c.id))
        for a in market.accounts(PLATFORM) for c in market.campaigns(PLATFORM, a.id)
    }
    assert {r[0]: r[1:] for r in core} == expected
    assert len(core) == len(expected)  # one row per group, none twice
    unnamed = wh.con.execute(
        "SELECT count(*) FROM core.ad_performance_daily AS p "
        "LEFT JOIN core.campaigns AS c ON c.platform = p.platform "
        "AND c.campaign_id = p.campaign_id "
        "WHERE p.platform = 'linkedin_ads' AND c.name IS NULL").fetchone()
    spent = wh.con.execute(
        "SELECT count(*), sum(spend) FROM core.ad_performance_daily "
        "WHERE platform = 'linkedin_ads'").fetchone()
    assert spent[0] > 0 and spent[1] > 0
    assert unnamed == (0,)

    extract(wh, emulator, clock, "run-2")  # a re-run replaces, never duplicates
    again = wh.con.execute(
        "SELECT count(*) FROM core.campaigns WHERE platform = 'linkedin_ads'").fetchone()
    assert again == (len(expected),)


def test_a_group_its_campaigns_name_but_not_extracted_keeps_an_unnamed_row(wh, emulator, clock):
    extract(wh, emulator, clock, "run-1", skip=("campaign_groups",))
    rows = wh.con.execute(
        "SELECT count(*), count(name) FROM core.campaigns WHERE platform = 'linkedin_ads'"
    ).fetchone()
    market: Market = emulator.market
    groups = sum(len(market.campaigns(PLATFORM, a.id)) for a in market.accounts(PLATFORM))
    assert rows == (groups, 0)


def test_a_group_without_a_name_quarantines_the_batch(wh, emulator, clock):
    market: Market = emulator.market
    account = market.accounts(PLATFORM)[0]
    groups = [
        {"account_id": account.id, "campaign_group_id": c.id,
         "name": None if i == 0 else c.name, "status": "ACTIVE", "objective_type": None,
         "daily_budget": None, "total_budget": None, "currency": account.currency,
         "run_start": None, "run_end": None, "created_time": None, "updated_time": None}
        for i, c in enumerate(market.campaigns(PLATFORM, account.id))
    ]
    with pytest.raises(DataQualityError, match="names_not_null"):
        extract(wh, emulator, clock, "run-1", groups=groups)


def test_the_emulator_renders_a_group_budget_only_where_the_market_keeps_it(emulator):
    market: Market = emulator.market
    rendered = [render_campaign_group(market, c)
                for a in market.accounts(PLATFORM) for c in market.campaigns(PLATFORM, a.id)]
    with_budget = [g for g in rendered if "dailyBudget" in g]
    without = [g for g in rendered if "dailyBudget" not in g]
    assert with_budget and without  # the seeded market has both layouts
    for group in rendered:
        assert group["account"].startswith("urn:li:sponsoredAccount:")
        assert isinstance(group["id"], int) and group["name"]
