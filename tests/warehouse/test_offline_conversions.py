"""Offline conversions end to end: drop folder -> landing -> quality -> publish -> core.

A closed-deal export from the sandbox population lands with a few hand-typed bad lines: the
good rows publish into offline_conversions.conversions, core.conversions (converted to the
reporting currency) and core.identity_links; the bad lines are set aside in the quarantine
folder with their file and line, and reported as a warning. Reading the folder again counts
nothing twice.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import warehouse
from connectors.offline_conversions import OfflineConversionsConnector, OfflineConversionsSettings
from emulators.market import Market
from emulators.offline_conversions import export_closed_deals
from emulators.population import Population

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.fixture
def population() -> Population:
    market = Market(seed=7, today=NOW, platforms=("meta_ads", "google_ads", "linkedin_ads"))
    return Population(market, size=3000)


def _load(wh: warehouse.Warehouse, folder: Path, run_id: str) -> warehouse.PublishResult:
    c = OfflineConversionsConnector(OfflineConversionsSettings(folder=folder, source_name="crm"),
                                    clock=lambda: NOW)
    [account] = c.list_accounts()
    try:
        result = c.read("conversions", account, None)
        cursor = max(r["occurred_date"] for r in result.all_rows())
        landing = warehouse.write_landing(wh.landing_root, platform="offline_conversions",
                                          stream="conversions", account_id=account.id,
                                          run_id=run_id, rows=result.rows,
                                          row_file=result.row_file, rejects=result.rejects)
    finally:
        c.close()  # the landing file outlives the connector's scratch folder
    batch = warehouse.LoadBatch("offline_conversions", account.id, run_id, (landing,))
    return warehouse.load_batch(wh, batch, [warehouse.CursorUpdate("conversions", cursor)],
                                warehouse.QualityContext(engine="duckdb"))


def test_deals_publish_into_core_and_bad_lines_are_set_aside(tmp_path: Path, population):
    folder = tmp_path / "drop"
    export = export_closed_deals(population, folder)
    deals = [c for p in population.visible(NOW) for c in p.visible_conversions(NOW)
             if c.kind == "deal"]
    assert len(deals) > 50
    (folder / "typed-by-hand.csv").write_text(
        "conversion_id,occurred_at,kind,value,currency,email\n"
        "H1,2026-11-20,deal,250.00,GBP,hand@example.com\n"
        "H2,2026-11-20,deal,lots,GBP,hand@example.com\n"
        "H3,2026-11-20,deal,10.00,GBP,\n",
        encoding="utf-8",
    )
    wh = warehouse.connect(tmp_path / "wh.duckdb", landing_root=tmp_path / "landing")
    published = _load(wh, folder, "run1")
    assert published.table("offline_conversions.conversions").inserted == len(deals) + 1
    assert any("rejected_records" in w for w in published.warnings)
    [aside] = published.set_aside
    lines = [json.loads(x) for x in aside.read_text().splitlines()]
    assert len(lines) == 2
    assert lines[0]["error"].startswith("file typed-by-hand.csv line 3: value 'lots'")
    assert lines[1]["error"].startswith("file typed-by-hand.csv line 4: no identifier")

    total = sum(d.value for d in deals)
    row = wh.fetchall(
        "SELECT count(*), sum(value), count(value_reporting), min(kind), max(kind) "
        "FROM core.conversions WHERE platform = 'offline_conversions'")[0]
    assert row == (len(deals) + 1, total + Decimal("250.00"), len(deals) + 1, "deal", "deal")
    hand = wh.fetchall("SELECT person_key, currency, value, value_reporting FROM core.conversions "
                       "WHERE conversion_id = 'H1'")[0]
    assert hand[0] == wh.fetchall("SELECT core.person_key('hand@example.com')")[0][0]
    assert hand[1:3] == ("GBP", Decimal("250.0000")) and hand[3] != hand[2]  # EUR reporting

    # identity links: each deal's email, phone and click id point at one person key
    person = next(p for p in population.visible(NOW) if any(
        c.kind == "deal" and p.touches[c.touch_index].click_id for c in p.conversions
        if c.at <= NOW))
    links = dict(wh.fetchall(
        "SELECT id_type, id_value FROM core.identity_links WHERE person_key = "
        "core.person_key(?)", [person.email]))
    deal = next(c for c in person.conversions if c.kind == "deal")
    touch = person.touches[deal.touch_index]
    assert links["email"] == person.email and links[touch.click_id_param] == touch.click_id
    quarantined = wh.fetchall("SELECT reason FROM ops.quarantine WHERE run_id = 'run1'")
    assert quarantined == [("2 rejected record(s) set aside; the valid rows were published",)]

    # the next export holds the same deals plus newer ones: nothing counts twice
    later = NOW + timedelta(days=20)
    population.market.clock = lambda: later
    export_closed_deals(population, folder, as_of=later)
    assert export.exists()
    _load(wh, folder, "run2")
    newer = [c for p in population.visible(later) for c in p.visible_conversions(later)
             if c.kind == "deal"]
    counts = wh.fetchall(
        "SELECT count(*), count(DISTINCT conversion_id) FROM core.conversions "
        "WHERE platform = 'offline_conversions'")[0]
    assert counts == (len(newer) + 1, len(newer) + 1) and len(newer) > len(deals)
    assert wh.fetchall("SELECT max(cursor_date) FROM ops.extract_state "
                       "WHERE platform = 'offline_conversions'")[0][0] >= date(2026, 12, 1)
