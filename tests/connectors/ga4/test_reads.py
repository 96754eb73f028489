"""GA4 connector behaviour against its emulator: windows, paging, quota, errors, rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from connectors.calllog import CallRecorder
from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from connectors.ga4 import DailyQuotaExhaustedError, Ga4Connector, Ga4Settings
from connectors.retry import RetryPolicy
from connectors.streams import DateWindow
from emulators.ga4 import PropertyQuotaLimits
from tests.connectors.fakes import FakeClock, json_response
from tests.connectors.ga4.contract_target import (
    GA4_CLIENT_ID,
    GA4_CLIENT_SECRET,
    GA4_REFRESH_TOKEN,
    NOW,
    PROPERTIES,
    ga4_connector,
    ga4_emulator,
)


def wired(emulator=None, **overrides) -> tuple[Ga4Connector, Any, FakeClock]:
    emulator = emulator or ga4_emulator(None)
    clock = FakeClock(NOW)
    return ga4_connector(emulator, clock, CallRecorder(), None, **overrides), emulator, clock


def reports(emulator) -> list:
    return [r for r in emulator.request_log if r.path.endswith(":runReport")]


def test_settings_normalise_properties_and_check_the_client_id_dimension():
    base: dict[str, Any] = {
        "client_id": "c", "client_secret": SecretStr("s"), "refresh_token": SecretStr("r")
    }
    settings = Ga4Settings(**base, property_ids=("properties/123", " 456 "))
    assert settings.property_ids == ("123", "456")
    assert settings.lookback_days == 3
    assert settings.client_id_dimension == "customEvent:ga_client_id"
    bad: dict[str, Any]
    for bad in (
        {"property_ids": ("UA-1234-1",)},
        {"property_ids": ()},
        {"property_ids": ("1",), "client_id_dimension": "ga_client_id"},
        {"property_ids": ("1",), "lookback_days": 31},
        {"property_ids": ("1",), "report_page_size": 250_001},
    ):
        with pytest.raises(ValidationError):
            Ga4Settings(**base, **bad)
    assert "s'" not in repr(settings) and "SecretStr" in repr(settings)


def test_properties_are_the_accounts_with_their_zone_and_currency():
    connector, _, _ = wired()
    accounts = connector.list_accounts()
    assert [(a.id, a.currency, a.timezone) for a in accounts] == [
        ("310000001", "EUR", "Europe/Berlin"),
        ("310000002", "USD", "America/New_York"),
    ]
    assert connector.normalize_account_id("properties/310000002") == "310000002"


def test_report_pages_by_offset_with_the_full_request_body():
    connector, emulator, _ = wired(report_page_size=25)
    account = connector.list_accounts()[0]
    window = DateWindow(date(2026, 11, 10), date(2026, 11, 19))
    result = connector.read("traffic_daily", account, window)
    calls = reports(emulator)
    assert len(calls) == -(-len(result.rows) // 25) >= 3
    assert [int(c.params["offset"]) for c in calls] == [25 * i for i in range(len(calls))]
    body = calls[0].params
    assert json.loads(body["dateRanges"]) == [{"startDate": "2026-11-10", "endDate": "2026-11-19"}]
    assert json.loads(body["orderBys"])[0] == {"dimension": {"dimensionName": "date"}}
    assert body["limit"] == "25" and body["returnPropertyQuota"] == "true"
    assert {r["date"] for r in result.rows} == set(window.dates())
    whole = wired()[0].read("traffic_daily", account, window)
    assert result.rows == whole.rows  # page size changes nothing


def test_session_rows_join_people_and_keep_their_key():
    connector, emulator, _ = wired()
    account = connector.list_accounts()[1]
    window = DateWindow(date(2026, 11, 1), date(2026, 11, 19))
    rows = connector.read("sessions", account, window).rows
    again = connector.read("sessions", account, window).rows
    assert rows == again and len({r["session_key"] for r in rows}) == len(rows)
    by_client = {p.client_id: p for p in emulator.population}
    for row in rows:
        person = by_client[row["client_id"]]
        starts = {t.at.replace(second=0, microsecond=0) for t in person.touches}
        assert row["session_start"] in starts and row["session_start"].tzinfo == UTC
        local = row["session_start"].astimezone(account.tz).date()
        assert row["date"] == local and row["currency"] == "USD"


def test_window_stops_at_yesterday_in_the_property_zone():
    connector, _, clock = wired()
    clock.now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # still the 19th in New York
    eu, us = connector.list_accounts()
    asked = DateWindow(date(2026, 11, 15), date(2026, 11, 25))
    eu_end, us_end = date(2026, 11, 19), date(2026, 11, 18)
    assert connector.read("sessions", eu, asked).window == DateWindow(asked.start, eu_end)
    assert connector.read("sessions", us, asked).window == DateWindow(asked.start, us_end)
    assert connector.read("traffic_daily", us, None).window == DateWindow(
        date(2026, 11, 18) - timedelta(days=29), date(2026, 11, 18)
    )


def test_token_quota_is_the_throttle_headroom():
    emulator = ga4_emulator(None, limits=PropertyQuotaLimits(tokens_per_hour=100))
    connector, _, _ = wired(emulator, report_page_size=20)
    account = connector.list_accounts()[0]
    connector.read("traffic_daily", account, DateWindow(date(2026, 11, 1), date(2026, 11, 19)))
    headroom = [c.throttle_headroom for c in connector.recorder.calls if c.endpoint.endswith(
        ":runReport")]
    # The standard bucket sizes are the floor: 100 hourly tokens of 40,000 leave ~0 headroom.
    assert headroom and all(h is not None and h < 0.01 for h in headroom)


def test_daily_quota_is_not_retried_hourly_quota_is():
    emulator = ga4_emulator(None, limits=PropertyQuotaLimits(tokens_per_day=1))
    connector, _, _ = wired(emulator)
    account = connector.list_accounts()[0]
    window = DateWindow(date(2026, 11, 18), date(2026, 11, 19))
    connector.read("traffic_daily", account, window)
    with pytest.raises(DailyQuotaExhaustedError, match="tokens per day") as info:
        connector.read("traffic_daily", account, window)
    assert not info.value.retryable and info.value.attempts == 1

    emulator = ga4_emulator(None, limits=PropertyQuotaLimits(tokens_per_hour=1))
    connector, _, clock = wired(emulator, retry=RetryPolicy(max_attempts=3))
    connector.read("traffic_daily", account, window)
    with pytest.raises(RateLimitError, match="tokens per hour") as throttled:
        connector.read("traffic_daily", account, window)
    assert throttled.value.attempts == 3 and clock.sleeps


def test_an_unregistered_client_id_dimension_says_which_setting():
    connector, _, _ = wired(client_id_dimension="customEvent:cid")
    account = connector.list_accounts()[0]
    with pytest.raises(BadRequestError, match="client_id_dimension 'customEvent:cid'") as info:
        connector.read("sessions", account, DateWindow(date(2026, 11, 18), date(2026, 11, 19)))
    assert "is not a valid dimension" in str(info.value) and info.value.attempts == 1


def test_an_expired_token_is_refreshed_before_the_first_call():
    connector, emulator, _ = wired(access_token_expires_at=NOW - timedelta(minutes=1))
    assert connector.list_accounts()
    assert emulator.request_log[0].path == "/token" and emulator.tokens.issued


def scripted(response: httpx.Response) -> Ga4Connector:
    clock = FakeClock(NOW)
    settings = Ga4Settings(
        client_id=GA4_CLIENT_ID, client_secret=SecretStr(GA4_CLIENT_SECRET),
        refresh_token=SecretStr(GA4_REFRESH_TOKEN), access_token=SecretStr("ya29.x-token-1"),
        property_ids=PROPERTIES, retry=RetryPolicy(max_attempts=1),
    )
    grant = json_response(200, {"access_token": "ya29.x-token-2", "expires_in": 3599})

    def answer(request: httpx.Request) -> httpx.Response:
        return grant if request.url.path == "/token" else response

    return Ga4Connector(settings, transport=httpx.MockTransport(answer),
                        sleep=clock.sleep, clock=clock)


def google(status: int, rpc: str, message: str = "m", reason: str | None = None) -> httpx.Response:
    error: dict = {"code": status, "status": rpc, "message": message}
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": reason}]
    return json_response(status, {"error": error})


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (google(401, "UNAUTHENTICATED", reason="ACCESS_TOKEN_EXPIRED"), TokenExpiredError),
        (google(401, "UNAUTHENTICATED", reason="CREDENTIALS_MISSING"), AuthenticationError),
        (google(403, "PERMISSION_DENIED"), PermissionDeniedError),
        (google(503, "UNAVAILABLE"), ServerError),
        (google(500, "INTERNAL"), ServerError),
        (google(429, "RESOURCE_EXHAUSTED", "Exhausted concurrent requests quota"),
         RateLimitError),
        (google(400, "INVALID_ARGUMENT"), BadRequestError),
        (httpx.Response(502, text="<html>bad gateway</html>"), ServerError),
    ],
)
def test_google_errors_are_classified(response: httpx.Response, error: type[Exception]):
    connector = scripted(response)
    with pytest.raises(error) as info:
        connector.list_accounts()
    assert type(info.value) is error
    assert "310000001" in str(info.value)
