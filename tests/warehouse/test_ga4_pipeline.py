"""GA4 from the emulator into the warehouse: land, stage, check, publish, core rows; re-runs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

import warehouse
from connectors.calllog import CallRecorder
from connectors.windows import extract_window
from emulators.ga4 import Ga4Emulator
from emulators.market import Market
from tests.connectors.fakes import FakeClock
from tests.connectors.ga4.contract_target import AD_PLATFORMS, NOW, ga4_connector, ga4_tokens
from warehouse import Warehouse

LOOKBACK = 3
INITIAL = 10


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def emulator(clock: FakeClock) -> Ga4Emulator:
    market = Market(seed=7, clock=clock, platforms=AD_PLATFORMS)
    return Ga4Emulator(market, tokens=ga4_tokens(), population_size=1_500)


def extract(wh: Warehouse, emulator: Ga4Emulator, clock: FakeClock, run_id: str) -> None:
    """One scheduled run: every stream of every property, each account one published batch."""
    connector = ga4_connector(
        emulator, clock, CallRecorder(), None, lookback_days=LOOKBACK, initial_days=INITIAL,
        report_page_size=500,
    )
    try:
        for account in connector.list_accounts():
            files, cursors, end = [], [], None
            for spec in connector.streams():
                window = None
                if spec.is_report:
                    window = extract_window(
                        timezone_name=account.timezone, now=clock(),
                        cursor=warehouse.get_cursor(wh, "ga4", account.id, spec.name),
                        lookback_days=LOOKBACK, initial_days=INITIAL,
                    )
                    assert window is not None
                result = connector.read(spec.name, account, window)
                assert not result.rejects
                files.append(warehouse.write_landing(
                    wh.landing_root, platform="ga4", stream=spec.name, account_id=account.id,
                    run_id=run_id, rows=result.rows, rejects=result.rejects, table=spec.table,
                ))
                if result.window is not None:
                    cursors.append(warehouse.CursorUpdate(spec.name, result.window.end))
                    end = result.window.end
            batch = warehouse.LoadBatch("ga4", account.id, run_id, tuple(files), window_end=end)
            warehouse.load_batch(
                wh, batch, cursors, warehouse.QualityContext(window_end=end, engine="duckdb")
            )
    finally:
        connector.close()


def truth(emulator: Ga4Emulator, property_id: str, first_day) -> dict:
    """What GA4 shows now for the property, per local day: sessions, key events, revenue."""
    prop = emulator.properties[property_id]
    now = emulator.market.now()
    yesterday = now.astimezone(prop.tz).date() - timedelta(days=1)
    days: dict = {}
    for s in emulator.sessions[property_id]:
        day = s.start.astimezone(prop.tz).date()
        if s.visible_at > now or not first_day <= day <= yesterday:
            continue
        shown = [e for e in s.events if e.visible_at <= now]
        acc = days.setdefault(day, [0, 0, Decimal(0)])
        acc[0] += 1
        acc[1] += sum(1 for e in shown if e.key_event)
        acc[2] += sum((e.revenue for e in shown), Decimal(0))
    return days


def per_day(wh: Warehouse, table: str, property_id: str) -> dict:
    rows = wh.fetchall(
        f"SELECT date, sum(sessions), sum(key_events), sum(total_revenue) FROM {table} "
        "WHERE property_id = ? GROUP BY date", [property_id],
    )
    return {d: [int(s), int(k), Decimal(r)] for d, s, k, r in rows}


def assert_matches_emulator(wh: Warehouse, emulator: Ga4Emulator, first_day) -> None:
    for pid in emulator.properties:
        expected = truth(emulator, pid, first_day)
        assert per_day(wh, "ga4.traffic_daily", pid) == expected
        assert per_day(wh, "ga4.sessions", pid) == expected


def test_sessions_land_and_map_into_core(wh: Warehouse, emulator: Ga4Emulator, clock: FakeClock):
    extract(wh, emulator, clock, "run1")
    first_day = NOW.date() - timedelta(days=INITIAL)
    assert_matches_emulator(wh, emulator, first_day)
    # Every session is a touchpoint of an anonymous client id, on the population's channel.
    by_minute = {
        (s.client_id, s.start.replace(second=0, microsecond=0), s.source, s.landing_page): s
        for sessions in emulator.sessions.values() for s in sessions
    }
    touches = wh.fetchall(
        "SELECT t.anonymous_id, t.occurred_at, t.channel, t.ad_platform, t.click_id_type, "
        "t.click_id, t.utm_source, split_part(t.landing_page, '?', 1), t.person_key, t.kind "
        "FROM core.touchpoints AS t WHERE t.platform = 'ga4'"
    )
    assert len(touches) == wh.fetchall("SELECT count(*) FROM ga4.sessions")[0][0] > 100
    channels: Counter[str] = Counter()
    for client, at, channel, ad_platform, click_type, click, source, page, person, kind in touches:
        s = by_minute[(client, at, source, page)]
        assert (kind, person) == ("session", None)
        assert channel == s.channel
        assert click == s.click_id and (click is None) == (click_type is None)
        assert ad_platform == (channel if channel.endswith("_ads") else None)
        channels[channel] += 1
    assert {"google_ads", "meta_ads", "direct"} <= set(channels)
    assert not wh.fetchall("SELECT 1 FROM core.identity_links WHERE platform = 'ga4'")
    # Sessions with key events or revenue are conversions, converted to USD at the day's rate.
    rows = wh.fetchall(
        "SELECT c.account_id, c.kind, c.value, c.currency, c.value_reporting, c.anonymous_id, "
        "s.key_events, s.total_revenue FROM core.conversions AS c "
        "JOIN ga4.sessions AS s ON s.session_key = c.conversion_id WHERE c.platform = 'ga4'"
    )
    assert rows and {r[0] for r in rows} == {"ga4:310000001", "ga4:310000002"}
    rate = {"EUR": Decimal("1.08"), "USD": Decimal("1")}
    for _, kind, value, currency, reporting, client, key_events, revenue in rows:
        assert kind == "key_event" and client is not None
        assert key_events > 0 or revenue != 0
        assert value == revenue
        assert reporting == (value * rate[currency]).quantize(Decimal("0.0001"))


def test_rerun_restates_recent_days_without_duplicates(
    wh: Warehouse, emulator: Ga4Emulator, clock: FakeClock
):
    extract(wh, emulator, clock, "run1")
    before = per_day(wh, "ga4.traffic_daily", "310000001")
    clock.advance(24 * 3600)
    extract(wh, emulator, clock, "run2")
    after = per_day(wh, "ga4.traffic_daily", "310000001")
    # GA4 was still processing the last days of run 1: the lookback re-read them.
    restated = [d for d in before if before[d] != after[d]]
    assert restated and all(d >= NOW.date() - timedelta(days=LOOKBACK + 1) for d in restated)
    assert max(after) == max(before) + timedelta(days=1)
    assert_matches_emulator(wh, emulator, NOW.date() - timedelta(days=INITIAL))
    for table, key in (
        ("ga4.sessions", "session_key"),
        ("ga4.traffic_daily", "property_id, date, source, medium, campaign_name, landing_page"),
    ):
        total, distinct = wh.fetchall(
            f"SELECT count(*), count(DISTINCT ({key})) FROM {table}"
        )[0]
        assert total == distinct
    sessions, converting = wh.fetchall(
        "SELECT count(*), count(*) FILTER (WHERE key_events > 0 OR total_revenue <> 0) "
        "FROM ga4.sessions"
    )[0]
    for table, key, expected in (
        ("core.touchpoints", "touchpoint_id", sessions),
        ("core.conversions", "conversion_id", converting),
    ):
        total, distinct = wh.fetchall(
            f"SELECT count(*), count(DISTINCT {key}) FROM {table} WHERE platform = 'ga4'"
        )[0]
        assert total == distinct == expected
    # The restated sessions carry run 2's id in core; untouched days keep run 1's.
    runs = dict(wh.fetchall("SELECT _run_id, count(*) FROM core.touchpoints GROUP BY 1"))
    assert set(runs) == {"run1", "run2"}


def test_revenue_without_a_rate_publishes_nothing(
    wh: Warehouse, emulator: Ga4Emulator, clock: FakeClock
):
    wh.con.execute("DELETE FROM core.fx_rates WHERE currency = 'EUR'")
    with pytest.raises(warehouse.PublishError, match=r"revenue left unconverted.*EUR"):
        extract(wh, emulator, clock, "run1")
    assert wh.fetchall("SELECT count(*) FROM ga4.sessions")[0][0] == 0
    assert wh.fetchall("SELECT count(*) FROM core.touchpoints")[0][0] == 0
