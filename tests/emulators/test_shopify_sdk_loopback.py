"""The official Python SDK (ShopifyAPI) reads from the emulator on loopback, host changed only.

ShopifyAPI builds ``https://<shop>.myshopify.com/admin/api/<version>`` from its session; the
test activates a normal session and then points the site at the loopback server, which is the
one change a sandbox needs. Skipped where ShopifyAPI is not installed (not a project
dependency yet).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from emulators.entities import LAYOUTS
from emulators.market import Market
from emulators.serve import serve_in_thread
from emulators.shopify import SANDBOX_SHOP, SANDBOX_TOKEN
from emulators.shopify import shopify as make_emulator

sdk = pytest.importorskip("shopify")


def test_the_official_sdk_runs_graphql_against_the_emulator():
    emulator = make_emulator(
        market=Market(seed=7, today=date(2026, 11, 20), platforms=tuple(LAYOUTS)),
        population_size=1500,
    )
    known = {v.name for v in sdk.ApiVersion.versions.values()}
    if "2026-10" not in known:
        sdk.ApiVersion.define_version(sdk.Release("2026-10"))
    session = sdk.Session(f"{SANDBOX_SHOP}.myshopify.com", "2026-10", SANDBOX_TOKEN)
    with serve_in_thread(emulator) as server:
        sdk.ShopifyResource.activate_session(session)
        try:
            sdk.ShopifyResource.set_site(server.base_url + "/admin/api/2026-10")
            raw = sdk.GraphQL().execute(
                "query Recent($n: Int!) { shop { myshopifyDomain } "
                "orders(first: $n, sortKey: CREATED_AT) { edges { node { id name } } } }",
                variables={"n": 3},
                operation_name="Recent",
            )
        finally:
            sdk.ShopifyResource.clear_session()
    body = json.loads(raw)
    assert body["data"]["shop"]["myshopifyDomain"] == f"{SANDBOX_SHOP}.myshopify.com"
    assert [e["node"]["name"] for e in body["data"]["orders"]["edges"]] == [
        "#1001", "#1002", "#1003"]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + 2 + 3
    seen = emulator.request_log[-1]
    assert seen.path == "/admin/api/2026-10/graphql.json" and seen.status == 200
    assert seen.who is not None and "static" in seen.who
