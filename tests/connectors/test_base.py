import json
import logging

import httpx
import pytest

from connectors._base import BaseConnector
from connectors.auth import QueryTokenAuth
from connectors.errors import (
    BadRequestError,
    CircuitOpenError,
    MalformedResponseError,
    NotFoundError,
    PaginationError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)
from connectors.pagination import (
    NextUrlPaginator,
    PageRequest,
    PageTokenPaginator,
    SinglePagePaginator,
)
from connectors.retry import RetryPolicy
from tests.connectors.fakes import FakeClock, Script, json_response

CANARY = "CANARY-token-5e1d77aa"


class Api(BaseConnector):
    platform = "test"

    def throttle_headroom(self, response):
        value = response.headers.get("x-headroom")
        return float(value) if value else None


def api(handler, clock=None, **kw) -> tuple[Api, FakeClock]:
    clock = clock or FakeClock()
    kw.setdefault("retry_policy", RetryPolicy(max_attempts=4, base=1.0, cap=8.0))
    connector = Api(
        base_url="https://api.example.com",
        auth=QueryTokenAuth(CANARY),
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock,
        requests_per_second=1000,
        **kw,
    )
    return connector, clock


OK = json_response(200, {"data": [1]})


def test_retries_retryable_errors_then_succeeds_and_records_each_attempt():
    script = Script([json_response(500, {}), json_response(503, {}), OK])
    a, clock = api(script)
    answer = a.request("GET", "/v1/things", account="acc1")
    assert answer.payload == {"data": [1]} and answer.attempts == 3
    calls = a.recorder.calls
    assert [(c.attempt, c.status, c.error_class) for c in calls] == [
        (1, 500, "ServerError"),
        (2, 503, "ServerError"),
        (3, 200, None),
    ]
    assert all(c.endpoint == "/v1/things" and c.account_id == "acc1" for c in calls)
    assert all(c.latency_ms >= 0 and c.started_at.tzinfo is not None for c in calls)
    backoffs = [s for s in clock.sleeps if s > 0.01]  # the limiter's waits are tiny
    assert len(backoffs) <= 2 and all(s <= 2.0 for s in clock.sleeps)


def test_retry_after_is_honoured():
    script = Script([json_response(429, {}, {"Retry-After": "7"}), OK])
    a, clock = api(script)
    a.request("GET", "/x")
    assert max(clock.sleeps) >= 7.0


def test_gives_up_after_max_attempts():
    script = Script([json_response(503, {})])
    a, _ = api(script)
    with pytest.raises(ServerError) as info:
        a.request("GET", "/x")
    assert len(script.requests) == 4 and info.value.attempts == 4


def test_gives_up_when_the_total_time_cap_would_be_crossed():
    script = Script([json_response(429, {}, {"Retry-After": "20"})])
    a, _ = api(script, retry_policy=RetryPolicy(max_attempts=10, max_total_seconds=30))
    with pytest.raises(RateLimitError) as info:
        a.request("GET", "/x")
    assert len(script.requests) == 2  # 0 s + 20 s wait; a second wait would end at 40 s
    assert info.value.retry_after == 20.0


@pytest.mark.parametrize(("status", "error"), [(400, BadRequestError), (404, NotFoundError)])
def test_fatal_errors_are_not_retried(status, error):
    script = Script([json_response(status, {})])
    a, _ = api(script)
    with pytest.raises(error):
        a.request("GET", "/x")
    assert len(script.requests) == 1


def test_timeouts_and_connection_errors_are_translated_and_retried():
    script = Script(
        [
            httpx.ReadTimeout("read timed out"),
            httpx.ConnectError(f"refused for https://api.example.com/x?access_token={CANARY}"),
            OK,
        ]
    )
    a, _ = api(script)
    assert a.request("GET", "/x").payload == {"data": [1]}
    errors = [c.error or "" for c in a.recorder.calls]
    assert errors[0].startswith("RequestTimeoutError") and errors[1].startswith("TransportError")
    assert CANARY not in "".join(e or "" for e in errors)


def test_translated_errors_do_not_chain_the_httpx_exception():
    script = Script([httpx.ConnectError(f"?access_token={CANARY}")])
    a, _ = api(script, retry_policy=RetryPolicy(max_attempts=1))
    with pytest.raises(TransportError) as info:
        a.request("GET", "/x")
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert CANARY not in str(info.value)
    assert not isinstance(info.value, RequestTimeoutError)


