"""The Shopify emulator speaks Admin GraphQL: errors, cost, bucket, versions, paging, changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from emulators.entities import LAYOUTS
from emulators.market import Market
from emulators.shopify import (
    SANDBOX_SHOP,
    SANDBOX_TOKEN,
    ShopConfig,
    ShopifyEmulator,
    ShopifyQuota,
    shopify,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOST = f"https://{SANDBOX_SHOP}.myshopify.com"
PATH = "/admin/api/2026-10/graphql.json"


class Clock:
    """Market time and bucket time, moved together."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> ShopifyEmulator:
    market = Market(seed=7, clock=clock, platforms=tuple(LAYOUTS))
    return shopify(market=market, quota_clock=clock.monotonic, population_size=1500)


def post(emulator: ShopifyEmulator, query: str, variables: dict[str, Any] | None = None,
         *, path: str = PATH, host: str = HOST, token: str | None = SANDBOX_TOKEN
         ) -> httpx.Response:
    headers = {"X-Shopify-Access-Token": token} if token else {}
    with httpx.Client(transport=emulator.transport(), base_url=host, headers=headers) as client:
        return client.post(path, json={"query": query, "variables": variables or {}})


ORDERS = """
query Page($first: Int!, $after: String, $q: String) {
  orders(first: $first, after: $after, query: $q, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node { id updatedAt displayFinancialStatus
                   totalRefundedSet { shopMoney { amount } } } }
  }
}
"""


def test_unknown_fields_answer_shopifys_error_shape_in_a_200(emulator):
    r = post(emulator, "{ shop { name } orders(first: 2) { edges { node { id colour } } } }")
    assert r.status_code == 200
    body = r.json()
    assert "data" not in body
    assert body["errors"] == [{
        "message": "Field 'colour' doesn't exist on type 'Order'",
        "locations": [{"line": 1, "column": 54}],
        "path": ["query", "orders", "edges", "node", "colour"],
        "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "colour"},
    }]
    syntax = post(emulator, "{ shop { name }").json()
    assert syntax["errors"][0]["message"].startswith("Parse error")
    assert syntax["errors"][0]["locations"] == [{"line": 1, "column": 16}]
    missing = post(emulator, "{ orders { edges { node { id } } } }").json()
    assert missing["errors"][0]["message"] == "you must provide one of first or last"


def test_cost_is_calculated_and_charged_to_the_shops_bucket(emulator, clock):
    r = post(emulator, ORDERS, {"first": 10})
    cost = r.json()["extensions"]["cost"]
    # 2 + 10 x (order 1 + MoneyBag 1 + MoneyV2 1)
    assert cost["requestedQueryCost"] == 32 and cost["actualQueryCost"] == 32
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000.0, "currentlyAvailable": 1968, "restoreRate": 100.0}
    clock.advance(seconds=0.2)  # 20 points back
    second = post(emulator, ORDERS, {"first": 10}).json()["extensions"]["cost"]
    assert second["throttleStatus"]["currentlyAvailable"] == 1968 + 20 - 32
    empty = post(emulator, ORDERS, {"first": 10, "q": "updated_at:<'2001-01-01'"}).json()
    assert empty["extensions"]["cost"]["actualQueryCost"] == 2  # nothing returned: refunded


def test_the_bucket_throttles_in_a_200_and_refills_at_the_restore_rate(clock):
    market = Market(seed=7, clock=clock, platforms=tuple(LAYOUTS))
    emulator = shopify(market=market, quota=ShopifyQuota(maximum_available=100,
                                                        restore_rate=10),
                       quota_clock=clock.monotonic, population_size=1500)
    first = post(emulator, ORDERS, {"first": 30})  # requests 92
    assert "data" in first.json()
    throttled = post(emulator, ORDERS, {"first": 30})
    body = throttled.json()
    assert throttled.status_code == 200 and "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    status = body["extensions"]["cost"]
    assert status["requestedQueryCost"] == 92 and status["actualQueryCost"] is None
    missing = 92 - status["throttleStatus"]["currentlyAvailable"]
    clock.advance(seconds=missing / 10)
    assert "data" in post(emulator, ORDERS, {"first": 30}).json()
    assert emulator.throttled == 1


