from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from emulators.faults import KINDS, FaultConfig, FaultInjector
from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator

from .conftest import TODAY, graph_client

V = "/v26.0"


def faulty(market: Market, kind: str, **extra: Any) -> MetaAdsEmulator:
    return MetaAdsEmulator(market, FaultConfig(rate=1.0, kinds=(kind,), seed=1, **extra))


def insights(client: httpx.Client, **params: str) -> httpx.Response:
    base = {"level": "ad", "fields": "ad_id,spend,impressions", "time_increment": "1",
            "date_preset": "last_7d", "limit": "3"}
    return client.get(f"{V}/act_1002/insights", params={**base, **params})


def test_http_429_carries_retry_after(market):
    em = faulty(market, "http_429", retry_after=7)
    with graph_client(em) as c:
        r = c.get(f"{V}/me")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert r.json()["error"]["is_transient"] is True
    assert em.request_log[-1].fault == "http_429"


@pytest.mark.parametrize(("kind", "status"), [("http_500", 500), ("http_503", 503)])
def test_server_errors(market, kind, status):
    with graph_client(faulty(market, kind)) as c:
        r = c.get(f"{V}/act_1001/campaigns")
    assert r.status_code == status and "error" in r.json()


def test_timeout_raises_in_process(market):
    em = faulty(market, "timeout")
    with graph_client(em) as c, pytest.raises(httpx.ReadTimeout):
        c.get(f"{V}/me")
    assert em.request_log[-1].fault == "timeout"


def test_expired_token_fault(market):
    with graph_client(faulty(market, "expired_token")) as c:
        err = c.get(f"{V}/me/adaccounts").json()["error"]
    assert (err["code"], err["error_subcode"]) == (190, 463)


def test_malformed_json_is_a_truncated_200(market):
    with graph_client(faulty(market, "malformed_json")) as c:
        r = c.get(f"{V}/act_1001/campaigns", params={"fields": "id,name"})
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_bad_record_spoils_one_row(market):
    with graph_client(faulty(market, "bad_record")) as c:
        rows = insights(c).json()["data"]
    broken = [r for r in rows if not r["spend"].replace(".", "").isdigit()]
    assert len(broken) == 1 and "," in broken[0]["spend"]
    with graph_client(faulty(market, "bad_record")) as c:
        rows = insights(c, fields="ad_id,impressions").json()["data"]
    assert sum("ad_id" not in r for r in rows) == 1


def test_repeated_cursor_only_on_follow_up_pages(market):
    em = faulty(market, "repeated_cursor")
    with graph_client(em) as c:
        first = insights(c).json()
        assert em.request_log[-1].fault is None  # a first page cannot repeat a cursor
        after = first["paging"]["cursors"]["after"]
        second = c.get(first["paging"]["next"]).json()
    assert second["paging"]["cursors"]["after"] == after
    assert "after=" in second["paging"]["next"]
    assert em.request_log[-1].fault == "repeated_cursor"


def test_throttle_fault_is_metas_own_error(market):
    em = faulty(market, "throttle")
    with graph_client(em) as c:
        r = insights(c)
        m = c.get(f"{V}/act_1002/campaigns")
    err = r.json()["error"]
    assert (r.status_code, err["code"], err["is_transient"]) == (400, 80000, True)
    assert m.json()["error"]["code"] == 80004
    usage = json.loads(r.headers["X-Business-Use-Case-Usage"])["1002"][0]
    assert usage["call_count"] == 100 and usage["estimated_time_to_regain_access"] >= 1


def test_fault_sequence_is_reproducible(market):
    def run(seed: int) -> list[int]:
        em = MetaAdsEmulator(market, FaultConfig(rate=0.5, seed=seed,
                                                 kinds=("http_500", "http_503", "throttle")))
        with graph_client(em) as c:
            return [c.get(f"{V}/act_1001/campaigns").status_code for _ in range(30)]

    assert run(3) == run(3)
    assert run(3) != run(4)
    assert {500, 503, 400, 200} <= set(run(3))


