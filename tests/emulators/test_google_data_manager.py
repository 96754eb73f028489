"""The Data Manager emulator: events:ingest wire format, validation and idempotency log."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from emulators.google_ads.auth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SANDBOX_ACCESS_TOKEN
from emulators.google_data_manager import GoogleDataManagerEmulator
from emulators.market import Market

from .conftest import MovableClock

URL = "https://datamanager.googleapis.com/v1/events:ingest"
HASH = hashlib.sha256(b"ada@example.com").hexdigest()
DEST = {"operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "5550001001"},
        "productDestinationId": "777"}


@pytest.fixture
def dm(market: Market) -> GoogleDataManagerEmulator:
    return GoogleDataManagerEmulator(market)


@pytest.fixture
def api(dm: GoogleDataManagerEmulator) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {SANDBOX_ACCESS_TOKEN}"}
    with httpx.Client(transport=dm.transport(), headers=headers) as c:
        yield c


def ev(clock: MovableClock, txn: str = "T-1", **over: Any) -> dict[str, Any]:
    stamp = (clock.now - timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    base: dict[str, Any] = {"transactionId": txn, "eventTimestamp": stamp,
                            "conversionValue": 99.5, "currency": "EUR",
                            "userData": {"userIdentifiers": [{"emailAddress": HASH}]}}
    return {**base, **over}


def ingest(api: httpx.Client, events: list[dict[str, Any]], **over: Any) -> httpx.Response:
    body = {"destinations": [DEST], "events": events, "encoding": "HEX", **over}
    return api.post(URL, json=body)


def test_ingest_answers_a_request_id_and_logs_events(api, dm, clock):
    r = ingest(api, [ev(clock, "T-1"), ev(clock, "T-2", userData=None,
                                           adIdentifiers={"gclid": "Cj0KCQ"})])
    assert r.status_code == 200 and set(r.json()) == {"requestId"}
    got = dm.ingest_log.counted_events
    assert [(e.account_id, e.product_destination_id, e.transaction_id) for e in got] == [
        ("5550001001", "777", "T-1"), ("5550001001", "777", "T-2")]
    assert got[0].identifiers == (("emailAddress", HASH),) and got[1].gclid == "Cj0KCQ"
    assert got[0].conversion_value == 99.5 and got[0].currency == "EUR"


def test_reingesting_a_transaction_id_is_accepted_but_counted_once(api, dm, clock):
    ingest(api, [ev(clock, "T-1")])
    again = ingest(api, [ev(clock, "T-1"), ev(clock, "T-2")])
    assert again.status_code == 200
    assert len(dm.ingest_log.received_events) == 3
    assert [e.transaction_id for e in dm.ingest_log.counted_events] == ["T-1", "T-2"]
    other = {**DEST, "productDestinationId": "778"}
    api.post(URL, json={"destinations": [other], "events": [ev(clock, "T-1")],
                        "encoding": "HEX"})
    assert len(dm.ingest_log.counted_events) == 3  # another conversion action counts apart


def test_validate_only_checks_and_logs_nothing(api, dm, clock):
    assert ingest(api, [ev(clock)], validateOnly=True).status_code == 200
    assert dm.ingest_log.received_events == []
    assert ingest(api, [ev(clock, eventTimestamp="yesterday")],
                  validateOnly=True).status_code == 400


def violations(r: httpx.Response) -> dict[str, str]:
    assert r.status_code == 400
    err = r.json()["error"]
    assert (err["code"], err["status"]) == (400, "INVALID_ARGUMENT")
    (detail,) = err["details"]
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    return {v["field"]: v["description"] for v in detail["fieldViolations"]}


def test_every_bad_field_is_named_and_nothing_is_logged(api, dm, clock):
    future = (clock.now + timedelta(hours=1)).isoformat()
    r = ingest(api, [
        ev(clock, "T-1", userData={"userIdentifiers": [{"emailAddress": "ada@example.com"}]}),
        ev(clock, "T-2", eventTimestamp=future),
        ev(clock, "T-3", currency=None),
        ev(clock, "T-4", userData=None),
        ev(clock, "T-5", consent={"adUserData": "YES"}),
    ])
    bad = violations(r)
    assert set(bad) == {
        "events[0].userData.userIdentifiers[0].emailAddress", "events[1].eventTimestamp",
        "events[2].currency", "events[3]", "events[4].consent.adUserData"}
    assert "SHA-256" in bad["events[0].userData.userIdentifiers[0].emailAddress"]
    assert dm.ingest_log.received_events == []


def test_destination_encoding_and_size_limits(api, clock):
    dashed = {"operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "555-000-1001"},
              "productDestinationId": "777"}
    assert "destinations[0].operatingAccount.accountId" in violations(
        api.post(URL, json={"destinations": [dashed], "events": [ev(clock)], "encoding": "HEX"}))
    assert "encoding" in violations(api.post(URL, json={"destinations": [DEST],
                                                        "events": [ev(clock)]}))
    assert "events" in violations(ingest(api, [ev(clock, f"T-{i}") for i in range(2001)]))
    many = {"userIdentifiers": [{"emailAddress": HASH}] * 11}
    assert "events[0].userData.userIdentifiers" in violations(
        ingest(api, [ev(clock, userData=many)]))
    assert "destinations" in violations(
        api.post(URL, json={"destinations": [DEST] * 11, "events": [ev(clock)],
                            "encoding": "HEX"}))


def test_no_or_bad_token_is_unauthenticated(dm, clock):
    with httpx.Client(transport=dm.transport(), headers={"Authorization": "Bearer x"}) as c:
        r = ingest(c, [ev(clock)])
    assert r.status_code == 401 and r.json()["error"]["status"] == "UNAUTHENTICATED"
    assert dm.ingest_log.received_events == []


def test_refresh_token_grant_issues_a_working_token(dm, clock):
    with httpx.Client(transport=dm.transport()) as c:
        grant = c.post("https://oauth2.googleapis.com/token", data={
            "grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}).json()
        c.headers["Authorization"] = f"Bearer {grant['access_token']}"
        assert ingest(c, [ev(clock)]).status_code == 200


def test_unknown_path_is_not_found(api):
    r = api.post("https://datamanager.googleapis.com/v1/audienceMembers:nope", json={})
    assert r.status_code == 404 and r.json()["error"]["status"] == "NOT_FOUND"