def test_malformed_json_is_classified_and_retried():
    bad = httpx.Response(
        200, content=b'{"data": [1, 2', headers={"content-type": "application/json"}
    )
    a, _ = api(Script([bad, OK]))
    assert a.request("GET", "/x").payload == {"data": [1]}
    a2, _ = api(Script([bad]))
    with pytest.raises(MalformedResponseError):
        a2.request("GET", "/x")
    a3, _ = api(
        Script([json_response(200, {"nodata": 1})]), retry_policy=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(MalformedResponseError, match="'data'"):
        a3.request("GET", "/x", expect_key="data")


def test_writes_retry_only_throttles():
    a, _ = api(Script([json_response(500, {}), OK]))
    with pytest.raises(ServerError):
        a.request("POST", "/x", data={"status": "PAUSED"}, idempotent=False)
    a2, _ = api(Script([json_response(429, {}), OK]))
    assert a2.request("POST", "/x", data={"status": "PAUSED"}, idempotent=False).status == 200


def test_breaker_opens_after_exhausted_requests_and_fails_fast():
    script = Script([json_response(503, {})])
    a, clock = api(
        script,
        retry_policy=RetryPolicy(max_attempts=2),
        breaker_failure_threshold=2,
        breaker_reset_timeout=60,
    )
    for _ in range(2):
        with pytest.raises(ServerError):
            a.request("GET", "/x", account="acc1")
    sent = len(script.requests)
    with pytest.raises(CircuitOpenError):
        a.request("GET", "/x", account="acc1")
    assert len(script.requests) == sent  # nothing sent while open
    # other accounts are unaffected:
    script.steps = [OK]
    assert a.request("GET", "/x", account="acc2").status == 200
    clock.advance(61)
    assert a.request("GET", "/x", account="acc1").status == 200  # half-open trial succeeds


def test_headroom_feeds_the_rate_limiter():
    low = json_response(200, {"data": []}, {"x-headroom": "0.05"})
    a, _ = api(Script([low]))
    a.request("GET", "/x", account="acc1")
    assert a.rate_limiters.get("acc1").rate == pytest.approx(1000 * 0.85)
    assert a.recorder.calls[0].throttle_headroom == pytest.approx(0.05)


def test_paginate_refuses_a_next_url_to_another_origin():
    body = {"data": [1], "paging": {"next": "https://evil.example.net/steal?after=X"}}
    a, _ = api(Script([json_response(200, body)]))
    pages = a.paginate(PageRequest("GET", "/x", {}), NextUrlPaginator())
    next(pages)
    with pytest.raises(PaginationError, match="another origin"):
        next(pages)


def test_paginate_trusts_its_first_url_but_not_a_payload_s():
    # A platform's second API host (GA4's Admin API) is the caller's own URL.
    script = Script([
        json_response(200, {"data": [1], "nextPageToken": "T2"}),
        json_response(200, {"data": [2]}),
    ])
    a, _ = api(script)
    first = PageRequest("GET", "https://admin.example.org/v1/things", {"pageSize": 1})
    pages = list(a.paginate(first, PageTokenPaginator()))
    assert [p.records for p in pages] == [[1], [2]]
    assert [str(r.url.copy_remove_param("access_token")) for r in script.requests] == [
        "https://admin.example.org/v1/things?pageSize=1",
        "https://admin.example.org/v1/things?pageSize=1&pageToken=T2",
    ]


def test_paginate_reads_records_with_a_reader_and_keeps_the_page_cap():
    class Capped(Api):
        max_pages = 3

    def fresh_token(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("pageToken", "") + "+"
        return json_response(200, {"results": [1], "nextPageToken": token})

    clock = FakeClock()
    a = Capped(base_url="https://api.example.com", transport=httpx.MockTransport(fresh_token),
               clock=clock, sleep=clock.sleep, requests_per_second=1000)
    reader = a.records_at("results", "no results list", account="a1", endpoint="/x")
    pages = a.paginate(PageRequest("GET", "/x", {}), PageTokenPaginator(), data_key=None,
                       records=reader)
    assert [p.records for p in (next(pages), next(pages), next(pages))] == [[1], [1], [1]]
    with pytest.raises(PaginationError, match="more than 3 pages"):
        next(pages)


def test_a_records_reader_takes_a_missing_list_as_empty_and_refuses_another_value():
    a, _ = api(Script([json_response(200, {}), json_response(200, {"results": {}})]))
    reader = a.records_at("results", "no results list", account="a1", endpoint="/x")
    request = PageRequest("GET", "/x", {})
    pages = a.paginate(request, SinglePagePaginator(), data_key=None, records=reader)
    assert [p.records for p in pages] == [[]]
    with pytest.raises(MalformedResponseError, match="no results list") as info:
        list(a.paginate(request, SinglePagePaginator(), data_key=None, records=reader))
    assert (info.value.account, info.value.endpoint) == ("a1", "/x")


def test_pages_use_the_platform_paginator_and_records_key():
    class Paged(Api):
        records_key = "elements"

        def new_paginator(self):
            return PageTokenPaginator()

    script = Script([
        json_response(200, {"elements": [1], "nextPageToken": "T2"}),
        json_response(200, {"elements": [2]}),
    ])
    clock = FakeClock()
    paged = Paged(base_url="https://api.example.com", transport=httpx.MockTransport(script),
                  clock=clock, sleep=clock.sleep)
    assert [p.records for p in paged.pages("/x", {"q": "search"}, account=None)] == [[1], [2]]


def test_paginate_raises_on_a_repeated_cursor():
    def handler(request: httpx.Request) -> httpx.Response:
        nxt = f"https://api.example.com/x?after=SAME&access_token={CANARY}"
        return json_response(200, {"data": [1], "paging": {"next": nxt}})

    a, _ = api(handler)
    with pytest.raises(PaginationError, match="repeated cursor") as info:
        list(a.paginate(PageRequest("GET", "/x", {}), NextUrlPaginator()))
    assert CANARY not in str(info.value)


def test_no_secret_in_logs_errors_or_call_log(caplog):
    caplog.set_level(logging.DEBUG)
    echo = json_response(400, {"error": {"message": f"bad token {CANARY}"}})
    script = Script(
        [json_response(503, {}), httpx.ReadTimeout(f"url ?access_token={CANARY}"), echo]
    )
    a, _ = api(script)
    with pytest.raises(BadRequestError) as info:
        a.request("GET", "/x", account="acc1")
    assert any(CANARY in str(r.url) for r in script.requests)  # it was really sent...
    text = caplog.text + str(info.value) + repr(info.value) + repr(a)
    text += json.dumps([c.as_row() for c in a.recorder.calls], default=str)
    assert "HTTP Request" in caplog.text  # httpx did log the URLs...
    assert CANARY not in text  # ...but redacted