def test_rate_limits_skip_first_and_max_faults():
    inj = FaultInjector(FaultConfig(rate=1.0, kinds=KINDS, skip_first=2, max_faults=3))
    drawn = [inj.draw({"http_500"}) for _ in range(8)]
    assert drawn == [None, None, "http_500", "http_500", "http_500", None, None, None]
    assert FaultInjector(FaultConfig(rate=0.0)).draw(set(KINDS)) is None
    assert FaultInjector(FaultConfig(rate=1.0, kinds=("bad_record",))).draw({"http_500"}) is None


def test_config_validation_and_cli_syntax():
    with pytest.raises(ValueError):
        FaultConfig(rate=0.1, kinds=("nope",))
    with pytest.raises(ValueError):
        FaultConfig(rate=2)
    cfg = FaultConfig.parse("rate=0.2,kinds=http_500+timeout,seed=9,timeout_delay=0.5")
    assert (cfg.rate, tuple(cfg.kinds), cfg.seed, cfg.timeout_delay) == (
        0.2, ("http_500", "timeout"), 9, 0.5)


def test_faulty_pages_do_not_corrupt_state(market):
    # Faults never change the market: after the noise the data reads back the same.
    clean = MetaAdsEmulator(market)
    noisy = MetaAdsEmulator(market, FaultConfig(rate=0.4, seed=2, kinds=("http_500",)))
    params = {"level": "ad", "fields": "ad_id,spend", "time_increment": "1",
              "time_range": json.dumps({"since": str(TODAY - timedelta(days=5)),
                                        "until": str(TODAY - timedelta(days=1))})}
    with graph_client(clean) as a, graph_client(noisy) as b:
        expected = a.get(f"{V}/act_1003/insights", params=params).json()["data"]
        got = None
        for _ in range(20):
            r = b.get(f"{V}/act_1003/insights", params=params)
            if r.status_code == 200:
                got = r.json()["data"]
                break
    assert got == expected


def test_failing_report_runs(market):
    em = MetaAdsEmulator(market, failing_reports=1, report_steps=0)
    with graph_client(em) as c:
        first = c.post(f"{V}/act_1001/insights", data={"date_preset": "last_7d"}).json()
        second = c.post(f"{V}/act_1001/insights", data={"date_preset": "last_7d"}).json()
        job1 = c.get(f"{V}/{first['report_run_id']}").json()
        job2 = c.get(f"{V}/{second['report_run_id']}").json()
        rows1 = c.get(f"{V}/{first['report_run_id']}/insights")
        rows2 = c.get(f"{V}/{second['report_run_id']}/insights")
    assert (job1["async_status"], job1["async_percent_completion"]) == ("Job Failed", 0)
    assert job2["async_status"] == "Job Completed"
    assert rows1.status_code == 400 and rows1.json()["error"]["is_transient"] is True
    assert rows2.status_code == 200 and rows2.json()["data"]


def test_paths_restricts_faults_to_matching_requests(market):
    em = faulty(market, "http_500", paths=r"/insights$")
    with graph_client(em) as c:
        assert c.get(f"{V}/act_1001/campaigns", params={"fields": "id"}).status_code == 200
        assert insights(c).status_code == 500
    assert [r.fault for r in em.request_log] == [None, "http_500"]
    with pytest.raises(ValueError, match="regular expression"):
        FaultConfig(paths="(")


def test_every_emulator_masks_oauth_secrets_in_its_request_log():
    from emulators.registry import EMULATORS

    for platform, factory in EMULATORS.items():
        emulator = factory()
        form = {"grant_type": "refresh_token", "refresh_token": "R-secret", "code": "C-secret",
                "client_secret": "S-secret", "client_id": "visible"}
        emulator.handle(httpx.Request("POST", "https://example.test/token", data=form))
        (entry,) = emulator.request_log
        assert entry.params["client_id"] == "visible", platform
        assert {entry.params[k] for k in ("refresh_token", "code", "client_secret")} == {"***"}