def test_a_query_over_the_single_query_limit_is_refused(emulator):
    heavy = """query($first: Int!) { orders(first: $first) { edges { node { id
        totalPriceSet { shopMoney { amount } } currentTotalPriceSet { shopMoney { amount } }
    } } } }"""
    body = post(emulator, heavy, {"first": 250}).json()
    assert "data" not in body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] == 2 + 250 * 5 and error["extensions"]["maxCost"] == 1000
    assert emulator.bucket().available == 2000  # nothing charged
    too_many = post(emulator, "{ orders(first: 300) { edges { node { id } } } }").json()
    assert too_many["errors"][0]["message"] == "The first argument must be between 0 and 250."


def test_versions_fall_forward_and_unknown_handles_shops_and_tokens_are_refused(emulator):
    old = post(emulator, "{ shop { name } }", path="/admin/api/2024-07/graphql.json")
    assert old.status_code == 200 and old.headers["X-Shopify-API-Version"] == "2026-01"
    pinned = post(emulator, "{ shop { name } }")
    assert pinned.headers["X-Shopify-API-Version"] == "2026-10"
    for path in ("/admin/api/2026-02/graphql.json", "/admin/api/latest/graphql.json",
                 "/admin/api/2026-10/products.json"):
        r = post(emulator, "{ shop { name } }", path=path)
        assert (r.status_code, r.json()) == (404, {"errors": "Not Found"})
    ghost = post(emulator, "{ shop { name } }", host="https://ghost.myshopify.com")
    assert ghost.status_code == 404
    for token in (None, "shpat_wrong"):
        r = post(emulator, "{ shop { name } }", token=token)
        assert r.status_code == 401
        assert r.json() == {"errors": "[API] Invalid API key or access token (unrecognized "
                                      "login or wrong password)"}
    with httpx.Client(transport=emulator.transport(), base_url=HOST,
                      headers={"X-Shopify-Access-Token": SANDBOX_TOKEN}) as client:
        no_query = client.post(PATH, json={"variables": {}})
    assert no_query.status_code == 400


def test_cursor_paging_returns_every_order_once_in_update_order(emulator):
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = post(emulator, ORDERS, {"first": 40, "after": after}).json()["data"]["orders"]
        seen += [e["node"]["id"] for e in data["edges"]]
        times = [e["node"]["updatedAt"] for e in data["edges"]]
        assert times == sorted(times)
        pages += 1
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert pages > 2 and len(seen) == len(set(seen))
    data = emulator.data[SANDBOX_SHOP]
    assert len(seen) == len(data.visible_orders(NOW))
    bad = post(emulator, ORDERS, {"first": 5, "after": "not-a-cursor"}).json()
    assert bad["errors"][0]["message"] == "Invalid cursor for current pagination sort."


