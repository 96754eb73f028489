"""LinkedIn reads against the emulator: the row cap, field chunks, refresh, late conversions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.errors import TokenExpiredError, VersionError
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings, ReportTooLargeError
from connectors.streams import DateWindow
from emulators.faults import FaultConfig
from emulators.market import Market
from tests.connectors.fakes import FakeClock
from tests.connectors.linkedin_ads.contract_target import (
    LI_TOKEN,
    NOW,
    linkedin_connector,
    linkedin_emulator,
)

WINDOW = DateWindow(date(2026, 10, 22), date(2026, 11, 19))


def run(emulator_options=None, faults=None, **settings):
    emulator = linkedin_emulator(faults, **(emulator_options or {}))
    clock = FakeClock(NOW)
    connector = linkedin_connector(emulator, clock, CallRecorder(), None, **settings)
    return emulator, connector


def analytics_calls(emulator):
    return [e for e in emulator.request_log if e.path == "/rest/adAnalytics"]


@pytest.fixture(scope="module")
def baseline():
    emulator, connector = run()
    account = connector.list_accounts()[0]
    result = connector.read("ad_analytics_daily", account, WINDOW)
    assert len(analytics_calls(emulator)) == 1
    return account, result.rows


def by_key(rows):
    return {(r["creative_id"], r["date"]): r for r in rows}


def test_row_cap_splits_the_date_range_until_each_slice_fits(baseline):
    account, rows = baseline
    cap = len(rows) // 5
    emulator, connector = run({"max_elements": cap}, analytics_row_cap=cap)
    result = connector.read("ad_analytics_daily", account, WINDOW)
    assert by_key(result.rows) == by_key(rows) and not result.rejects
    assert len(analytics_calls(emulator)) > 5


def test_a_single_full_day_is_split_by_campaign(baseline):
    account, rows = baseline
    day = WINDOW.end
    per_day = sum(1 for r in rows if r["date"] == day)
    cap = per_day - 1  # one day alone fills the cap
    emulator, connector = run({"max_elements": cap}, analytics_row_cap=cap)
    result = connector.read("ad_analytics_daily", account, DateWindow(day, day))
    assert by_key(result.rows) == {k: v for k, v in by_key(rows).items() if k[1] == day}
    assert any("campaigns" in e.params for e in analytics_calls(emulator))


def test_one_campaign_day_over_the_cap_fails_clearly(baseline):
    account, rows = baseline
    per_campaign_day: dict[tuple[str, date], int] = {}
    for r in rows:
        key = (r["campaign_id"], r["date"])
        per_campaign_day[key] = per_campaign_day.get(key, 0) + 1
    day = next(d for (_c, d), n in sorted(per_campaign_day.items()) if n >= 2)
    # A cap of 2: that campaign's two creatives fill a whole answer on their own.
    _emulator, connector = run({"max_elements": 2}, analytics_row_cap=2)
    with pytest.raises(ReportTooLargeError) as info:
        connector.read("ad_analytics_daily", account, DateWindow(day, day))
    assert "cannot be split further" in str(info.value) and not info.value.retryable


def test_fields_are_chunked_and_merged_on_date_and_pivot(baseline):
    account, rows = baseline
    emulator, connector = run({"max_fields": 4}, analytics_max_fields=4)
    result = connector.read("ad_analytics_daily", account, WINDOW)
    assert by_key(result.rows) == by_key(rows)
    calls = analytics_calls(emulator)
    assert len(calls) == 3  # 5 metrics, 2 per request + dateRange + pivotValues
    assert all(len(c.params["fields"].split(",")) <= 4 for c in calls)


def test_expired_token_is_refreshed_at_the_token_endpoint():
    emulator, connector = run(faults=FaultConfig(rate=1.0, kinds=("expired_token",),
                                                 max_faults=1))
    accounts = connector.list_accounts()
    assert accounts
    token_calls = [e for e in emulator.request_log if e.path == "/oauth/v2/accessToken"]
    assert len(token_calls) == 1 and token_calls[0].status == 200
    assert connector.auth.refresh_count == 1 and emulator.tokens.issued


def test_known_expiry_refreshes_before_the_first_call():
    emulator, connector = run(access_token_expires_at=NOW - timedelta(minutes=1))
    connector.list_accounts()
    assert emulator.request_log[0].path == "/oauth/v2/accessToken"
    assert {e.status for e in emulator.request_log} == {200}


def test_without_refresh_credentials_an_expired_token_is_fatal():
    emulator = linkedin_emulator(FaultConfig(rate=1.0, kinds=("expired_token",), max_faults=1))
    clock = FakeClock(NOW)
    connector = LinkedInAdsConnector(
        LinkedInAdsSettings(access_token=SecretStr(LI_TOKEN)),
        transport=emulator.transport(), sleep=clock.sleep, clock=clock,
    )
    with pytest.raises(TokenExpiredError):
        connector.list_accounts()


def test_a_sunset_version_is_a_version_error():
    _emulator, connector = run(api_version="202401")
    with pytest.raises(VersionError) as info:
        connector.list_accounts()
    assert info.value.status == 426 and "NONEXISTENT_VERSION" in str(info.value)


def test_accounts_report_in_utc_and_streams_stop_at_yesterday():
    _emulator, connector = run()
    accounts = connector.list_accounts()
    assert {a.timezone for a in accounts} == {"UTC"}
    result = connector.read("ad_analytics_daily", accounts[0],
                            DateWindow(date(2026, 11, 15), date(2026, 11, 25)))
    assert result.window == DateWindow(date(2026, 11, 15), date(2026, 11, 19))
    assert max(r["date"] for r in result.rows) == date(2026, 11, 19)
    assert connector.normalize_account_id(" urn:li:sponsoredAccount:508001002") == "508001002"


def test_late_conversions_restate_past_days_and_equal_market_truth():
    clock = {"now": datetime(2026, 11, 10, 12, 0, tzinfo=UTC)}
    market = Market(seed=7, clock=lambda: clock["now"], platforms=("linkedin_ads",))
    from emulators.linkedin_ads import LinkedInAdsEmulator

    emulator = LinkedInAdsEmulator(market)
    window = DateWindow(date(2026, 11, 1), date(2026, 11, 9))

    def read():
        fake = FakeClock(clock["now"])
        connector = LinkedInAdsConnector(
            LinkedInAdsSettings(access_token=SecretStr("AQV-linkedin-sandbox-token")),
            transport=emulator.transport(), sleep=fake.sleep, clock=fake,
        )
        account = connector.list_accounts()[0]
        return account, by_key(connector.read("ad_analytics_daily", account, window).rows)

    account, early = read()
    clock["now"] += timedelta(days=20)
    _, late = read()
    assert set(early) <= set(late)
    restated = [k for k in early if late[k]["conversions"] > early[k]["conversions"]]
    assert restated, "no late conversion arrived in 20 days"
    for (creative, day), row in late.items():
        truth = market.truth("linkedin_ads", creative, day)
        assert row["spend"] == truth.spend and row["impressions"] == truth.impressions
        assert row["clicks"] == truth.clicks
        assert row["conversions"] == truth.conversions
        assert row["conversion_value"] == truth.value
        assert row["currency"] == truth.currency == account.currency
        assert row["campaign_id"] == truth.ad_group_id  # a LinkedIn campaign = market ad group
