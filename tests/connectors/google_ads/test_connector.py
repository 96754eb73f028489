"""GoogleAdsConnector against its emulator: auth, accounts, windows, late conversions, writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.calllog import CallRecorder
from connectors.errors import BadRequestError, ConfigurationError, VersionError
from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings
from connectors.retry import RetryPolicy
from connectors.streams import DateWindow
from emulators.faults import FaultConfig
from emulators.google_ads import (
    CLIENT_ID,
    CLIENT_SECRET,
    CONVERSION_WINDOWS,
    DEVELOPER_TOKEN,
    MANAGER_ID,
    REFRESH_TOKEN,
    GoogleAdsEmulator,
)
from emulators.google_ads import resources as R
from emulators.market import Market
from tests.connectors.fakes import FakeClock

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Shared:
    """One clock for the market and the connector, so moving it moves both."""

    def __init__(self) -> None:
        self.clock = FakeClock(START)
        self.market = Market(seed=7, clock=self.clock, platforms=("google_ads",))
        self.emulator = GoogleAdsEmulator(self.market, page_size=5)

    def connector(self, **overrides) -> GoogleAdsConnector:
        fields: dict[str, Any] = dict(
            developer_token=SecretStr(DEVELOPER_TOKEN), client_id=CLIENT_ID,
            client_secret=SecretStr(CLIENT_SECRET), refresh_token=SecretStr(REFRESH_TOKEN),
            login_customer_id=MANAGER_ID, requests_per_second=1000,
            retry=RetryPolicy(max_attempts=6),
        )
        fields.update(overrides)
        return GoogleAdsConnector(
            GoogleAdsSettings(**fields), transport=self.emulator.transport(),
            recorder=CallRecorder(), sleep=self.clock.sleep, clock=self.clock,
        )


@pytest.fixture
def env() -> Shared:
    return Shared()


def test_first_call_refreshes_and_an_expired_token_is_refreshed_again(env):
    c = env.connector()
    accounts = c.list_accounts()
    assert [a.id for a in accounts] == ["5550001001", "5550001002", "5550001003"]
    assert (accounts[1].currency, accounts[1].timezone) == ("EUR", "Europe/Berlin")
    assert c.auth.refresh_count == 1 and len(env.emulator.tokens.issued) == 1
    env.clock.advance(2 * 3600)  # the token expired; skew disabled below to see the 401
    c.auth.skew_seconds = 0
    c.auth._expires_at = None
    rows = c.read("campaigns", accounts[0]).rows
    assert rows and c.auth.refresh_count == 2
    assert [x.error_class for x in c.recorder.calls[-2:]] == ["TokenExpiredError", None]
    token_calls = [r for r in env.emulator.request_log if r.path == "/token"]
    assert len(token_calls) == 2 and all(r.params["client_secret"] == "***" for r in token_calls)


def test_customer_filter_and_account_ids(env):
    c = env.connector(customer_ids=("555-000-1002",))
    assert [a.id for a in c.list_accounts()] == ["5550001002"]
    assert c.normalize_account_id(" 555-000-1003 ") == "5550001003"
    with pytest.raises(ConfigurationError):
        c.normalize_account_id("act_1001")
    with pytest.raises(ValidationError):
        env.connector(lookback_days=91)


def test_without_a_manager_the_accessible_customers_are_listed(env):
    c = env.connector(login_customer_id=None)
    assert c.list_accounts() == []  # the sandbox user reaches only the manager itself
    assert env.emulator.request_log[-2].path == "/v26/customers:listAccessibleCustomers"


def test_default_window_is_the_conversion_window_and_stops_at_yesterday(env):
    c = env.connector()
    # a first load reads 30 days (the attribution period), later runs re-read 14
    assert c.settings.lookback_days == 14 and c.settings.initial_days == 30
    account = next(a for a in c.list_accounts() if a.timezone == "Europe/Berlin")
    env.clock.now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # already the 21st in Berlin
    result = c.read("ad_performance_daily", account)
    assert result.window == DateWindow(date(2026, 10, 22), date(2026, 11, 20))
    assert max(r["date"] for r in result.rows) == date(2026, 11, 20)
    asked = DateWindow(date(2026, 11, 18), date(2026, 11, 25))
    assert c.read("ad_performance_daily", account, asked).window == DateWindow(
        date(2026, 11, 18), date(2026, 11, 20))


@pytest.mark.parametrize("stream_api", [True, False], ids=["searchStream", "search"])
def test_report_equals_truth_after_late_conversions_restate(env, stream_api):
    c = env.connector(use_search_stream=stream_api)
    account = c.list_accounts()[0]
    window = DateWindow(date(2026, 11, 10), date(2026, 11, 19))
    early = c.read("ad_performance_daily", account, window).rows
    first = {(r["ad_id"], r["date"]): r for r in early}
    env.clock.advance(25 * 86400)
    second = c.read("ad_performance_daily", account, window)
    assert not second.rejects
    rows = {(r["ad_id"], r["date"]): r for r in second.rows}
    assert rows.keys() == first.keys() and rows
    as_of = env.market.local_today("google_ads", account.id)
    for (ad_id, day), row in rows.items():
        truth = env.market.truth("google_ads", ad_id, day, as_of=as_of, windows=CONVERSION_WINDOWS)
        assert row["spend"] == truth.spend and row["currency"] == "USD"
        assert (row["impressions"], row["clicks"]) == (truth.impressions, truth.clicks)
        assert row["conversions"] == truth.conversions and row["conversion_value"] == truth.value
        assert isinstance(row["spend"], Decimal)
    assert sum(r["conversions"] for r in rows.values()) > sum(
        r["conversions"] for r in first.values())


def test_entity_rows_and_bad_records(env):
    c = env.connector()
    account = c.list_accounts()[0]
    campaigns = c.read("campaigns", account).rows
    assert {r["campaign_id"] for r in campaigns} == {
        x.id for x in env.market.campaigns("google_ads", account.id)}
    first = campaigns[0]
    assert first["budget_id"] == R.budget_id(first["campaign_id"])
    assert first["daily_budget_micros"] % 10_000 == 0 and first["status"] in ("ENABLED", "PAUSED")
    env.emulator.faults = type(env.emulator.faults)(FaultConfig(rate=1.0, kinds=("bad_record",)))
    ads = c.read("ads", account)
    assert ads.rejects and all(r.location.page >= 1 for r in ads.rejects)
    assert len(ads.rows) + len(ads.rejects) == len(env.market.ads("google_ads", account.id))


def test_sunset_version_is_a_version_error(env):
    with pytest.raises(VersionError):
        env.connector(api_version="v19").list_accounts()


def test_writes_return_what_the_platform_answered(env):
    c = env.connector()
    account = c.list_accounts()[0]
    campaign = c.read("campaigns", account).rows[0]
    budget = campaign["budget_id"]
    checked = c.set_campaign_budget(account, budget, 88_000_000, validate_only=True)
    assert checked.validate_only and checked.resource_names == (None,)
    assert env.emulator.mutation_log == []
    done = c.set_campaign_budget(account, budget, 88_000_000)
    assert done.succeeded
    assert done.resource_names == (f"customers/{account.id}/campaignBudgets/{budget}",)
    assert c.read("campaigns", account).rows[0]["daily_budget_micros"] == 88_000_000
    with pytest.raises(BadRequestError, match="NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"):
        c.set_campaign_budget(account, budget, 88_000_001)
    partial = c.set_campaign_budgets(
        account, [(budget, 90_000_000), (budget, 5)], partial_failure=True)
    assert partial.resource_names[0] and partial.resource_names[1] is None
    assert [(e.index, e.code) for e in partial.errors] == [
        (1, "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT")]
    ad = c.read("ads", account).rows[0]
    paused = c.set_status(account, "ad", ad["ad_id"], "PAUSED", ad_group_id=ad["ad_group_id"])
    assert paused.succeeded and env.market.status("google_ads", ad["ad_id"]) == "PAUSED"
    group = c.set_status(account, "ad_group", ad["ad_group_id"], "PAUSED")
    assert group.succeeded
    log = [(m.entity_type, m.field, m.after) for m in env.emulator.mutation_log]
    assert log == [("campaign_budget", "amount_micros", "88000000"),
                   ("campaign_budget", "amount_micros", "90000000"),
                   ("ad_group_ad", "status", "PAUSED"), ("ad_group", "status", "PAUSED")]
    with pytest.raises(ConfigurationError):
        c.set_status(account, "ad", ad["ad_id"], "PAUSED")
