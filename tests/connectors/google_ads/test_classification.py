"""Google error bodies -> the connector exception tree (scripted responses, no emulator)."""

from __future__ import annotations

from datetime import UTC, datetime

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
from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings
from connectors.retry import RetryPolicy
from tests.connectors.fakes import FakeClock, json_response

FAILURE = "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure"


def body(status: str, code: int, category: str | None = None, value: str | None = None,
         delay: str | None = None) -> dict:
    error: dict = {"code": code, "status": status, "message": "something"}
    if category:
        entry: dict = {"errorCode": {category: value}, "message": "detail"}
        if delay:
            entry["details"] = {"quotaErrorDetails": {"retryDelay": delay}}
        error["details"] = [{"@type": FAILURE, "errors": [entry], "requestId": "r"}]
    return {"error": error}


def connector(handler) -> GoogleAdsConnector:
    clock = FakeClock(datetime(2026, 11, 20, 12, tzinfo=UTC))
    settings = GoogleAdsSettings(
        developer_token=SecretStr("dev"), client_id="cid", client_secret=SecretStr("sec"),
        refresh_token=SecretStr("ref"), access_token=SecretStr("acc"),
        login_customer_id="555-000-0001", retry=RetryPolicy(max_attempts=1),
        requests_per_second=1000,
    )
    return GoogleAdsConnector(settings, transport=httpx.MockTransport(handler),
                              sleep=clock.sleep, clock=clock)


@pytest.mark.parametrize(
    ("status", "payload", "error"),
    [
        (429, body("RESOURCE_EXHAUSTED", 429, "quotaError", "RESOURCE_TEMPORARILY_EXHAUSTED",
                   "30s"), RateLimitError),
        (429, body("RESOURCE_EXHAUSTED", 429), RateLimitError),
        (503, body("UNAVAILABLE", 503), ServerError),
        (500, body("INTERNAL", 500), ServerError),
        (401, body("UNAUTHENTICATED", 401, "authenticationError", "OAUTH_TOKEN_EXPIRED"),
         TokenExpiredError),
        (401, body("UNAUTHENTICATED", 401, "authenticationError", "NOT_ADS_USER"),
         AuthenticationError),
        (403, body("PERMISSION_DENIED", 403, "authorizationError", "USER_PERMISSION_DENIED"),
         PermissionDeniedError),
        (400, body("INVALID_ARGUMENT", 400, "queryError", "UNRECOGNIZED_FIELD"), BadRequestError),
        (404, body("NOT_FOUND", 404, "mutateError", "RESOURCE_NOT_FOUND"), NotFoundError),
        (404, body("NOT_FOUND", 404), VersionError),
        (501, body("UNIMPLEMENTED", 501), VersionError),
    ],
)
def test_classification(status, payload, error):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":  # the forced refresh after an expired token
            return json_response(200, {"access_token": "fresh", "expires_in": 3599})
        return json_response(status, payload)

    c = connector(handler)
    with pytest.raises(error) as info:
        c.list_accounts()
    assert type(info.value) is error
    assert info.value.status == status and info.value.platform == "google_ads"
    if error is RateLimitError and "details" in payload["error"]:
        assert info.value.retry_after == 30.0
    if "details" in payload["error"]:
        code = next(iter(payload["error"]["details"][0]["errors"][0]["errorCode"].values()))
        assert code in str(info.value)


def test_html_404_is_a_version_error():
    c = connector(lambda request: httpx.Response(404, text="<html>Error 404 (Not Found)!!1"))
    with pytest.raises(VersionError):
        c.list_accounts()


def test_retry_delay_is_honoured_before_the_next_attempt():
    answers = iter([
        json_response(429, body("RESOURCE_EXHAUSTED", 429, "quotaError",
                                "RESOURCE_TEMPORARILY_EXHAUSTED", "7s")),
        json_response(200, {"results": [], "fieldMask": "customerClient.id"}),
    ])
    clock = FakeClock(datetime(2026, 11, 20, 12, tzinfo=UTC))
    settings = GoogleAdsSettings(
        developer_token=SecretStr("dev"), client_id="cid", client_secret=SecretStr("sec"),
        refresh_token=SecretStr("ref"), access_token=SecretStr("acc"),
        login_customer_id="5550000001", requests_per_second=1000,
    )
    c = GoogleAdsConnector(settings, transport=httpx.MockTransport(lambda r: next(answers)),
                           sleep=clock.sleep, clock=clock)
    assert c.list_accounts() == []
    assert clock.sleeps and max(clock.sleeps) >= 7.0
    assert [call.throttle_headroom for call in c.recorder.calls] == [0.0, None]
