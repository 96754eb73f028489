import json
import logging
import threading
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from connectors._base import BaseConnector
from connectors._redact import redact
from connectors.auth import (
    ApiKeyAuth,
    BearerTokenAuth,
    OAuth2RefreshTokenAuth,
    QueryTokenAuth,
)
from connectors.errors import AuthenticationError, TokenExpiredError
from connectors.retry import RetryPolicy
from tests.connectors.fakes import FakeClock, json_response

CANARY_ACCESS = "CANARY-access-7f3a9c1e"
CANARY_REFRESH = "CANARY-refresh-2b8d4e6f"
CANARY_SECRET = "CANARY-client-secret-91ac"


def sent(auth: httpx.Auth, handler) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        response: httpx.Response = handler(request)
        return response

    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.get("https://api.example.com/v1/things?x=1")
    return seen


def sent_to(auth: httpx.Auth, url: str) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok(request)

    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.get(url)
    return seen


def ok(_: httpx.Request) -> httpx.Response:
    return json_response(200, {"ok": True})


def test_api_key_header_and_query():
    (r,) = sent(ApiKeyAuth(SecretStr(CANARY_ACCESS), name="X-Key"), ok)
    assert r.headers["X-Key"] == CANARY_ACCESS
    (r,) = sent(ApiKeyAuth(CANARY_ACCESS, name="key", location="query"), ok)
    assert r.url.params["key"] == CANARY_ACCESS and r.url.params["x"] == "1"


def test_bearer_and_query_token():
    (r,) = sent(BearerTokenAuth(CANARY_ACCESS), ok)
    assert r.headers["Authorization"] == f"Bearer {CANARY_ACCESS}"
    (r,) = sent(QueryTokenAuth(CANARY_ACCESS), ok)
    assert r.url.params["access_token"] == CANARY_ACCESS


def test_query_token_replaces_a_token_already_in_the_url():
    auth = QueryTokenAuth("new-token-123")
    seen = sent_to(auth, "https://graph.example.com/v26.0/act_1/ads?access_token=old-4567&after=X")
    assert seen[0].url.params.get_list("access_token") == ["new-token-123"]


@pytest.mark.parametrize(
    "auth",
    [
        ApiKeyAuth(CANARY_ACCESS),
        BearerTokenAuth(CANARY_ACCESS),
        QueryTokenAuth(CANARY_ACCESS),
        OAuth2RefreshTokenAuth(
            token_url="https://auth.example.com/token",
            client_id="cid",
            client_secret=CANARY_SECRET,
            refresh_token=CANARY_REFRESH,
            access_token=CANARY_ACCESS,
        ),
    ],
)
def test_reprs_hold_no_secret(auth):
    text = repr(auth) + str(auth) + repr(vars(auth))
    for canary in (CANARY_ACCESS, CANARY_REFRESH, CANARY_SECRET):
        assert canary not in text


