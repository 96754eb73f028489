"""The webhook gateway against senders that lie: replays, nesting, sizes, types, methods.

A real gateway on loopback (uvicorn) over a SQLite inbox. Every case asserts what the sender
got (a 4xx with a reason, never a 5xx) and what the inbox holds afterwards.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.gateway import senders as s
from tests.gateway.conftest import inbox_rows, make_gateway, metric, store_url  # noqa: F401

ADMIN_TOKEN = "admin-token-for-tests-0123"


@pytest.fixture
def gateway(make_gateway):  # noqa: F811
    return make_gateway()


@pytest.fixture
def client(gateway):
    with httpx.Client(base_url=gateway.base_url, timeout=30) as c:
        yield c


def _signers(base_url: str):
    return {
        "/webhooks/forms": s.sign_webform_bytes,
        "/webhooks/meta": s.sign_meta,
        "/webhooks/shopify": s.sign_shopify,
        "/webhooks/hubspot": lambda b: s.sign_hubspot_bytes(b, f"{base_url}/webhooks/hubspot"),
    }


ROUTES = ("/webhooks/forms", "/webhooks/meta", "/webhooks/shopify", "/webhooks/hubspot")


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "deeper than 32 levels"),
        (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, "deeper than 32 levels"),
        (b'{"entry": [' + b"9" * 5_000 + b"]}", "a number longer than 64 characters"),
        (b'{"value": NaN}', "NaN is not JSON"),
        (b'{"value": -Infinity}', "Infinity is not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_signed_bodies_beyond_the_parsing_bounds_are_422_and_store_nothing(
    client, gateway, store_url, path, body, reason  # noqa: F811
):
    answer = client.post(path, content=body, headers=_signers(gateway.base_url)[path](body))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_payload" and reason in answer.json()["message"]
    assert inbox_rows(store_url) == []


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/json; charset=latin-1",
                                          "application/jsonp"])
def test_a_body_not_declared_as_utf8_json_is_415_and_stores_nothing(
    client, gateway, store_url, path, content_type  # noqa: F811
):
    body = s.form_body()
    headers = {k: v for k, v in _signers(gateway.base_url)[path](body).items()
               if k.lower() != "content-type"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = client.post(path, content=body, headers=headers)
    assert answer.status_code == 415, answer.text
    assert answer.json() == {"error": "unsupported_media_type",
                             "message": answer.json()["message"],
                             "location": "header:Content-Type"}
    assert inbox_rows(store_url) == []


def test_json_with_a_charset_parameter_is_accepted(client, store_url):  # noqa: F811
    body = s.form_body()
    headers = {**s.sign_webform(body), "content-type": "Application/JSON; charset=UTF-8"}
    assert client.post("/webhooks/forms", content=body, headers=headers).status_code == 200
    assert len(inbox_rows(store_url)) == 1


def test_a_captured_shopify_order_replayed_with_new_headers_is_stored_once(
    client, store_url  # noqa: F811
):
    body = s.order_body(order_id=9001)
    first = client.post("/webhooks/shopify", content=body, headers=s.sign_shopify(body))
    assert first.json()["status"] == "accepted"
    # The attacker has the signed body: new event id, new trigger time, new webhook id.
    for _ in range(3):
        replay = client.post("/webhooks/shopify", content=body,
                             headers=s.sign_shopify(body, at=datetime.now(UTC)))
        assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    # The same order body relabelled orders/updated -> orders/create changes nothing either.
    relabelled = client.post("/webhooks/shopify", content=body,
                             headers=s.sign_shopify(body, topic="orders/create"))
    assert relabelled.json()["status"] == "duplicate"
    [row] = inbox_rows(store_url)
    assert row["delivery_id"] == "orders/create:9001"


def test_an_old_order_announced_as_new_is_a_replay(client, store_url):  # noqa: F811
    created = datetime.now(UTC) - timedelta(hours=7)  # Shopify stops retrying after 4 h
    body = s.order_body(order_id=9002, created_at=created.isoformat(),
                        updated_at=datetime.now(UTC).isoformat())  # e.g. an orders/updated body
    answer = client.post("/webhooks/shopify", content=body, headers=s.sign_shopify(body))
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "stale_timestamp"
    assert answer.json()["location"] == "body.created_at"
    assert inbox_rows(store_url) == []


@pytest.mark.parametrize(
    "body",
    [
        s.dumps({"id": 706405506930370084, "email": "bob@example.com", "first_name": "Bob",
                 "orders_count": 1, "created_at": "2026-11-26T10:00:00Z"}),  # a customer
        s.dumps({"id": 632910392, "title": "IPod Nano", "variants": [],
                 "created_at": "2026-11-26T10:00:00Z"}),  # a product
        s.dumps([{"id": 1}]),
    ],
)
def test_another_topics_body_relabelled_orders_create_is_422(client, store_url, body):  # noqa: F811
    answer = client.post("/webhooks/shopify", content=body, headers=s.sign_shopify(body))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_payload"
    assert inbox_rows(store_url) == []


def test_a_spoofed_or_missing_shop_domain_is_refused(client, store_url):  # noqa: F811
    body = s.order_body(order_id=9003)
    spoofed = {**s.sign_shopify(body), "X-Shopify-Shop-Domain": "attacker.myshopify.com"}
    answer = client.post("/webhooks/shopify", content=body, headers=spoofed)
    assert answer.status_code == 403 and answer.json()["error"] == "unknown_shop"
    missing = {k: v for k, v in s.sign_shopify(body).items() if k != "X-Shopify-Shop-Domain"}
    answer = client.post("/webhooks/shopify", content=body, headers=missing)
    assert answer.status_code == 422
    assert answer.json()["location"] == "header:X-Shopify-Shop-Domain"
    upper = {**s.sign_shopify(body), "X-Shopify-Shop-Domain": s.SHOP_DOMAIN.upper()}
    assert client.post("/webhooks/shopify", content=body,
                       headers=upper).json()["status"] == "accepted"
    [row] = inbox_rows(store_url)
    assert row["payload"]["shop_domain"] == s.SHOP_DOMAIN


def test_oversized_fields_are_422_naming_the_field(client, store_url):  # noqa: F811
    body = s.order_body(order_id=9004, total_price="9" * 40)
    answer = client.post("/webhooks/shopify", content=body, headers=s.sign_shopify(body))
    assert answer.status_code == 422 and "body.total_price" in answer.json()["message"]
    form = s.form_body(first_name="x" * 600)
    answer = client.post("/webhooks/forms", content=form, headers=s.sign_webform(form))
    assert answer.status_code == 422 and answer.json()["location"] == "body.data.first_name"
    assert inbox_rows(store_url) == []


def test_healthz_says_ok_and_nothing_about_the_forwarder(make_gateway):  # noqa: F811
    server = make_gateway(prefect_api_url="http://127.0.0.1:9/internal-prefect/api")
    body = s.form_body()
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        c.post("/webhooks/forms", content=body, headers=s.sign_webform(body))
        health = c.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert "internal-prefect" not in health.text and "127.0.0.1:9" not in health.text


def test_metrics_and_docs_need_the_admin_token_once_one_is_set(make_gateway):  # noqa: F811
    server = make_gateway(admin_token=ADMIN_TOKEN)
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        for path in ("/metrics", "/docs", "/redoc", "/openapi.json"):
            for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"},
                            {"Authorization": f"Basic {ADMIN_TOKEN}"}):
                refused = c.get(path, headers=headers)
                assert refused.status_code == 401, (path, headers, refused.text)
                assert refused.json()["error"] == "admin_token_required"
                assert refused.headers["www-authenticate"] == "Bearer"
                assert ADMIN_TOKEN not in refused.text
            allowed = c.get(path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert allowed.status_code == 200, path
        assert c.get("/healthz").status_code == 200  # load balancers need no token
        doc = c.get("/openapi.json", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    assert doc["paths"]["/metrics"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "401" in doc["paths"]["/metrics"]["get"]["responses"]


def test_without_a_token_the_operations_routes_stay_open(client):
    for path in ("/metrics", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200


def test_malformed_parameters_are_400_error_bodies_and_documented_as_required(client):
    missing = client.get("/webhooks/meta", params={"hub.verify_token": "x", "hub.challenge": "1"})
    assert missing.status_code == 400
    assert missing.json() == {"error": "bad_request", "message": "query:hub.mode: Field required",
                              "location": "query:hub.mode"}
    too_long = client.get("/webhooks/meta", params={"hub.mode": "s" * 100,
                                                    "hub.verify_token": "x", "hub.challenge": "1"})
    assert too_long.status_code == 400 and too_long.json()["location"] == "query:hub.mode"
    doc = client.get("/openapi.json").json()
    handshake = doc["paths"]["/webhooks/meta"]["get"]
    assert all(p["required"] for p in handshake["parameters"])
    assert "422" not in handshake["responses"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/webhooks/meta", "GET, OPTIONS, POST"), ("/webhooks/forms", "OPTIONS, POST"),
     ("/healthz", "GET, OPTIONS")],
)
def test_wrong_methods_list_every_allowed_method(client, path, allowed):
    options = client.options(path)
    assert options.status_code == 204 and options.headers["allow"] == allowed
    wrong = client.request("DELETE", path)
    assert wrong.status_code == 405 and wrong.headers["allow"] == allowed
    assert wrong.json()["error"] == "method_not_allowed"
    assert client.get("/nowhere").json()["error"] == "not_found"


def test_a_huge_header_or_query_does_not_reach_a_5xx(client):
    body = s.order_body(order_id=9005)
    headers = {**s.sign_shopify(body), "X-Shopify-Topic": "orders/create" + "x" * 300}
    answer = client.post("/webhooks/shopify", content=body, headers=headers)
    assert answer.status_code == 400 and answer.json()["location"] == "header:X-Shopify-Topic"
    answer = client.get("/webhooks/meta", params={"hub.mode": "subscribe",
                                                  "hub.verify_token": "t" * 600,
                                                  "hub.challenge": "1"})
    assert answer.status_code == 400


def test_every_refusal_leaves_the_counters_consistent(client, gateway, store_url):  # noqa: F811
    body = b"[" * 1000
    client.post("/webhooks/meta", content=body, headers=s.sign_meta(body))
    answer = client.post("/webhooks/meta", content=json.dumps({}).encode(),
                         headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    text = client.get("/metrics").text
    assert 'campaign_ops_gateway_deliveries_total{outcome="rejected",source="meta"} 2.0' in text
    assert metric(gateway.base_url, "campaign_ops_gateway_inbox_backlog") == 0
