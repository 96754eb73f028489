"""The budget flow's warehouse read: budget entities, their units and days, calibrated value.

Most tests build a warehouse by hand (migrations, then core and marts rows); one reads a
warehouse the real extract flows filled from in-process sandboxes of a seeded market.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import warehouse
from warehouse import Warehouse
from warehouse.budget_inputs import (
    PLATFORM_REPORTED,
    BudgetHistory,
    BudgetInputError,
    budget_platforms,
    read_budget_history,
)
from warehouse.errors import WarehouseError

END = date(2026, 3, 28)
DAYS = 7
START = END - timedelta(days=DAYS - 1)
ADS = ("meta_ads", "google_ads", "linkedin_ads")


def _accounts(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany(
        "INSERT INTO core.accounts VALUES (?, ?, ?, ?, ?, 'UTC', 'ACTIVE', 'r0', now())",
        [("meta_ads", "meta_ads:act_1", "act_1", "Meta USD", "USD"),
         ("meta_ads", "meta_ads:act_2", "act_2", "Meta JPY", "JPY"),
         ("google_ads", "google_ads:123", "123", "Google EUR", "EUR"),
         ("linkedin_ads", "linkedin_ads:555", "555", "LinkedIn GBP", "GBP")])


def _campaign(con: duckdb.DuckDBPyConnection, platform: str, account: str, native: str,
              name: str, budget: int | None, status: str = "ACTIVE") -> None:
    con.execute(
        "INSERT INTO core.campaigns VALUES (?, ?, ?, ?, ?, ?, 'SALES', ?, NULL, NULL, NULL, "
        "'r0', now())",
        [platform, account, f"{platform}:{native}", native, name, status, budget])


def _group(con: duckdb.DuckDBPyConnection, platform: str, account: str, campaign: str,
           native: str, name: str, budget: int | None, status: str = "ACTIVE") -> None:
    con.execute(
        "INSERT INTO core.ad_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 'r0', now())",
        [platform, account, f"{platform}:{campaign}", f"{platform}:{native}", native, name,
         status, budget])


def _perf(con: duckdb.DuckDBPyConnection, day: date, platform: str, account: str,
          campaign: str, group: str, ad: str, currency: str, spend: str, conversions: str,
          value: str, fx: str = "1", view: str | None = None) -> None:
    con.execute(
        "INSERT INTO core.ad_performance_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 100, 5, ?, ?, "
        "?, 'USD', 'r0', now(), ?, ?)",
        [day, platform, account, f"{platform}:{campaign}", f"{platform}:{group}",
         f"{platform}:{ad}", currency, Decimal(spend), Decimal(spend) * Decimal(fx),
         Decimal(conversions), Decimal(value), Decimal(value) * Decimal(fx),
         None if view is None else Decimal(view),
         None if view is None else Decimal(view) * Decimal(fx)])


def _build(con: duckdb.DuckDBPyConnection) -> None:
    """Three platforms, each budget placement once, a shared Google budget, gaps in days."""
    _accounts(con)
    # Meta: a CBO campaign (5000 cents), a campaign leaving budgets to its ad sets, a JPY one
    _campaign(con, "meta_ads", "meta_ads:act_1", "100", "Meta CBO", 5000)
    _group(con, "meta_ads", "meta_ads:act_1", "100", "101", "cbo set", None)
    _campaign(con, "meta_ads", "meta_ads:act_1", "200", "Meta ABO", None)
    _group(con, "meta_ads", "meta_ads:act_1", "200", "201", "set a", 2550)
    _group(con, "meta_ads", "meta_ads:act_1", "200", "202", "set b", 1000, status="PAUSED")
    _group(con, "meta_ads", "meta_ads:act_1", "200", "203", "set none", None)
    _campaign(con, "meta_ads", "meta_ads:act_2", "300", "Meta JPY", 3000)
    # Google: two campaigns share budget 7001; micros / 10,000 in core
    _campaign(con, "google_ads", "google_ads:123", "8001", "Search A", 1234)
    _campaign(con, "google_ads", "google_ads:123", "8002", "Search B", 1234)
    _campaign(con, "google_ads", "google_ads:123", "8003", "Shopping", 500)
    _group(con, "google_ads", "google_ads:123", "8001", "9001", "ag", None)
    con.executemany(
        "INSERT INTO google_ads.campaigns (account_id, campaign_id, name, status, budget_id, "
        "daily_budget_micros) VALUES ('123', ?, ?, 'ENABLED', ?, ?)",
        [("8001", "Search A", "7001", 12_340_000), ("8002", "Search B", "7001", 12_340_000),
         ("8003", "Shopping", "7003", 5_000_000)])
    # LinkedIn: a group leaving the budget to its campaign (x100 in core), a group holding one
    _campaign(con, "linkedin_ads", "linkedin_ads:555", "600", "LI group", None)
    _group(con, "linkedin_ads", "linkedin_ads:555", "600", "601", "LI campaign", 7500)
    _campaign(con, "linkedin_ads", "linkedin_ads:555", "700", "LI budget group", 10000)
    _group(con, "linkedin_ads", "linkedin_ads:555", "700", "701", "LI inner", None)

    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        if offset != 3:  # a day without rows inside the span counts as a zero day
            _perf(con, day, "meta_ads", "meta_ads:act_1", "100", "101", "a1", "USD",
                  "10.00", "1", "40.00", view="12.00")
            _perf(con, day, "meta_ads", "meta_ads:act_1", "100", "101", "a2", "USD",
                  "5.50", "0.5", "10.00", view="0")  # a2: no view-through value
        if offset >= 2:  # starts on the window's third day
            _perf(con, day, "meta_ads", "meta_ads:act_1", "200", "201", "a3", "USD",
                  "20.00", "2", "30.00")
        if offset <= 4:  # paused ad set: stops on the fifth day
            _perf(con, day, "meta_ads", "meta_ads:act_1", "200", "202", "a4", "USD",
                  "3.00", "0", "0")
        _perf(con, day, "meta_ads", "meta_ads:act_2", "300", "301", "a5", "JPY",
              "1500", "1", "3000", fx="0.0067", view="1000")
        _perf(con, day, "google_ads", "google_ads:123", "8001", "9001", "g1", "EUR",
              "7.00", "1", "21.00", fx="1.08")
        _perf(con, day, "google_ads", "google_ads:123", "8002", "9002", "g2", "EUR",
              "3.00", "1", "9.00", fx="1.08")
        _perf(con, day, "google_ads", "google_ads:123", "8003", "9003", "g3", "EUR",
              "2.00", "0", "0", fx="1.08")
        _perf(con, day, "linkedin_ads", "linkedin_ads:555", "600", "601", "c1", "GBP",
              "50.00", "1", "100.00", fx="1.27")
        _perf(con, day, "linkedin_ads", "linkedin_ads:555", "700", "701", "c2", "GBP",
              "12.00", "0", "0", fx="1.27")
    # a row before the window: the CBO campaign's span starts at the window, not at its row
    _perf(con, START - timedelta(days=5), "meta_ads", "meta_ads:act_1", "100", "101", "a1",
          "USD", "99.00", "9", "99.00")


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    built = warehouse.connect(tmp_path / "wh.duckdb", landing_root=tmp_path / "landing")
    _build(built.con)
    yield built
    built.close()


def _run(con: duckdb.DuckDBPyConnection, run_id: str, model: str, start: date, end: date,
         rows: list[tuple[str, str, str, bool | None, str | None]],
         built_at: str = "2026-03-29 06:00:00+00") -> None:
    """One attribution run: rows (channel, campaign, value, spend_complete, roas_note)."""
    con.execute(
        "INSERT INTO marts.attribution_runs VALUES (?, ?, ?, ?, 90, 30, 'rule', [?], 1, 1, 1, "
        "1, 0, 0, 0, 'USD', NULL, NULL)", [run_id, built_at, start, end, model])
    days = (end - start).days + 1
    for channel, campaign, value, complete, note in rows:
        con.execute(
            "INSERT INTO marts.attribution_campaign_credit (run_id, period_start, period_end, "
            "model, channel, campaign, conversions, value, spend, roas, spend_days, "
            "period_days, spend_complete, roas_note) VALUES (?, ?, ?, ?, ?, ?, 1, ?, 0, NULL, "
            "?, ?, ?, ?)",
            [run_id, start, end, model, channel, campaign, Decimal(value),
             None if complete is None else (days if complete else 3), days, complete, note])


def _read(wh: Warehouse, **kwargs: Any) -> BudgetHistory:
    args: dict[str, Any] = {"platforms": ADS, "end": END, "days": DAYS}
    args.update(kwargs)
    return read_budget_history(wh.con, **args)


def test_budget_entities_and_levels_per_platform(wh: Warehouse) -> None:
    history = _read(wh)
    keys = {(e.platform, e.level, e.entity_id) for e in history.entities}
    assert keys == {
        ("meta_ads", "campaign", "100"),   # CBO: the campaign holds the budget
        ("meta_ads", "ad_set", "201"),     # no campaign budget: its ad sets do
        ("meta_ads", "ad_set", "202"),
        ("meta_ads", "campaign", "300"),
        ("google_ads", "campaign_budget", "7001"),  # the budget id Google's writer mutates
        ("google_ads", "campaign_budget", "7003"),
        ("linkedin_ads", "campaign", "601"),         # a LinkedIn campaign (core ad group)
        ("linkedin_ads", "campaign_group", "700"),   # a group holding the budget
    }
    shared = history.entity("google_ads", "7001")
    assert shared.campaign_ids == ("google_ads:8001", "google_ads:8002")
    assert shared.name == "Search A + Search B"
    assert shared.native_account_id == "123" and shared.account_id == "google_ads:123"
    ad_set = history.entity("meta_ads", "201")
    assert ad_set.core_ids == ("meta_ads:201",) and ad_set.campaign_ids == ("meta_ads:200",)
    assert ad_set.attribution_keys == ("meta_ads:200", "Meta ABO")
    assert history.entity("meta_ads", "202").status == "PAUSED"
    assert history.entity("linkedin_ads", "601").attribution_keys == (
        "linkedin_ads:600", "LI group")


def test_budgets_convert_to_major_units_of_the_account_currency(wh: Warehouse) -> None:
    history = _read(wh)
    budgets = {(e.platform, e.entity_id): (e.daily_budget, e.currency) for e in history.entities}
    assert budgets[("meta_ads", "100")] == (Decimal("50.00"), "USD")    # Meta minor units
    assert budgets[("meta_ads", "201")] == (Decimal("25.50"), "USD")
    assert budgets[("meta_ads", "300")] == (Decimal("3000"), "JPY")     # JPY has no minor unit
    assert budgets[("google_ads", "7001")] == (Decimal("12.34"), "EUR")  # micros / 10,000
    assert budgets[("google_ads", "7003")] == (Decimal("5.00"), "EUR")
    assert budgets[("linkedin_ads", "601")] == (Decimal("75.00"), "GBP")  # major x 100
    assert budgets[("linkedin_ads", "700")] == (Decimal("100.00"), "GBP")
    assert all(isinstance(b, Decimal) for b, _ in budgets.values())


def test_days_sum_core_rows_in_the_account_currency(wh: Warehouse) -> None:
    history = _read(wh)
    assert (history.start, history.end) == (START, END)
    con = wh.con
    for entity in history.entities:
        column = "campaign_id" if entity.level in ("campaign", "campaign_budget") else "ad_group_id"
        if entity.platform == "linkedin_ads":
            column = "ad_group_id" if entity.level == "campaign" else "campaign_id"
        for day in entity.days:
            spend, conversions, value = con.execute(
                f"SELECT coalesce(sum(spend), 0), coalesce(sum(conversions), 0), "
                f"coalesce(sum(conversion_value), 0) FROM core.ad_performance_daily "
                f"WHERE {column} IN (SELECT unnest(?)) AND date = ?",
                [list(entity.core_ids), day.date]).fetchone() or (0, 0, 0)
            assert (day.spend, day.conversions, day.platform_value) == (
                spend, conversions, value), (entity.key, day.date)
            assert day.value == day.platform_value  # no model: platform-reported value
        assert entity.value_source == PLATFORM_REPORTED
    cbo = history.entity("meta_ads", "100")
    assert [d.date for d in cbo.days] == [START + timedelta(days=i) for i in range(DAYS)]
    assert cbo.days[3].spend == 0 and cbo.days[0].spend == Decimal("15.50")
    assert cbo.spend == Decimal("15.50") * 6
    # the span starts at the entity's first row, and a paused one ends at its last row
    assert history.entity("meta_ads", "201").days[0].date == START + timedelta(2)
    assert [d.date for d in history.entity("meta_ads", "202").days][-1] == START + timedelta(4)
    jpy = history.entity("meta_ads", "300")
    assert jpy.days[0].spend == Decimal("1500")  # account currency, not the reporting one
    assert history.entity("google_ads", "7001").days[0].spend == Decimal("10.00")


def test_view_through_value_is_read_beside_value_and_zero_where_unknown(wh: Warehouse) -> None:
    _run(wh.con, "run1", "linear", START, END, [("meta_ads", "meta_ads:100", "150.00", True, None)])
    for history in (_read(wh), _read(wh, model="linear")):
        cbo = history.entity("meta_ads", "100")
        assert cbo.days[0].view_value == Decimal("12.00")  # a1's 12.00 + a2's 0
        assert cbo.days[3].view_value == 0  # a day without rows
        # the view value stays platform-reported (account currency) when value is calibrated
        assert sum(d.view_value for d in cbo.days) == Decimal("12.00") * 6
        assert history.entity("meta_ads", "300").days[0].view_value == Decimal("1000")  # JPY
        # Google and LinkedIn report no split: NULL in core, 0 here
        for platform, entity_id in (("google_ads", "7001"), ("linkedin_ads", "601")):
            assert all(d.view_value == 0 for d in history.entity(platform, entity_id).days)
    assert _read(wh, model="linear").entity("meta_ads", "100").value_source == "attribution:linear"


def test_calibration_applies_the_attribution_ratio_and_labels_it(wh: Warehouse) -> None:
    # credit: the Meta CBO campaign by core id, Google's Search A by name, LinkedIn by name
    _run(wh.con, "run1", "linear", START, END, [
        ("meta_ads", "meta_ads:100", "150.00", True, None),
        ("meta_ads", "Meta ABO", "99.00", True, None),
        ("google_ads", "Search A", "200.00", True, None),
        ("google_ads", "Search B", "100.00", True, None),
        ("linkedin_ads", "LI group", "350.00", True, None),
    ])
    history = _read(wh, model="linear")
    assert history.attribution_run_id == "run1"
    assert history.attribution_period == (START, END)
    cbo = history.entity("meta_ads", "100")
    # platform value over the run's period: 6 days x 50.00 (fx 1) = 300.00; credit 150.00
    assert cbo.value_source == "attribution:linear"
    assert cbo.calibration == Decimal("0.5")
    assert cbo.days[0].value == Decimal("25.00") and cbo.days[0].platform_value == 50
    assert cbo.days[3].value == 0
    # ad sets take their campaign's ratio: credit / the whole campaign's platform value
    # (set a: 5 days x 30.00, set b: 5 days x 0)
    for ad_set in ("201", "202"):
        entity = history.entity("meta_ads", ad_set)
        assert entity.value_source == "attribution:linear"
        assert entity.calibration == Decimal("99.00") / Decimal("150.00")
    assert history.entity("meta_ads", "201").days[0].value == Decimal("19.8000")
    google = history.entity("google_ads", "7001")
    # shared budget: (200 + 100) / (7 days x 30.00 EUR x 1.08 in the reporting currency)
    expected = Decimal("300.00") / (Decimal("30.00") * Decimal("1.08") * 7)
    assert google.calibration == pytest.approx(expected)
    assert google.days[0].value == (Decimal("30.00") * expected).quantize(Decimal("0.0001"))
    linked = history.entity("linkedin_ads", "601")
    assert linked.value_source == "attribution:linear"
    assert linked.calibration == pytest.approx(Decimal("350") / (Decimal("127.00") * 7))
    assert "run1" in (linked.value_note or "")


def test_fallback_to_platform_value_says_why(wh: Warehouse) -> None:
    _run(wh.con, "run2", "linear", START - timedelta(days=3), END, [
        ("meta_ads", "Meta ABO", "10.00", False, "meta_ads spend covers 5 of 10 days"),
        ("meta_ads", "Meta JPY", "10.00", None, None),
        ("linkedin_ads", "LI budget group", "10.00", True, None),  # platform value 0
    ])
    history = _read(wh, model="linear")
    reasons = {e.entity_id: (e.value_source, e.value_note or "") for e in history.entities}
    assert reasons["201"][0] == PLATFORM_REPORTED
    assert "spend coverage incomplete: meta_ads spend covers 5 of 10 days" in reasons["201"][1]
    assert "coverage unknown" in reasons["300"][1]
    assert reasons["100"][0] == PLATFORM_REPORTED
    assert "no linear credit for campaign(s) meta_ads:100, Meta CBO" in reasons["100"][1]
    assert "is 0" in reasons["700"][1]
    for entity in history.entities:
        assert entity.calibration is None
        assert all(d.value == d.platform_value for d in entity.days)

    other = _read(wh, model="markov_order_2")
    assert other.attribution_run_id is None
    assert all(e.value_source == PLATFORM_REPORTED for e in other.entities)
    assert "no attribution run of model 'markov_order_2'" in (other.entities[0].value_note or "")


def test_errors_name_what_is_wrong(wh: Warehouse) -> None:
    with pytest.raises(BudgetInputError, match="tiktok_ads"):
        _read(wh, platforms=("meta_ads", "tiktok_ads"))
    with pytest.raises(BudgetInputError, match="days must be at least 1, got 0"):
        _read(wh, days=0)
    with pytest.raises(BudgetInputError, match=r"meta_ads between 2025-01-01 and 2025-01-07"):
        _read(wh, platforms=("meta_ads",), end=date(2025, 1, 7))
    assert issubclass(BudgetInputError, WarehouseError)
    assert set(budget_platforms()) == set(ADS)


def test_a_platform_without_rows_is_named_not_fatal(wh: Warehouse) -> None:
    wh.con.execute("DELETE FROM core.ad_performance_daily WHERE platform = 'linkedin_ads'")
    history = _read(wh)
    assert history.platforms_without_data == ("linkedin_ads",)
    assert all(not e.days for e in history.entities if e.platform == "linkedin_ads")


# -- a warehouse filled from in-process sandboxes of a seeded market ---------------------------

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sandbox_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Extract every ad platform's first load (the extract task's own code) into a warehouse.

    The extract task runs as a plain function (``.fn``) with Prefect's concurrency slot and
    run logger stubbed out, and each account's batch goes through ``warehouse.load_batch``
    (the load task's path) with the DuckDB quality engine: the same rows as the
    ``extract-ads`` flow, in seconds instead of a minute behind a Prefect server.
    """
    from prefect.logging import disable_run_logger

    import tasks.extract
    from connectors.description import platforms
    from emulators.market import Market
    from emulators.registry import EMULATORS
    from resources.environment import current
    from resources.platforms import ad_channels
    from resources.sandbox import use_sandbox_emulator
    from warehouse.reference import sync_ad_channels

    root = tmp_path_factory.mktemp("sandbox")
    environ = {"CAMPAIGN_OPS_ENV": "sandbox",
               "CAMPAIGN_OPS_WAREHOUSE": str(root / "warehouse.duckdb"),
               "CAMPAIGN_OPS_DATA_DIR": str(root / "data"),
               "CAMPAIGN_OPS_STORE_URL": f"sqlite:///{root / 'store.sqlite'}"}
    ad_platforms = tuple(d.name for d in platforms("ads"))
    market = Market(seed=3, today=NOW, platforms=ad_platforms)
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack, \
            disable_run_logger():
        patch.setattr(tasks.extract, "concurrency",
                      lambda *_, **__: contextlib.nullcontext())
        for platform in ad_platforms:
            stack.enter_context(use_sandbox_emulator(platform, EMULATORS[platform](market=market)))
        env = current(environ)
        env.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        with warehouse.connect(env.warehouse_path, landing_root=env.landing_root,
                               quarantine_root=env.quarantine_root,
                               reporting_currency=env.reporting_currency) as wh:
            sync_ad_channels(wh, ad_channels())
            for platform in ad_platforms:
                listing = tasks.extract.list_accounts.fn(platform, env, None)
                for account in listing.accounts:
                    got = tasks.extract.extract_account.fn(
                        platform, account, env, "run1", dict.fromkeys(listing.report_streams))
                    window_end = got.window.end if got.window else None
                    warehouse.load_batch(
                        wh, warehouse.LoadBatch(platform, account.id, got.batch_id, got.files,
                                                window_end=window_end),
                        [warehouse.CursorUpdate(s, window_end) for s in got.report_streams
                         if window_end],
                        warehouse.QualityContext(window_end=window_end, engine="duckdb"))
    return root / "warehouse.duckdb"