class TokenServer:
    """A token endpoint plus an API that accepts only the latest token."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.issued = 0
        self.expires_in = expires_in
        self.current: str | None = None
        self.token_requests: list[dict[str, str]] = []
        self.api_tokens: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            with self.lock:
                self.token_requests.append(form)
                self.issued += 1
                self.current = f"{CANARY_ACCESS}-{self.issued}"
            return json_response(200, {"access_token": self.current, "expires_in": self.expires_in})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.api_tokens.append(token)
        if token != self.current:
            return json_response(401, {"error": "expired"})
        return json_response(200, {"data": []})


def oauth(clock: FakeClock, **kw) -> OAuth2RefreshTokenAuth:
    return OAuth2RefreshTokenAuth(
        token_url="https://auth.example.com/token",
        client_id="cid",
        client_secret=SecretStr(CANARY_SECRET),
        refresh_token=SecretStr(CANARY_REFRESH),
        skew_seconds=60,
        clock=clock.monotonic,
        **kw,
    )


def test_refreshes_on_first_use_and_again_only_near_expiry():
    clock = FakeClock()
    server = TokenServer(expires_in=3600)
    auth = oauth(clock)
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        client.get("https://api.example.com/a")
        assert server.issued == 1
        assert server.token_requests[0] == {
            "grant_type": "refresh_token",
            "refresh_token": CANARY_REFRESH,
            "client_id": "cid",
            "client_secret": CANARY_SECRET,
        }
        clock.advance(3600 - 61)
        client.get("https://api.example.com/a")
        assert server.issued == 1  # still valid beyond the skew
        clock.advance(2)
        client.get("https://api.example.com/a")
        assert server.issued == 2  # inside the skew: refreshed ahead of expiry
    assert server.api_tokens == [f"{CANARY_ACCESS}-1", f"{CANARY_ACCESS}-1", f"{CANARY_ACCESS}-2"]


def test_refresh_is_single_flight_across_threads():
    clock = FakeClock()
    server = TokenServer()
    auth = oauth(clock)
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        threads = [
            threading.Thread(target=lambda: client.get("https://api.example.com/a"))
            for _ in range(16)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert server.issued == 1


def test_force_refresh_ignores_a_generation_already_replaced():
    clock = FakeClock()
    auth = oauth(clock, access_token="initial-token-xyz")
    assert not auth.needs_refresh()
    auth.force_refresh(generation=0)
    assert auth.needs_refresh()
    server = TokenServer()
    with httpx.Client(transport=httpx.MockTransport(server), auth=auth) as client:
        client.get("https://api.example.com/a")
    assert auth.generation == 1
    auth.force_refresh(generation=0)  # a stale report from another thread
    assert not auth.needs_refresh()


def test_refused_refresh_raises_redacted_authentication_error():
    clock = FakeClock()
    auth = oauth(clock)

    def refuse(request: httpx.Request) -> httpx.Response:
        return json_response(400, {"error": "invalid_grant", "refresh_token": CANARY_REFRESH})

    client = httpx.Client(transport=httpx.MockTransport(refuse), auth=auth)
    with client, pytest.raises(AuthenticationError) as info:
        client.get("https://api.example.com/a")
    assert CANARY_REFRESH not in str(info.value) + repr(info.value)


class _Api(BaseConnector):
    platform = "test"

    def validate_response(self, response, *, account, endpoint):
        if response.status_code == 401 and b"expired" in response.content:
            raise TokenExpiredError("token expired", platform=self.platform, status=401)
        super().validate_response(response, account=account, endpoint=endpoint)


def test_connector_forces_one_refresh_after_an_expired_token_error(caplog):
    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    server = TokenServer(expires_in=10**6)
    auth = oauth(clock)
    api = _Api(
        base_url="https://api.example.com",
        auth=auth,
        transport=httpx.MockTransport(server),
        sleep=clock.sleep,
        clock=clock,
        retry_policy=RetryPolicy(max_attempts=3),
    )
    api.request("GET", "/a")
    server.current = "revoked-on-the-server"  # the platform expires our token early
    answer = api.request("GET", "/a")
    assert answer.payload == {"data": []}
    assert server.issued == 2
    calls = api.recorder.calls
    assert [c.error_class for c in calls] == [None, "TokenExpiredError", None]
    # A second expiry in the same request is not refreshed again.
    server_calls = len(server.api_tokens)

    def always_expired(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return server(request)
        return json_response(401, {"error": "expired"})

    api2 = _Api(
        base_url="https://api.example.com",
        auth=auth,
        transport=httpx.MockTransport(always_expired),
        sleep=clock.sleep,
        clock=clock,
    )
    with pytest.raises(TokenExpiredError) as info:
        api2.request("GET", "/a")
    assert len(api2.recorder.calls) == 2
    assert server_calls == 3
    text = caplog.text + str(info.value) + repr(info.value)
    text += json.dumps([c.as_row() for c in api.recorder.calls + api2.recorder.calls], default=str)
    for canary in (CANARY_ACCESS, CANARY_REFRESH, CANARY_SECRET):
        assert canary not in text


def test_redact_masks_patterns_and_registered_secrets():
    text = (
        "GET https://x/v1?access_token=abcdef123&after=QQ&client_secret=s3cr3tvalue "
        'Authorization: Bearer eyJhbGciOi.payload {"refresh_token": "rt-123456"} ' + CANARY_ACCESS
    )
    QueryTokenAuth(CANARY_ACCESS)  # registers the canary
    out = redact(text)
    for secret in ("abcdef123", "s3cr3tvalue", "eyJhbGciOi.payload", "rt-123456", CANARY_ACCESS):
        assert secret not in out
    assert "after=QQ" in out
