from __future__ import annotations

import json
from typing import Any

import httpx

from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator
from emulators.quota import QuotaConfig, QuotaTracker

from .conftest import graph_client

V = "/v26.0"


class Tick:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def limited(market: Market, tick: Tick, **quota: Any) -> MetaAdsEmulator:
    return MetaAdsEmulator(market, quota=QuotaConfig(window_seconds=10, **quota),
                           quota_clock=tick)


def buc(response: httpx.Response, account: str = "1001") -> dict[str, Any]:
    usage: dict[str, Any] = json.loads(response.headers["X-Business-Use-Case-Usage"])
    return usage[account][0]  # type: ignore[no-any-return]


def test_usage_headers_rise_with_load_then_throttle_80000(market):
    tick = Tick()
    em = limited(market, tick, account_calls=5)
    with graph_client(em) as c:
        answers = [c.get(f"{V}/act_1001/insights") for _ in range(6)]
    assert [buc(r)["call_count"] for r in answers[:5]] == [20, 40, 60, 80, 100]
    assert all(r.status_code == 200 for r in answers[:5])
    throttled = answers[5]
    err = throttled.json()["error"]
    assert (throttled.status_code, err["code"], err["is_transient"]) == (400, 80000, True)
    assert buc(throttled)["estimated_time_to_regain_access"] == 1  # minutes, rounded up
    assert buc(throttled)["type"] == "ads_insights"
    limits = json.loads(throttled.headers["x-fb-ads-insights-throttle"])
    assert limits["acc_id_util_pct"] == 100
    assert json.loads(throttled.headers["X-Ad-Account-Usage"])["reset_time_duration"] == 10


def test_use_cases_and_accounts_are_separate_and_the_window_rolls(market):
    tick = Tick()
    em = limited(market, tick, account_calls=2)
    with graph_client(em) as c:
        for _ in range(2):
            c.get(f"{V}/act_1001/campaigns")
        assert c.get(f"{V}/act_1001/campaigns").json()["error"]["code"] == 80004
        assert c.get(f"{V}/act_1001/insights").status_code == 200
        assert c.get(f"{V}/act_1002/campaigns").status_code == 200
        tick.t += 10.5
        r = c.get(f"{V}/act_1001/campaigns")
    assert r.status_code == 200 and buc(r)["call_count"] == 50


def test_app_and_user_limits(market):
    tick = Tick()
    em = limited(market, tick, account_calls=None, app_calls=3, user_calls=None)
    with graph_client(em) as c:
        codes = [c.get(f"{V}/me").status_code for _ in range(3)]
        err = c.get(f"{V}/me").json()["error"]
    assert codes == [200] * 3 and err["code"] == 4
    em = limited(market, tick, account_calls=None, app_calls=None, user_calls=2)
    with graph_client(em) as c:
        c.get(f"{V}/me")
        c.get(f"{V}/me")
        err = c.get(f"{V}/me").json()["error"]
    assert (err["code"], err["error_subcode"]) == (17, 2446079)


def test_app_usage_header_on_every_answer(client):
    r = client.get(f"{V}/me")
    assert set(json.loads(r.headers["X-App-Usage"])) == {"call_count", "total_time",
                                                          "total_cputime"}
    assert r.headers["X-Business-Use-Case-Usage"] == "{}"


def test_tracker_regain_time():
    tick = Tick()
    tracker = QuotaTracker(QuotaConfig(window_seconds=60), clock=tick)
    for _ in range(3):
        tracker.record("s")
        tick.t += 10
    usage = tracker.usage("s", 3)
    assert usage is not None and usage.exhausted and usage.pct == 100
    assert usage.regain_seconds == 30  # the oldest call leaves the window in 30 s
    assert tracker.usage("s", None) is None


def test_usage_headers_on_errors_too(emulator):
    with graph_client(emulator, token="bogus") as c:
        for path in ("/v26.0/me", "/v20.0/me", "/v26.0/act_1001/nothing"):
            assert "X-App-Usage" in c.get(path).headers
