"""The LinkedIn emulator on the wire: headers, tokens, Rest.li errors, caps, paging, throttles."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from emulators.faults import FaultConfig
from emulators.linkedin_ads import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_TOKEN,
    LinkedInAdsEmulator,
)
from emulators.market import Market
from emulators.quota import QuotaConfig
from tests.emulators.conftest import MovableClock

API = "https://api.linkedin.com"
HEADERS = {
    "LinkedIn-Version": "202607",
    "X-Restli-Protocol-Version": "2.0.0",
    "Authorization": f"Bearer {SANDBOX_TOKEN}",
}
ACCOUNT = "508001001"
ANALYTICS = (
    "/rest/adAnalytics?q=analytics&pivot=CREATIVE&timeGranularity=DAILY"
    "&dateRange=(start:(year:2026,month:11,day:1),end:(year:2026,month:11,day:20))"
    f"&accounts=List(urn%3Ali%3AsponsoredAccount%3A{ACCOUNT})"
    "&fields=impressions,clicks,costInLocalCurrency,externalWebsiteConversions,"
    "conversionValueInLocalCurrency,dateRange,pivotValues"
)


@pytest.fixture
def li_market(clock: MovableClock) -> Market:
    return Market(seed=7, clock=clock, platforms=("linkedin_ads",))


def client(emulator: LinkedInAdsEmulator, **headers: str | None) -> httpx.Client:
    merged = {k: v for k, v in {**HEADERS, **headers}.items() if v is not None}
    return httpx.Client(transport=emulator.transport(), base_url=API, headers=merged)


def test_missing_version_header_is_an_error_not_a_default(li_market):
    r = client(LinkedInAdsEmulator(li_market), **{"LinkedIn-Version": None}).get(
        "/rest/adAccounts?q=search"
    )
    assert r.status_code == 400 and r.json()["code"] == "VERSION_MISSING"


@pytest.mark.parametrize("version", ["202401", "202511", "209912", "2026-07", "v2"])
def test_sunset_or_unknown_version_answers_426(li_market, version):
    r = client(LinkedInAdsEmulator(li_market), **{"LinkedIn-Version": version}).get(
        "/rest/adAccounts?q=search"
    )
    assert r.status_code == 426
    assert r.json() == {"status": 426, "code": "NONEXISTENT_VERSION",
                        "message": f"Requested version {version} is not active"}


def test_protocol_header_is_required(li_market):
    r = client(LinkedInAdsEmulator(li_market), **{"X-Restli-Protocol-Version": None}).get(
        "/rest/adAccounts?q=search"
    )
    assert r.status_code == 400 and r.json()["code"] == "ILLEGAL_ARGUMENT"


def test_refresh_grant_issues_a_token_that_expires(li_market, clock):
    emulator = LinkedInAdsEmulator(li_market)
    form = {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    with httpx.Client(transport=emulator.transport()) as raw:
        grant = raw.post("https://www.linkedin.com/oauth/v2/accessToken", data=form).json()
        refused = raw.post("https://www.linkedin.com/oauth/v2/accessToken",
                           data={**form, "client_secret": "wrong"})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert grant["refresh_token"] == REFRESH_TOKEN and grant["expires_in"] == 60 * 86400
    fresh = client(emulator, Authorization=f"Bearer {grant['access_token']}")
    assert fresh.get(f"/rest/adAccounts/{ACCOUNT}").status_code == 200
    clock.now += timedelta(days=61)
    expired = fresh.get(f"/rest/adAccounts/{ACCOUNT}")
    assert expired.status_code == 401
    assert expired.json() == {"status": 401, "serviceErrorCode": 65601,
                              "code": "EXPIRED_ACCESS_TOKEN",
                              "message": "The token used in the request has expired"}
    logged = [e for e in emulator.request_log if e.path == "/oauth/v2/accessToken"]
    assert logged and all(e.params["refresh_token"] == "***" for e in logged)
    assert all(e.params["client_secret"] == "***" for e in logged)


def test_entities_use_urns_and_page_with_tokens(li_market):
    c = client(LinkedInAdsEmulator(li_market))
    first = c.get(f"/rest/adAccounts/{ACCOUNT}/creatives?q=criteria&pageSize=2").json()
    assert len(first["elements"]) == 2
    creative = first["elements"][0]
    assert creative["id"].startswith("urn:li:sponsoredCreative:")
    assert creative["account"] == f"urn:li:sponsoredAccount:{ACCOUNT}"
    assert creative["campaign"].startswith("urn:li:sponsoredCampaign:")
    token = first["metadata"]["nextPageToken"]
    second = c.get(f"/rest/adAccounts/{ACCOUNT}/creatives?q=criteria&pageSize=2&pageToken={token}")
    assert second.json()["elements"][0] != creative
    bad = c.get(f"/rest/adAccounts/{ACCOUNT}/creatives?q=criteria&pageToken=garbage")
    assert bad.status_code == 400
    campaigns = c.get(f"/rest/adAccounts/{ACCOUNT}/adCampaigns?q=search").json()["elements"]
    assert all(x["campaignGroup"].startswith("urn:li:sponsoredCampaignGroup:") for x in campaigns)
    budgets = [x["dailyBudget"] for x in campaigns if "dailyBudget" in x]
    assert budgets and all(isinstance(b["amount"], str) for b in budgets)


def test_analytics_numbers_have_linkedin_types(li_market):
    body = client(LinkedInAdsEmulator(li_market)).get(ANALYTICS).json()
    assert body["elements"] and "nextPageToken" not in body.get("metadata", {})
    for e in body["elements"]:
        assert set(e) == {"impressions", "clicks", "costInLocalCurrency",
                          "externalWebsiteConversions", "conversionValueInLocalCurrency",
                          "dateRange", "pivotValues"}
        assert isinstance(e["costInLocalCurrency"], str) and "." in e["costInLocalCurrency"]
        assert isinstance(e["impressions"], int) and isinstance(e["clicks"], int)
        assert e["dateRange"]["start"] == e["dateRange"]["end"]
        assert e["pivotValues"][0].startswith("urn:li:sponsoredCreative:")


def test_old_pivot_form_and_statistics_finder(li_market):
    c = client(LinkedInAdsEmulator(li_market))
    old = c.get(ANALYTICS.replace("pivot=CREATIVE", "pivot=(value:CREATIVE)")).json()
    new = c.get(ANALYTICS).json()
    assert old == new
    stats = c.get(ANALYTICS.replace("q=analytics&pivot=CREATIVE",
                                    "q=statistics&pivots=List(CAMPAIGN,CREATIVE)")).json()
    assert len(stats["elements"]) == len(new["elements"])
    assert all(len(e["pivotValues"]) == 2 for e in stats["elements"])


@pytest.mark.parametrize(
    "change",
    [
        ("dateRange=(start:(year:2026,month:11,day:1),", "dateRange=(start:(year:2026,month:11,"),
        ("accounts=List(", "accounts=Lst("),
        ("accounts=List(urn%3Ali%3AsponsoredAccount%3A", "accounts=List(urn:li:sponsoredAccount:"),
        ("pivot=CREATIVE", "pivot=MEMBER_SHOE_SIZE"),
        ("timeGranularity=DAILY", "timeGranularity=HOURLY"),
        ("fields=impressions", "fields=impressionz"),
        ("q=analytics", "q=analytics&start=10"),
        ("month:11,day:1)", "month:13,day:1)"),
    ],
    ids=["unbalanced", "bad-list", "unencoded-urn", "pivot", "granularity", "field", "paging",
         "date"],
)
def test_malformed_analytics_queries_answer_400(li_market, change):
    old, new = change
    r = client(LinkedInAdsEmulator(li_market)).get(ANALYTICS.replace(old, new))
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["status"] == 400 and body["code"] == "ILLEGAL_ARGUMENT" and body["message"]


def test_more_than_twenty_fields_answer_400(li_market):
    many = ",".join(["likes", "shares", "comments", "follows", "totalEngagements", "videoViews",
                     "oneClickLeads", "opens", "sends", "reactions", "otherEngagements",
                     "videoCompletions", "videoStarts", "fullScreenPlays", "jobApplications"])
    c = client(LinkedInAdsEmulator(li_market))
    r = c.get(ANALYTICS + "," + many + ",registrations")  # 7 + 16 = 23 fields
    assert r.status_code == 400 and "at most 20 fields" in r.json()["message"]
    assert c.get(ANALYTICS + ",likes,shares,comments,follows,totalEngagements").status_code == 200


def test_row_cap_truncates_silently(li_market):
    full = client(LinkedInAdsEmulator(li_market)).get(ANALYTICS).json()["elements"]
    capped = client(LinkedInAdsEmulator(li_market, max_elements=10)).get(ANALYTICS)
    assert capped.status_code == 200
    assert capped.json()["elements"] == full[:10] and len(full) > 10


def test_throttle_is_a_bare_429(li_market):
    emulator = LinkedInAdsEmulator(li_market, quota=QuotaConfig(app_calls=2, user_calls=None))
    c = client(emulator)
    statuses = [c.get(f"/rest/adAccounts/{ACCOUNT}") for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert "retry-after" not in statuses[2].headers
    assert not [h for h in statuses[2].headers if "ratelimit" in h.lower()]
    assert statuses[2].json()["code"] == "TOO_MANY_REQUESTS"


@pytest.mark.parametrize("kind", ["http_429", "throttle"])
def test_throttle_faults_have_no_retry_after(li_market, kind):
    emulator = LinkedInAdsEmulator(li_market, FaultConfig(rate=1.0, kinds=(kind,)))
    r = client(emulator).get(f"/rest/adAccounts/{ACCOUNT}")
    assert r.status_code == 429 and "retry-after" not in r.headers


def test_registry_factory_needs_a_market_with_the_linkedin_layout():
    from emulators.linkedin_ads import linkedin_ads

    market = Market(seed=3, platforms=("meta_ads", "linkedin_ads"))
    em = linkedin_ads(market=market, faults=FaultConfig(), quota=None, max_elements=100)
    assert em.platform == "linkedin_ads" and em.market is market and em.max_elements == 100
    assert linkedin_ads().market.platforms == ("linkedin_ads",)
    with pytest.raises(ValueError, match="no linkedin_ads accounts"):
        linkedin_ads(market=Market(seed=3))