def test_search_filters_by_update_time_and_warns_about_unknown_fields(emulator):
    since = "2026-11-15T00:00:00Z"
    data = post(emulator, ORDERS, {"first": 250 // 10, "q": f"updated_at:>='{since}'"}).json()
    times = [e["node"]["updatedAt"] for e in data["data"]["orders"]["edges"]]
    assert times and min(times) >= since
    ignored = post(emulator, ORDERS, {"first": 5, "q": "colour:red"}).json()
    assert ignored["extensions"]["search"] == [{
        "path": ["orders"], "query": "colour:red",
        "warnings": [{"field": "colour", "message": "Invalid search field for this query."}],
    }]


def test_orders_change_as_time_passes_and_move_to_later_update_days(emulator, clock):
    data = emulator.data[SANDBOX_SHOP]
    plan = next(p for p in data.visible_orders(NOW)
                if p.refunded_at is not None and p.refunded_at > NOW)
    gid = f"gid://shopify/Order/{plan.order_id}"
    query = ("query($id: ID!) { order(id: $id) { updatedAt displayFinancialStatus "
             "currentTotalPriceSet { shopMoney { amount } } "
             "totalRefundedSet { shopMoney { amount } } } }")
    before = post(emulator, query, {"id": gid}).json()["data"]["order"]
    clock.now = plan.refunded_at + timedelta(minutes=1)
    after = post(emulator, query, {"id": gid}).json()["data"]["order"]
    assert before["displayFinancialStatus"] == "PAID"
    assert after["displayFinancialStatus"] in ("PARTIALLY_REFUNDED", "REFUNDED")
    assert after["updatedAt"] > before["updatedAt"]
    assert float(after["totalRefundedSet"]["shopMoney"]["amount"]) > 0
    later_orders = post(emulator, ORDERS, {"first": 250 // 10}).json()
    assert later_orders["data"]["orders"]["edges"]
    assert len(data.visible_orders(clock.now)) > len(data.visible_orders(NOW))


def test_orders_carry_journeys_from_the_population(emulator):
    query = """{ orders(first: 20, reverse: true) { edges { node { email
        customer { id email numberOfOrders }
        customerJourneySummary { firstVisit { landingPage utmParameters { source } }
                                 lastVisit { landingPage referrerUrl
                                             utmParameters { source medium campaign } } }
        lineItems(first: 10) { edges { node { quantity
            originalUnitPriceSet { shopMoney { amount } } } } }
        totalPriceSet { shopMoney { amount currencyCode } } } } } }"""
    nodes = [e["node"] for e in post(emulator, query).json()["data"]["orders"]["edges"]]
    people = {p.email: p for p in emulator.population}
    clicked = 0
    for node in nodes:
        person = people[node["email"]]
        assert node["customer"]["email"] == person.email
        assert node["customer"]["numberOfOrders"] == "1"  # UnsignedInt64: a string
        lines = node["lineItems"]["edges"]
        total = sum(float(e["node"]["originalUnitPriceSet"]["shopMoney"]["amount"])
                    * e["node"]["quantity"] for e in lines)
        assert round(total, 2) == float(node["totalPriceSet"]["shopMoney"]["amount"])
        assert node["totalPriceSet"]["shopMoney"]["currencyCode"] == "EUR"
        landing = node["customerJourneySummary"]["lastVisit"]["landingPage"]
        click_ids = {t.click_id for t in person.touches if t.click_id}
        if any(f"{p}=" in landing for p in ("gclid", "fbclid", "li_fat_id")):
            clicked += 1
            assert any(c in landing for c in click_ids)
    assert clicked > 3


def test_aliases_and_fragments_execute_and_are_charged(emulator):
    query = """
      fragment Money on MoneyBag { shopMoney { amount } }
      query { recent: orders(first: 3) { nodes { id total: totalPriceSet { ...Money } } } }
    """
    body = post(emulator, query).json()
    assert len(body["data"]["recent"]["nodes"]) == 3
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 3 * 3


def test_shops_split_the_population_and_keep_separate_buckets(clock):
    shops = (ShopConfig("north-eu", "North EU", 1), ShopConfig("north-uk", "North UK", 2,
                                                              timezone="Europe/London"))
    market = Market(seed=7, clock=clock, platforms=tuple(LAYOUTS))
    emulator = shopify(market=market, shops=shops, quota_clock=clock.monotonic,
                       population_size=1500)
    eu = post(emulator, ORDERS, {"first": 20}, host="https://north-eu.myshopify.com").json()
    uk = post(emulator, ORDERS, {"first": 20}, host="https://north-uk.myshopify.com").json()
    eu_ids = {e["node"]["id"] for e in eu["data"]["orders"]["edges"]}
    uk_ids = {e["node"]["id"] for e in uk["data"]["orders"]["edges"]}
    assert eu_ids and uk_ids and not eu_ids & uk_ids
    assert eu["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000 - 62
    assert uk["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2000 - 62
    tz = post(emulator, "{ shop { ianaTimezone } }", host="https://north-uk.myshopify.com")
    assert tz.json()["data"]["shop"]["ianaTimezone"] == "Europe/London"


def test_a_shared_population_is_rendered_as_given(clock):
    from emulators.population import Population

    market = Market(seed=7, clock=clock, platforms=tuple(LAYOUTS))
    people = Population(market, size=1500, currency="GBP")
    emulator = shopify(population=people, quota_clock=clock.monotonic)
    assert emulator.market is market and emulator.population is people
    shop = post(emulator, "{ shop { currencyCode } }").json()["data"]["shop"]
    assert shop["currencyCode"] == "GBP"
    other = Market(seed=8, clock=clock, platforms=tuple(LAYOUTS))
    with pytest.raises(ValueError, match="population must render the emulator's market"):
        ShopifyEmulator(other, population=people)