def test_extracted_sandbox_warehouse(sandbox_warehouse: Path) -> None:
    end = NOW.date() - timedelta(days=1)
    with duckdb.connect(str(sandbox_warehouse), read_only=True) as con:
        history = read_budget_history(con, platforms=ADS, end=end, days=28)
        levels = {(e.platform, e.level) for e in history.entities}
        native: dict[tuple[str, str, str], Any] = {}
        for platform, level, sql in (
            ("google_ads", "campaign_budget",
             "SELECT budget_id, any_value(daily_budget_micros) FROM google_ads.campaigns "
             "GROUP BY ALL"),
            ("meta_ads", "campaign", "SELECT campaign_id, daily_budget FROM meta_ads.campaigns"),
            ("meta_ads", "ad_set", "SELECT ad_set_id, daily_budget FROM meta_ads.ad_sets"),
            ("linkedin_ads", "campaign",
             "SELECT campaign_id, daily_budget FROM linkedin_ads.campaigns"),
            ("linkedin_ads", "campaign_group",
             "SELECT campaign_group_id, daily_budget FROM linkedin_ads.campaign_groups"),
        ):
            native.update(((platform, level, str(k)), v) for k, v in con.execute(sql).fetchall())
        delivered = {r[0] for r in con.execute(
            "SELECT campaign_id FROM core.ad_performance_daily WHERE date <= $e UNION "
            "SELECT ad_group_id FROM core.ad_performance_daily WHERE date <= $e",
            {"e": end}).fetchall()}
        total = dict(con.execute(
            "SELECT platform, sum(spend) FROM core.ad_performance_daily "
            "WHERE date BETWEEN ? AND ? GROUP BY ALL", [history.start, end]).fetchall())

    assert history.platforms_without_data == ()
    assert {p for p, _ in levels} == set(ADS)
    assert ("meta_ads", "campaign") in levels and ("meta_ads", "ad_set") in levels
    assert levels <= {("meta_ads", "campaign"), ("meta_ads", "ad_set"),
                      ("google_ads", "campaign_budget"), ("linkedin_ads", "campaign"),
                      ("linkedin_ads", "campaign_group")}
    for entity in history.entities:
        assert entity.currency and entity.daily_budget is not None, entity.key
        # the budget in major units equals the platform table's own: micros, minor units
        # (every sandbox currency has two decimals) or LinkedIn's decimal
        stored = native[entity.key]
        expected = {"google_ads": Decimal(stored).scaleb(-6),
                    "meta_ads": Decimal(stored).scaleb(-2),
                    "linkedin_ads": Decimal(stored)}[entity.platform]
        assert entity.daily_budget == expected, entity.key
        # no days only for an entity that never delivered up to the window's end
        assert bool(entity.days) == bool(set(entity.core_ids) & delivered), entity.key
    assert sum(1 for e in history.entities if e.days) > len(history.entities) // 2
    # every spend row belongs to one budget entity: the entities' spend adds up per platform
    for platform in ADS:
        mine = sum((e.spend for e in history.entities if e.platform == platform), Decimal(0))
        assert mine == total[platform], platform
