"""LinkedIn answers are classified into the shared error tree; a bare 429 backs off."""

import httpx
import pytest
from pydantic import SecretStr

from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    VersionError,
)
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from connectors.retry import RetryPolicy
from tests.connectors.fakes import FakeClock, Script, json_response


def li_error(status, code=None, service=None, message="error"):
    body = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    return json_response(status, body)


ACCOUNTS = json_response(200, {"elements": [], "paging": {"start": 0, "count": 100}})


def connector(script: Script, clock: FakeClock | None = None, **overrides):
    clock = clock or FakeClock()
    settings = LinkedInAdsSettings(
        access_token=SecretStr("tok-li-classify-1"),
        retry=RetryPolicy(max_attempts=4),
        requests_per_second=1000,
        **overrides,
    )
    return LinkedInAdsConnector(settings, transport=script.transport(), sleep=clock.sleep,
                                clock=clock)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (li_error(401, "EXPIRED_ACCESS_TOKEN", 65601), TokenExpiredError),
        (li_error(401, "REVOKED_ACCESS_TOKEN", 65601), AuthenticationError),
        (li_error(401, "INVALID_ACCESS_TOKEN", 65600), AuthenticationError),
        (li_error(426, "NONEXISTENT_VERSION"), VersionError),
        (li_error(400, "VERSION_MISSING"), VersionError),
        (li_error(400, "ILLEGAL_ARGUMENT", 100), BadRequestError),
        (li_error(403, "ACCESS_DENIED", 100), PermissionDeniedError),
        (li_error(404, "NOT_FOUND"), NotFoundError),
    ],
)
def test_fatal_answers(response, error):
    script = Script([response])
    with pytest.raises(error) as info:
        connector(script).list_accounts()
    assert type(info.value) is error and not info.value.retryable
    assert len(script.requests) == 1


def test_expired_token_without_refresh_credentials_is_fatal_at_once():
    script = Script([li_error(401, "EXPIRED_ACCESS_TOKEN", 65601)])
    with pytest.raises(TokenExpiredError) as info:
        connector(script).list_accounts()
    assert "EXPIRED_ACCESS_TOKEN" in str(info.value) and info.value.code == 65601


def test_bare_429_backs_off_exponentially_then_succeeds():
    clock = FakeClock()
    script = Script([httpx.Response(429), httpx.Response(429), ACCOUNTS])
    assert connector(script, clock).list_accounts() == []
    assert len(script.requests) == 3 and len(clock.sleeps) == 2


def test_bare_429_exhausted_is_a_rate_limit_error_without_retry_after():
    script = Script([httpx.Response(429)])
    with pytest.raises(RateLimitError) as info:
        connector(script).list_accounts()
    assert info.value.retry_after is None and info.value.attempts == 4


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_a_server_error_and_retried(status):
    script = Script([li_error(status), ACCOUNTS])
    assert connector(script).list_accounts() == []
    script = Script([li_error(status)])
    with pytest.raises(ServerError):
        connector(script).list_accounts()


def test_every_request_carries_version_and_protocol_headers():
    script = Script([ACCOUNTS])
    connector(script, api_version="202604").list_accounts()
    sent = script.requests[0]
    assert sent.headers["LinkedIn-Version"] == "202604"
    assert sent.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert sent.headers["Authorization"] == "Bearer tok-li-classify-1"


def test_headroom_is_counted_against_the_configured_daily_quota():
    clock = FakeClock()
    c = connector(Script([ACCOUNTS]), clock, daily_request_quota=4)
    c.list_accounts()
    c.list_accounts()
    assert [call.throttle_headroom for call in c.recorder.calls] == [0.75, 0.5]
    clock.advance(86400)
    c.list_accounts()
    assert c.recorder.calls[-1].throttle_headroom == 0.75
    assert connector(Script([ACCOUNTS])).throttle_headroom(httpx.Response(200)) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"client_id": "x"}, "refresh needs"),
        ({"api_version": "v26.0"}, "api_version"),
        ({"account_ids": ("urn:li:sponsoredCampaign:1",)}, "account id"),
        ({"analytics_max_fields": 21}, "analytics_max_fields"),
    ],
)
def test_invalid_settings(values, message):
    with pytest.raises(ValueError, match=message):
        LinkedInAdsSettings(access_token=SecretStr("t"), **values)


def test_account_ids_accept_urns():
    settings = LinkedInAdsSettings(
        access_token=SecretStr("t"), account_ids=("urn:li:sponsoredAccount:508001001", "7")
    )
    assert settings.account_ids == ("508001001", "7")
