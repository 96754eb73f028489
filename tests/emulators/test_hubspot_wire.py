"""HubSpot emulator wire format and behaviour: paging, the search cap, errors, throttles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from emulators.entities import LAYOUTS
from emulators.hubspot import PRIVATE_APP_TOKEN, hubspot
from emulators.market import Market
from emulators.quota import QuotaConfig

TODAY = date(2026, 11, 20)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def client(emulator, token: str = PRIVATE_APP_TOKEN) -> httpx.Client:
    return httpx.Client(transport=emulator.transport(), base_url="https://api.hubapi.com",
                        headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module")
def emulator():
    return hubspot(market=Market(seed=3, today=TODAY, platforms=tuple(LAYOUTS)), size=800,
                   quota=QuotaConfig(account_calls=None, app_calls=None, user_calls=None))


def test_objects_page_with_after_cursors_and_string_properties(emulator):
    with client(emulator) as c:
        seen: list[str] = []
        after = None
        while True:
            params: dict[str, str | int] = {"limit": 100,
                                            "properties": "email,phone,lifecyclestage"}
            if after:
                params["after"] = after
            body = c.get("/crm/v3/objects/contacts", params=params).json()
            seen += [r["id"] for r in body["results"]]
            for r in body["results"]:
                assert all(v is None or isinstance(v, str) for v in r["properties"].values())
                assert r["properties"]["lastmodifieddate"].endswith("Z")
            if "paging" not in body:
                break
            after = body["paging"]["next"]["after"]
            assert body["paging"]["next"]["link"].startswith("https://api.hubapi.com/")
    assert len(seen) == len(set(seen)) == len(emulator.crm.contact_ids)


def test_search_is_sorted_filtered_and_capped(emulator):
    with client(emulator) as c:
        body = {"filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "0"}]}],
            "limit": 200, "properties": ["email"]}
        page = c.post("/crm/v3/objects/contacts/search", json=body)
        assert "X-HubSpot-RateLimit-Max" not in page.headers  # search: no rate headers
        data = page.json()
        keys = [(r["properties"]["lastmodifieddate"], int(r["id"])) for r in data["results"]]
        assert keys == sorted(keys) and data["total"] == len(emulator.crm.contact_ids)
        assert data["paging"]["next"]["after"] == "200"
        beyond = c.post("/crm/v3/objects/contacts/search", json={**body, "after": "10000"})
        assert beyond.status_code == 400
        err = beyond.json()
        assert err["status"] == "error" and err["category"] == "VALIDATION_ERROR"
        assert err["correlationId"] and err["errors"]
        unknown = c.post("/crm/v3/objects/contacts/search", json={"filterGroups": [
            {"filters": [{"propertyName": "shoe_size", "operator": "EQ", "value": "42"}]}]})
        assert unknown.status_code == 400 and "shoe_size" in unknown.json()["message"]
        email = emulator.crm.contact_properties(5)["email"]
        one = c.post("/crm/v3/objects/contacts/search", json={"filterGroups": [
            {"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}]}).json()
        assert [r["id"] for r in one["results"]] == ["5"]


def test_missing_and_bad_tokens_get_hubspot_401s(emulator):
    with httpx.Client(transport=emulator.transport(), base_url="https://api.hubapi.com") as c:
        body = c.get("/crm/v3/objects/contacts").json()
        assert body["category"] == "INVALID_AUTHENTICATION"
    with client(emulator, "pat-na1-wrong") as c:
        assert c.get("/crm/v3/objects/contacts").status_code == 401


def test_throttle_is_a_429_with_policy_and_rate_headers():
    clock = Clock()
    em = hubspot(market=Market(seed=3, today=TODAY, platforms=tuple(LAYOUTS)), size=100,
                 quota=QuotaConfig(account_calls=3, app_calls=1000, user_calls=1,
                                   window_seconds=10), quota_clock=clock)
    with client(em) as c:
        heads = [c.get("/crm/v3/objects/deals").headers for _ in range(3)]
        assert [h["X-HubSpot-RateLimit-Remaining"] for h in heads] == ["2", "1", "0"]
        assert heads[0]["X-HubSpot-RateLimit-Daily"] == "1000"
        assert heads[0]["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        over = c.get("/crm/v3/objects/deals")
        assert over.status_code == 429
        assert over.json()["errorType"] == "RATE_LIMIT"
        assert over.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        clock.t = 11
        search = [c.post("/crm/v3/objects/deals/search", json={}) for _ in range(2)]
        assert search[0].status_code == 200
        assert search[1].json()["policyName"] == "SECONDLY"
        clock.t = 30
        assert c.get("/crm/v3/objects/deals").status_code == 200


def test_bulk_import_gives_many_contacts_one_instant():
    em = hubspot(market=Market(seed=3, today=TODAY, platforms=tuple(LAYOUTS)), size=2_000,
                 bulk_import=1_500, bulk_import_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    with client(em) as c:
        body = c.post("/crm/v3/objects/contacts/search", json={"filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "EQ",
             "value": "2026-11-20T09:00:00Z"}]}]}).json()
    assert body["total"] == 1_500


def test_upsert_batch_limit_and_mutation_log():
    em = hubspot(market=Market(seed=3, today=TODAY, platforms=tuple(LAYOUTS)), size=200)
    with client(em) as c:
        too_many = {"inputs": [{"idProperty": "email", "id": f"p{i}@example.com",
                                "properties": {}} for i in range(101)]}
        assert c.post("/crm/v3/objects/contacts/batch/upsert", json=too_many).status_code == 400
        email = em.crm.contact_properties(3)["email"]
        ok = c.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
            {"idProperty": "email", "id": email, "properties": {"lifecyclestage": "customer"}}]})
        assert ok.status_code == 200 and ok.json()["results"][0]["new"] is False
        bad = c.post("/crm/v3/objects/contacts/batch/upsert", json={"inputs": [
            {"idProperty": "email", "id": email, "properties": {"lifecyclestage": "vip"}}]})
        assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "INVALID_OPTION"
        add = c.put("/crm/v3/lists/1001/memberships/add-and-remove",
                    json={"recordIdsToAdd": ["3"], "recordIdsToRemove": []}).json()
        assert "recordsIdsAdded" in add  # HubSpot's own spelling
    changes = [(m.entity_id, m.field, m.after) for m in em.mutation_log]
    assert ("3", "lifecyclestage", "customer") in changes


def test_a_shared_population_is_rendered_as_given():
    from emulators.population import Population

    market = Market(seed=3, today=TODAY, platforms=tuple(LAYOUTS))
    people = Population(market, size=300)
    em = hubspot(market=market, population=people)
    assert em.population is people
    person = next(p for p in people if p.first_seen <= market.now())
    assert em.crm.contact_properties(person.index + 1)["email"] == person.email
    with pytest.raises(ValueError, match="market"):
        hubspot(market=Market(seed=4, today=TODAY, platforms=tuple(LAYOUTS)), population=people)
