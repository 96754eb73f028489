"""The official facebook-business SDK against the emulator on loopback (only GRAPH changed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User
from facebook_business.api import FacebookAdsApi, FacebookSession
from facebook_business.exceptions import FacebookRequestError

from emulators.faults import FaultConfig
from emulators.meta_ads import APP_ID, APP_SECRET, SANDBOX_TOKEN, MetaAdsEmulator
from emulators.serve import serve_in_thread

from .conftest import TODAY


@pytest.fixture
def served(emulator):
    with serve_in_thread(emulator) as server:
        yield server


def sdk(base_url: str, token: str = SANDBOX_TOKEN) -> FacebookAdsApi:
    session = FacebookSession(APP_ID, APP_SECRET, token)  # sends appsecret_proof
    session.GRAPH = base_url
    return FacebookAdsApi(session, api_version="v26.0")


def test_sdk_lists_accounts_and_campaigns_across_pages(served, market):
    api = sdk(served.base_url)
    accounts = User(fbid="me", api=api).get_ad_accounts(fields=["id", "currency"])
    assert [a["id"] for a in accounts] == ["act_1001", "act_1002", "act_1003"]
    campaigns = AdAccount("act_1002", api=api).get_campaigns(
        fields=[Campaign.Field.id, Campaign.Field.name, Campaign.Field.daily_budget],
        params={"limit": 1})
    got = [c["id"] for c in campaigns]  # the SDK cursor follows paging.next
    assert got == [c.id for c in market.campaigns("meta_ads", "act_1002")]
    assert len(got) > 1


def test_sdk_async_insights_report_run(served, market):
    api = sdk(served.base_url)
    since, until = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    job = AdAccount("act_1001", api=api).get_insights(is_async=True, params={
        "level": "ad", "time_increment": 1,
        "time_range": {"since": since.isoformat(), "until": until.isoformat()},
        "fields": ["ad_id", "spend", "impressions", "clicks", "actions"],
        "action_attribution_windows": ["7d_click", "1d_view"],
    })
    statuses = []
    for _ in range(10):
        job = job.api_get()
        statuses.append(job["async_status"])
        if job["async_status"] == "Job Completed":
            break
    assert statuses == ["Job Not Started", "Job Started", "Job Running", "Job Completed"]
    rows = list(job.get_result(params={"limit": 7}))
    assert len(rows) > 7  # several pages
    for row in rows:
        truth = market.truth("meta_ads", row["ad_id"], since.fromisoformat(row["date_start"]))
        assert Decimal(row["spend"]) == truth.spend
        assert row["impressions"] == str(truth.impressions)


@pytest.mark.filterwarnings("ignore:insights does not allow field")
def test_sdk_sees_graph_errors(served):
    api = sdk(served.base_url, token="bogus")
    with pytest.raises(FacebookRequestError) as info:
        AdAccount("act_1001", api=api).api_get(fields=["name"])
    assert info.value.api_error_code() == 190
    api = sdk(served.base_url)
    with pytest.raises(FacebookRequestError) as info:
        list(AdAccount("act_1001", api=api).get_insights(fields=["spend", "x"]))
    assert info.value.api_error_code() == 100


def test_sdk_writes_a_budget(served, emulator, market):
    holder = next(c for c in market.campaigns("meta_ads", "act_1003")
                  if market.budget("meta_ads", c.id) is not None)
    api = sdk(served.base_url)
    Campaign(holder.id, api=api).api_update(params={"daily_budget": 4321})
    assert market.budget("meta_ads", holder.id) == 4321
    assert emulator.mutation_log[-1].after == "4321"
    assert emulator.mutation_log[-1].new == Decimal("43.21")


def test_paging_next_points_at_the_loopback_host(served):
    with httpx.Client(base_url=served.base_url, params={"access_token": SANDBOX_TOKEN}) as c:
        body = c.get("/v26.0/act_1002/ads", params={"limit": 1}).json()
        assert body["paging"]["next"].startswith(f"{served.base_url}/v26.0/act_1002/ads?")
        assert c.get(body["paging"]["next"]).status_code == 200


def test_loopback_timeout_fault_delays_the_answer(market):
    em = MetaAdsEmulator(market, FaultConfig(rate=1.0, kinds=("timeout",), timeout_delay=0.6,
                                             max_faults=1))
    with serve_in_thread(em) as server, httpx.Client(
        base_url=server.base_url, params={"access_token": SANDBOX_TOKEN}
    ) as c:
        with pytest.raises(httpx.ReadTimeout):
            c.get("/v26.0/me", timeout=0.2)
        assert c.get("/v26.0/me", timeout=5).status_code == 200
        slow = httpx.get(f"{server.base_url}/v26.0/me", params={"access_token": SANDBOX_TOKEN})
    assert slow.status_code == 200  # the fault budget (max_faults=1) is spent


def test_malformed_json_over_loopback_has_a_consistent_length(market):
    em = MetaAdsEmulator(market, FaultConfig(rate=1.0, kinds=("malformed_json",)))
    with serve_in_thread(em) as server:
        r = httpx.get(f"{server.base_url}/v26.0/act_1001/campaigns",
                      params={"access_token": SANDBOX_TOKEN})
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(ValueError):
        r.json()
