"""The Google Ads REST surface as the emulator serves it: headers, auth, GAQL answers, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from emulators.faults import FaultConfig
from emulators.google_ads import (
    CLIENT_ID,
    CLIENT_SECRET,
    CONVERSION_WINDOWS,
    DEVELOPER_TOKEN,
    MANAGER_ID,
    REFRESH_TOKEN,
    SANDBOX_ACCESS_TOKEN,
    GoogleAdsEmulator,
)
from emulators.google_ads.factory import google_ads
from emulators.market import Market
from emulators.quota import QuotaConfig

from .conftest import MovableClock

HOST = "https://googleads.googleapis.com"
CID = "5550001001"
HEADERS = {
    "Authorization": f"Bearer {SANDBOX_ACCESS_TOKEN}",
    "developer-token": DEVELOPER_TOKEN,
    "login-customer-id": MANAGER_ID,
}
REPORT = (
    "SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, segments.date, metrics.cost_micros, "
    "metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value "
    "FROM ad_group_ad WHERE segments.date BETWEEN '{a}' AND '{b}'"
)


@pytest.fixture
def gclock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))


@pytest.fixture
def gmarket(gclock: MovableClock) -> Market:
    return Market(seed=7, clock=gclock, platforms=("google_ads",))


@pytest.fixture
def gemu(gmarket: Market) -> GoogleAdsEmulator:
    return GoogleAdsEmulator(gmarket, page_size=4)


def client(emulator: GoogleAdsEmulator, headers: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(transport=emulator.transport(), base_url=HOST,
                        headers=HEADERS if headers is None else headers)


def search(c: httpx.Client, query: str, cid: str = CID, **body) -> httpx.Response:
    return c.post(f"/v26/customers/{cid}/googleAds:search", json={"query": query, **body})


def failure(response: httpx.Response) -> tuple[str, dict[str, str]]:
    error = response.json()["error"]
    return error["status"], error["details"][0]["errors"][0]["errorCode"]


def test_rows_are_camel_case_with_int64_strings_and_double_numbers(gemu):
    with client(gemu) as c:
        r = c.post(f"/v26/customers/{CID}/googleAds:searchStream",
                   json={"query": REPORT.format(a="2026-11-20", b="2026-11-20")})
    assert r.status_code == 200 and r.headers["request-id"]
    chunks = r.json()
    assert isinstance(chunks, list) and chunks[-1]["queryResourceConsumption"]
    row = chunks[0]["results"][0]
    assert chunks[0]["fieldMask"].startswith("campaign.id,adGroup.id,adGroupAd.ad.id,")
    assert "metrics.costMicros" in chunks[0]["fieldMask"]
    assert set(row) == {"campaign", "adGroup", "adGroupAd", "segments", "metrics"}
    assert row["adGroupAd"]["resourceName"].count("~") == 1
    m = row["metrics"]
    for key in ("costMicros", "impressions", "clicks"):
        assert isinstance(m[key], str) and m[key].isdigit()
    assert isinstance(m["conversions"], float) and isinstance(m["conversionsValue"], float)
    assert isinstance(row["campaign"]["id"], str)


def test_search_pages_with_page_tokens_bound_to_the_query(gemu):
    query = ("SELECT ad_group_ad.ad.id, ad_group_ad.status FROM ad_group_ad "
             "ORDER BY ad_group_ad.ad.id")
    with client(gemu) as c:
        pages = [search(c, query).json()]
        while "nextPageToken" in pages[-1]:
            pages.append(search(c, query, pageToken=pages[-1]["nextPageToken"]).json())
        stolen = search(c, "SELECT campaign.id FROM campaign", pageToken=pages[0]["nextPageToken"])
        sized = search(c, query, pageSize=2)
    ids = [r["adGroupAd"]["ad"]["id"] for p in pages for r in p["results"]]
    assert len(pages) > 1 and all(len(p["results"]) <= 4 for p in pages)
    assert ids == sorted(ids, key=int) and len(set(ids)) == len(ids)
    assert len(ids) == len(gemu.market.ads("google_ads", CID))
    assert failure(stolen) == ("INVALID_ARGUMENT", {"requestError": "INVALID_PAGE_TOKEN"})
    assert failure(sized)[1] == {"requestError": "PAGE_SIZE_NOT_SUPPORTED"}


def test_manager_lists_its_clients(gemu):
    with client(gemu) as c:
        accessible = c.get("/v26/customers:listAccessibleCustomers").json()
        r = search(c, "SELECT customer_client.id, customer_client.manager, "
                      "customer_client.currency_code FROM customer_client "
                      "WHERE customer_client.level <= 1", cid=MANAGER_ID)
    assert accessible == {"resourceNames": [f"customers/{MANAGER_ID}"]}
    clients = [row["customerClient"] for row in r.json()["results"]]
    assert clients[0] == {**clients[0], "id": MANAGER_ID, "manager": True}
    assert [x["id"] for x in clients[1:]] == [a.id for a in gemu.market.accounts("google_ads")]


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({**HEADERS, "developer-token": ""}, 401, {"authenticationError": "AUTHENTICATION_ERROR"}),
        ({**HEADERS, "developer-token": "nope"}, 403,
         {"authorizationError": "DEVELOPER_TOKEN_PROHIBITED"}),
        ({k: v for k, v in HEADERS.items() if k != "login-customer-id"}, 403,
         {"authorizationError": "USER_PERMISSION_DENIED"}),
        ({**HEADERS, "login-customer-id": "12"}, 400, {"headerError": "INVALID_LOGIN_CUSTOMER_ID"}),
        ({**HEADERS, "Authorization": "Bearer forged"}, 401,
         {"authenticationError": "OAUTH_TOKEN_INVALID"}),
    ],
    ids=["no-dev-token", "bad-dev-token", "no-login-customer", "bad-login-customer", "bad-token"],
)
def test_credentials_and_headers_are_checked(gemu, headers, status, code):
    with client(gemu, headers) as c:
        r = search(c, "SELECT campaign.id FROM campaign")
    assert r.status_code == status and failure(r)[1] == code


def test_versions_sunset_and_unknown(gemu):
    with client(gemu) as c:
        sunset = c.post(f"/v19/customers/{CID}/googleAds:search", json={"query": "x"})
        future = c.post(f"/v99/customers/{CID}/googleAds:search", json={"query": "x"})
        older = search(c, "SELECT campaign.id FROM campaign")
    assert sunset.status_code == 501 and sunset.json()["error"]["status"] == "UNIMPLEMENTED"
    assert future.status_code == 404 and future.json()["error"]["status"] == "NOT_FOUND"
    assert "details" not in future.json()["error"]
    assert older.status_code == 200


def test_invalid_query_answers_google_failure(gemu):
    with client(gemu) as c:
        r = search(c, "SELECT campaign.id FROM campaign WHERE")
    body = r.json()["error"]
    assert r.status_code == 400 and body["status"] == "INVALID_ARGUMENT"
    assert body["details"][0]["@type"].endswith("google.ads.googleads.v26.errors.GoogleAdsFailure")
    assert body["details"][0]["errors"][0]["errorCode"] == {"queryError": "UNEXPECTED_END_OF_QUERY"}


def test_refresh_token_grant_issues_expiring_tokens(gemu, gclock):
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
    with client(gemu, {}) as c:
        grant = c.post("https://oauth2.googleapis.com/token", data=form)
        wrong = c.post("https://oauth2.googleapis.com/token", data={**form, "refresh_token": "x"})
    assert grant.status_code == 200 and grant.json()["expires_in"] == 3599
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    headers = {**HEADERS, "Authorization": f"Bearer {grant.json()['access_token']}"}
    with client(gemu, headers) as c:
        assert search(c, "SELECT campaign.id FROM campaign").status_code == 200
        gclock.now += timedelta(hours=1)
        expired = search(c, "SELECT campaign.id FROM campaign")
    assert expired.status_code == 401
    assert failure(expired) == ("UNAUTHENTICATED", {"authenticationError": "OAUTH_TOKEN_EXPIRED"})


def test_quota_answers_resource_exhausted_with_retry_delay(gmarket):
    emu = GoogleAdsEmulator(gmarket, quota=QuotaConfig(account_calls=2, app_calls=None,
                                                       window_seconds=60),
                            quota_clock=lambda: 100.0)
    with client(emu) as c:
        answers = [search(c, "SELECT campaign.id FROM campaign") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    entry = answers[2].json()["error"]["details"][0]["errors"][0]
    assert entry["errorCode"] == {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"}
    assert entry["details"]["quotaErrorDetails"]["retryDelay"] == "60s"


def test_metrics_are_market_truth_and_late_conversions_restate(gemu, gmarket, gclock):
    day = date(2026, 11, 20)

    def rows() -> dict[str, dict]:
        with client(gemu) as c:
            r = c.post(f"/v26/customers/{CID}/googleAds:searchStream",
                       json={"query": REPORT.format(a=day, b=day)})
        return {row["adGroupAd"]["ad"]["id"]: row["metrics"]
                for chunk in r.json() for row in chunk.get("results", [])}

    early = rows()
    gclock.now += timedelta(days=20)
    late = rows()
    assert early.keys() == late.keys() and early
    grew = 0
    for ad_id, metrics in late.items():
        truth = gmarket.truth("google_ads", ad_id, day, windows=CONVERSION_WINDOWS)
        assert Decimal(metrics["costMicros"]) / 1_000_000 == truth.spend
        assert int(metrics["impressions"]) == truth.impressions
        assert metrics.get("conversions", 0.0) == float(truth.conversions)
        assert Decimal(repr(metrics.get("conversionsValue", 0.0))) == truth.value
        grew += metrics.get("conversions", 0) > early[ad_id].get("conversions", 0)
    assert grew, "no late conversion restated the day"


def test_bad_record_and_repeated_cursor_faults(gmarket):
    query = "SELECT campaign.id, ad_group.id FROM ad_group"
    bad = GoogleAdsEmulator(gmarket, FaultConfig(rate=1.0, kinds=("bad_record",)), page_size=4)
    with client(bad) as c:
        rows = search(c, query).json()["results"]
    assert any(r["campaign"]["id"] == "not-an-id" for r in rows)
    loop = GoogleAdsEmulator(gmarket, FaultConfig(rate=1.0, kinds=("repeated_cursor",)),
                             page_size=2)
    with client(loop) as c:
        first = search(c, query).json()
        second = search(c, query, pageToken=first["nextPageToken"]).json()
    assert second["nextPageToken"] == first["nextPageToken"]
    assert loop.request_log[-1].fault == "repeated_cursor"


def test_factory_adds_google_ads_to_a_meta_only_market():
    emu = google_ads(Market(seed=3, today=date(2026, 11, 26)))
    assert emu.platform == "google_ads"
    assert emu.market.accounts("google_ads")[0].id == CID
    assert emu.market.accounts("meta_ads")
    assert len(emu.market.accounts("google_ads")) == 3


def test_request_log_masks_oauth_secrets(gemu):
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
    with client(gemu, {}) as c:
        c.post("https://oauth2.googleapis.com/token", data=form)
    logged = gemu.request_log[-1]
    assert logged.params["refresh_token"] == "***" and logged.params["client_secret"] == "***"
    assert logged.params["grant_type"] == "refresh_token"
