"""The LinkedIn emulator's campaign groups on the wire (``adCampaignGroups`` search, issue 12)."""

from __future__ import annotations

import httpx
import pytest

from emulators.faults import FaultConfig
from emulators.linkedin_ads import SANDBOX_TOKEN, LinkedInAdsEmulator
from emulators.market import Market
from tests.emulators.conftest import MovableClock

API = "https://api.linkedin.com"
HEADERS = {
    "LinkedIn-Version": "202607",
    "X-Restli-Protocol-Version": "2.0.0",
    "Authorization": f"Bearer {SANDBOX_TOKEN}",
}
ACCOUNT = "508001001"
GROUPS = f"/rest/adAccounts/{ACCOUNT}/adCampaignGroups"


@pytest.fixture
def li_market(clock: MovableClock) -> Market:
    return Market(seed=7, clock=clock, platforms=("linkedin_ads",))


def client(emulator: LinkedInAdsEmulator) -> httpx.Client:
    return httpx.Client(transport=emulator.transport(), base_url=API, headers=HEADERS)


def test_groups_are_the_market_campaigns_and_page_with_tokens(li_market):
    http = client(LinkedInAdsEmulator(li_market))
    first = http.get(GROUPS + "?q=search&pageSize=2").json()
    token = first["metadata"]["nextPageToken"]
    rest = http.get(GROUPS + f"?q=search&pageSize=100&pageToken={token}").json()
    groups = first["elements"] + rest["elements"]
    campaigns = li_market.campaigns("linkedin_ads", ACCOUNT)
    assert [g["id"] for g in groups] == [int(c.id) for c in campaigns]
    for group, campaign in zip(groups, campaigns, strict=True):
        assert group["name"] == campaign.name
        assert group["account"] == f"urn:li:sponsoredAccount:{ACCOUNT}"
        status = li_market.status("linkedin_ads", campaign.id)
        assert group["status"] == status
        assert (group["servingStatuses"] == ["RUNNABLE"]) == (status == "ACTIVE")
        assert isinstance(group["runSchedule"]["start"], int)
        budget = li_market.budget("linkedin_ads", campaign.id)
        assert ("dailyBudget" in group) == (budget is not None)
        if budget is not None:
            assert group["dailyBudget"]["amount"] == f"{budget / 100:.2f}"
    # every campaign names one of these groups
    campaigns_json = http.get(f"/rest/adAccounts/{ACCOUNT}/adCampaigns?q=search").json()
    named = {c["campaignGroup"] for c in campaigns_json["elements"]}
    assert named <= {f"urn:li:sponsoredCampaignGroup:{g['id']}" for g in groups}


def test_status_search_and_index_paging(li_market):
    emulator = LinkedInAdsEmulator(li_market)
    http = client(emulator)
    group = li_market.campaigns("linkedin_ads", ACCOUNT)[0]
    li_market.set_status("linkedin_ads", group.id, "PAUSED")
    paused = http.get(GROUPS + "?q=search&search=(status:(values:List(PAUSED)))").json()
    expected = [int(c.id) for c in li_market.campaigns("linkedin_ads", ACCOUNT)
                if li_market.status("linkedin_ads", c.id) == "PAUSED"]
    assert int(group.id) in expected
    assert [g["id"] for g in paused["elements"]] == expected
    assert all(g["servingStatuses"] != ["RUNNABLE"] for g in paused["elements"])
    indexed = http.get(GROUPS + "?q=search&start=0&count=1").json()
    assert len(indexed["elements"]) == 1 and indexed["paging"]["total"] > 1


@pytest.mark.parametrize("query", ["", "?q=criteria", "?q=search&pageSize=0",
                                   "?q=search&search=(status:oops"])
def test_bad_finders_answer_400(li_market, query):
    r = client(LinkedInAdsEmulator(li_market)).get(GROUPS + query)
    assert r.status_code == 400 and r.json()["code"] == "ILLEGAL_ARGUMENT"


def test_unknown_account_is_404_and_bad_record_spoils_a_group(li_market):
    http = client(LinkedInAdsEmulator(li_market))
    assert http.get("/rest/adAccounts/999/adCampaignGroups?q=search").status_code == 404
    spoiled = client(LinkedInAdsEmulator(
        li_market, faults=FaultConfig(rate=1.0, kinds=("bad_record",), seed=1)))
    elements = spoiled.get(GROUPS + "?q=search").json()["elements"]
    assert any(g.get("account") == "urn:li:sponsoredAccount:" for g in elements)
