"""The gateway over loopback HTTP: what each sender gets back and what lands in the inbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from gateway.events import (
    CRM_SEGMENT_CHANGED,
    LEAD_RECEIVED,
    OFFLINE_CONVERSIONS_RECEIVED,
    event_id,
)
from store.schema import inbox, schema_info
from tests.gateway import senders as s
from tests.gateway.conftest import inbox_rows, metric

SECRETS = (
    s.HUBSPOT_SECRET, s.META_SECRET, s.SHOPIFY_SECRET, s.WEBFORM_SECRET, s.META_VERIFY_TOKEN,
    s.WEBFORM_SECRET.removeprefix("whsec_"),
)


def assert_leaks_nothing(response: httpx.Response, *signatures: str) -> None:
    for secret in (*SECRETS, *signatures):
        assert secret not in response.text


def test_a_web_form_lead_is_stored_with_its_fields_before_the_answer(client, store_url):
    body = s.form_body()
    headers = s.sign_webform(body, msg_id="msg_form_1")
    answer = client.post("/webhooks/forms", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "status": "accepted",
        "deliveries": [{
            "delivery_id": "msg_form_1",
            "event": LEAD_RECEIVED,
            "event_id": str(event_id("webform", "msg_form_1")),
            "status": "accepted",
        }],
        "ignored": 0,
    }
    [row] = inbox_rows(store_url)
    assert (row["source"], row["delivery_id"], row["topic"], row["event_name"]) == (
        "webform", "msg_form_1", "form.submitted", LEAD_RECEIVED)
    assert row["body"] == body.decode()
    assert row["forwarded_at"] is None
    payload = row["payload"]
    assert payload["email"] == "ada.meyer@example.com"
    assert (payload["first_name"], payload["last_name"], payload["phone"]) == (
        "Ada", "Meyer", "+4930123456")
    assert payload["consent"] is True
    assert (payload["utm_source"], payload["utm_medium"], payload["utm_campaign"]) == (
        "google", "cpc", "brand")
    assert payload["gclid"] == "Cj0KCQ-test-gclid"
    assert payload["ga_client_id"] == "1234567890.1700000000"
    assert payload["occurred_at"] == "2026-11-26T09:59:00+00:00"
    assert payload["source"] == "webform" and payload["delivery_id"] == "msg_form_1"


def test_a_repeated_delivery_is_answered_200_duplicate_and_stored_once(client, store_url):
    body = s.form_body()
    headers = s.sign_webform(body, msg_id="msg_dup")
    first = client.post("/webhooks/forms", content=body, headers=headers)
    second = client.post("/webhooks/forms", content=body, headers=headers)
    assert (first.status_code, first.json()["status"]) == (200, "accepted")
    assert (second.status_code, second.json()["status"]) == (200, "duplicate")
    assert second.json()["deliveries"][0]["status"] == "duplicate"
    assert len(inbox_rows(store_url)) == 1


def test_a_hubspot_batch_becomes_one_row_per_mapped_event(client, gateway, store_url):
    body = s.hubspot_body(
        s.hubspot_event(101),
        s.hubspot_event(102, subscriptionType="contact.propertyChange",
                        propertyName="lifecyclestage", propertyValue="customer", objectId=5002),
        s.hubspot_event(103, subscriptionType="deal.propertyChange", propertyName="dealstage",
                        propertyValue="closedwon", objectId=9001),
        s.hubspot_event(104, subscriptionType="company.creation"),
        s.hubspot_event(105, subscriptionType="contact.propertyChange",
                        propertyName="firstname", propertyValue="Ada"),
    )
    uri = f"{gateway.base_url}/webhooks/hubspot?app=campaign-ops"
    answer = client.post("/webhooks/hubspot?app=campaign-ops", content=body,
                         headers=s.sign_hubspot(body, uri))
    assert answer.status_code == 200, answer.text
    assert answer.json()["ignored"] == 2
    rows = {r["delivery_id"]: r for r in inbox_rows(store_url)}
    assert set(rows) == {"62515-101", "62515-102", "62515-103"}
    assert rows["62515-101"]["event_name"] == LEAD_RECEIVED
    assert rows["62515-101"]["payload"]["hubspot_contact_id"] == "5001"
    assert rows["62515-101"]["payload"]["occurred_at"] == "2025-11-26T09:40:00+00:00"
    assert rows["62515-102"]["event_name"] == CRM_SEGMENT_CHANGED
    assert rows["62515-102"]["payload"]["property_value"] == "customer"
    assert rows["62515-103"]["event_name"] == OFFLINE_CONVERSIONS_RECEIVED
    assert rows["62515-103"]["payload"]["kind"] == "crm_deal"
    assert rows["62515-103"]["payload"]["hubspot_deal_id"] == "9001"


def test_hubspot_behind_a_proxy_verifies_against_the_public_url(make_gateway, store_url):
    server = make_gateway(public_base_url="https://hooks.example.com")
    body = s.hubspot_body(s.hubspot_event())
    public = "https://hooks.example.com/webhooks/hubspot"
    with httpx.Client(base_url=server.base_url) as c:
        local = c.post("/webhooks/hubspot", content=body,
                       headers=s.sign_hubspot(body, f"{server.base_url}/webhooks/hubspot"))
        proxied = c.post("/webhooks/hubspot", content=body, headers=s.sign_hubspot(body, public))
    assert local.status_code == 401 and local.json()["error"] == "bad_signature"
    assert proxied.status_code == 200


def test_a_meta_lead_names_the_lead_form_and_ad(client, store_url):
    body = s.meta_body("555000111")
    answer = client.post("/webhooks/meta", content=body, headers=s.sign_meta(body))
    assert answer.status_code == 200, answer.text
    [row] = inbox_rows(store_url)
    assert (row["source"], row["delivery_id"], row["event_name"]) == (
        "meta", "555000111", LEAD_RECEIVED)
    p = row["payload"]
    assert (p["meta_leadgen_id"], p["meta_form_id"], p["meta_ad_id"], p["meta_page_id"]) == (
        "555000111", "987654321", "23850000000000001", "123456789")
    assert p["email"] is None  # the Graph API has the person, not the webhook


def test_meta_changes_other_than_leadgen_are_ignored(client, store_url):
    body = s.dumps({"object": "page", "entry": [{"id": "1", "changes": [
        {"field": "feed", "value": {"item": "post"}}]}]})
    answer = client.post("/webhooks/meta", content=body, headers=s.sign_meta(body))
    assert answer.json() == {"status": "ignored", "deliveries": [], "ignored": 1}
    assert inbox_rows(store_url) == []


def test_meta_handshake_echoes_the_challenge_only_with_our_token(client):
    params = {"hub.mode": "subscribe", "hub.verify_token": s.META_VERIFY_TOKEN,
              "hub.challenge": "1158201444"}
    ok = client.get("/webhooks/meta", params=params)
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = client.get("/webhooks/meta", params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "verify_token_mismatch"
    assert_leaks_nothing(wrong)
    mode = client.get("/webhooks/meta", params={**params, "hub.mode": "unsubscribe"})
    assert mode.status_code == 400 and mode.json()["location"] == "query:hub.mode"


def test_a_shopify_order_is_an_offline_conversion_with_its_click_id(client, store_url):
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    body = s.order_body(created_at=created.isoformat())
    headers = s.sign_shopify(body, event_id="evt-order-1")
    answer = client.post("/webhooks/shopify", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    [row] = inbox_rows(store_url)
    # The delivery is the order of the signed body, not the unsigned event id header.
    assert (row["delivery_id"], row["topic"], row["event_name"]) == (
        "orders/create:820982911946154508", "orders/create", OFFLINE_CONVERSIONS_RECEIVED)
    p = row["payload"]
    assert (p["kind"], p["conversion_id"], p["value"], p["currency"]) == (
        "order", "820982911946154508", "199.00", "EUR")
    assert (p["fbclid"], p["utm_source"], p["email"]) == (
        "IwAR-test", "facebook", "jon.okafor@example.org")
    assert p["occurred_at"] == created.isoformat()
    assert p["shop_domain"] == "demo-shop.myshopify.com"
    # Shopify sends one event to two subscriptions: the same event id is one row.
    again = client.post("/webhooks/shopify", content=body,
                        headers=s.sign_shopify(body, event_id="evt-order-1"))
    assert again.json()["status"] == "duplicate"
    other_topic = client.post("/webhooks/shopify", content=body,
                              headers=s.sign_shopify(body, topic="products/update"))
    assert other_topic.json()["status"] == "ignored"
    assert len(inbox_rows(store_url)) == 1


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/webhooks/forms", lambda b, g: s.sign_webform(b, secret=s.WRONG_WEBFORM_SECRET)),
        ("/webhooks/meta", lambda b, g: s.sign_meta(b, secret="nope")),
        ("/webhooks/shopify", lambda b, g: s.sign_shopify(b, secret="nope")),
        ("/webhooks/hubspot", lambda b, g: s.sign_hubspot(b, g + "/webhooks/hubspot",
                                                            secret="nope")),
    ],
)
def test_a_wrong_signature_is_401_stores_nothing_and_leaks_nothing(
    client, gateway, store_url, path, headers
):
    body = s.form_body()
    sent = headers(body, gateway.base_url)
    answer = client.post(path, content=body, headers=sent)
    assert answer.status_code == 401
    assert answer.json()["error"] == "bad_signature"
    assert set(answer.json()) == {"error", "message", "location"}
    # Neither our secrets, nor the signature sent, nor the one we expected.
    good = {"/webhooks/forms": lambda: s.sign_webform(body)["webhook-signature"],
            "/webhooks/meta": lambda: s.sign_meta(body)["X-Hub-Signature-256"],
            "/webhooks/shopify": lambda: s.sign_shopify(body)["X-Shopify-Hmac-Sha256"],
            "/webhooks/hubspot": lambda: "x"}[path]()
    assert_leaks_nothing(answer, *[v for k, v in sent.items() if "ig" in k.lower()], good)
    assert inbox_rows(store_url) == []


def test_a_stale_web_form_is_refused(client, store_url):
    body = s.form_body()
    old = datetime.now(UTC) - timedelta(minutes=10)
    answer = client.post("/webhooks/forms", content=body, headers=s.sign_webform(body, at=old))
    assert answer.status_code == 401 and answer.json()["error"] == "stale_timestamp"
    assert answer.json()["location"] == "header:webhook-timestamp"


def test_an_oversized_body_is_413_whether_declared_or_chunked(make_gateway, store_url):
    server = make_gateway(max_body_bytes=4096)
    big = s.form_body(page_url="https://example.com/" + "x" * 5000)
    headers = s.sign_webform(big)
    sent_chunks = []

    def chunks():
        for i in range(0, len(big), 512):
            sent_chunks.append(i)
            yield big[i:i + 512]

    with httpx.Client(base_url=server.base_url) as c:
        declared = c.post("/webhooks/forms", content=big, headers=headers)
        chunked = c.post("/webhooks/forms", content=chunks(), headers=headers)
    assert declared.status_code == 413 and declared.json()["error"] == "body_too_large"
    assert chunked.status_code == 413 and chunked.json()["error"] == "body_too_large"
    assert inbox_rows(store_url) == []


def test_a_chunked_body_under_the_limit_is_accepted(client, store_url):
    body = s.form_body()
    headers = s.sign_webform(body)
    answer = client.post("/webhooks/forms", content=iter([body[:10], body[10:]]), headers=headers)
    assert answer.status_code == 200, answer.text
    assert len(inbox_rows(store_url)) == 1


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (b"{not json", "body"),
        (b"\xff\xfe", "body"),
        (s.dumps({"type": "form.submitted", "data": {"first_name": "Ada"}}), "body.data.email"),
        (s.dumps({"type": "form.submitted", "data": {"email": "not-an-email"}}),
         "body.data.email"),
        (s.dumps({"type": "form.submitted", "data": {"email": "a@example.com",
                                                      "consent": "maybe"}}), "body.data.consent"),
        (s.dumps({"data": {}}), "body.type"),
    ],
)
def test_a_signed_but_invalid_form_is_422_naming_the_field(client, store_url, body, location):
    headers = s.sign_webform_bytes(body)
    answer = client.post("/webhooks/forms", content=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_payload"
    assert answer.json()["location"] == location
    assert "not-an-email" not in answer.text and "maybe" not in answer.text
    assert inbox_rows(store_url) == []


def test_a_hubspot_batch_with_one_bad_event_is_refused_whole(client, gateway, store_url):
    body = s.hubspot_body(s.hubspot_event(1), {"eventId": 2, "portalId": 62515})
    answer = client.post("/webhooks/hubspot", content=body,
                         headers=s.sign_hubspot(body, f"{gateway.base_url}/webhooks/hubspot"))
    assert answer.status_code == 422
    assert answer.json()["location"] == "body[1].objectId"
    assert inbox_rows(store_url) == []


def test_a_source_without_secrets_is_503_so_senders_retry(make_gateway):
    server = make_gateway(shopify_secrets=())
    body = s.order_body()
    with httpx.Client(base_url=server.base_url) as c:
        answer = c.post("/webhooks/shopify", content=body, headers=s.sign_shopify(body))
    assert answer.status_code == 503 and answer.json()["error"] == "source_not_configured"


def test_health_says_ok_or_503_when_the_store_is_gone_and_nothing_more(client, store_url):
    body = s.form_body()
    client.post("/webhooks/forms", content=body, headers=s.sign_webform(body))
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    engine = sa.create_engine(store_url)
    with engine.begin() as con:
        inbox.drop(con)
        schema_info.drop(con)
    engine.dispose()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.json() == {"status": "unavailable"}
    refused = client.post("/webhooks/forms", content=body, headers=s.sign_webform(body))
    assert refused.status_code == 503 and refused.json()["error"] == "store_unavailable"
    assert "sqlite" not in refused.text


def test_metrics_count_outcomes_signature_failures_and_the_backlog(client, gateway):
    body = s.form_body()
    headers = s.sign_webform(body)
    client.post("/webhooks/forms", content=body, headers=headers)
    client.post("/webhooks/forms", content=body, headers=headers)
    client.post("/webhooks/forms", content=body, headers=s.sign_webform(
        body, secret=s.WRONG_WEBFORM_SECRET))
    client.post("/webhooks/meta", content=b"{}", headers={"content-type": "application/json"})
    text = client.get("/metrics").text
    lines = dict(
        line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    deliveries = "campaign_ops_gateway_deliveries_total"
    failures = "campaign_ops_gateway_signature_failures_total"
    for outcome in ("accepted", "duplicate", "rejected"):
        assert float(lines[f'{deliveries}{{outcome="{outcome}",source="webform"}}']) == 1
    assert float(lines[f'{failures}{{reason="bad_signature",source="webform"}}']) == 1
    assert float(lines[f'{failures}{{reason="missing_header",source="meta"}}']) == 1
    assert float(lines["campaign_ops_gateway_inbox_backlog"]) == 1
    assert "campaign_ops_gateway_forward_latency_seconds_bucket" in text


def test_openapi_documents_every_endpoint_its_body_and_its_headers(client):
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    assert set(paths) == {"/webhooks/hubspot", "/webhooks/meta", "/webhooks/shopify",
                          "/webhooks/forms", "/healthz", "/metrics"}
    schemas = doc["components"]["schemas"]
    forms = paths["/webhooks/forms"]["post"]
    assert forms["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "type", "data"]
    assert {p["name"] for p in forms["parameters"]} == {
        "webhook-id", "webhook-timestamp", "webhook-signature"}
    hub = paths["/webhooks/hubspot"]["post"]["requestBody"]["content"]["application/json"]
    assert hub["schema"]["type"] == "array"
    assert "subscriptionType" in schemas["HubSpotEvent"]["required"]
    assert {"200", "401", "413", "422", "503"} <= set(paths["/webhooks/shopify"]["post"][
        "responses"])
    assert paths["/webhooks/meta"]["get"]["parameters"][0]["name"] == "hub.mode"
    assert client.get("/docs").status_code == 200


def test_the_inbox_keeps_the_exact_signed_body(client, store_url):
    body = json.dumps({"type": "form.submitted", "data": {"email": "zoë@example.com"}},
                      ensure_ascii=False).encode()
    answer = client.post("/webhooks/forms", content=body, headers=s.sign_webform(body))
    assert answer.status_code == 200, answer.text
    [row] = inbox_rows(store_url)
    assert row["body"].encode() == body
    assert row["payload"]["email"] == "zoë@example.com"


@pytest.mark.postgres
def test_the_inbox_can_live_in_postgresql(make_gateway):
    from tests.store.pg import throwaway_database

    with throwaway_database("campaign_ops_gateway") as url:
        server = make_gateway(store_url=url)
        body = s.form_body()
        headers = s.sign_webform(body, msg_id="msg_pg")
        with httpx.Client(base_url=server.base_url) as c:
            first = c.post("/webhooks/forms", content=body, headers=headers)
            again = c.post("/webhooks/forms", content=body, headers=headers)
            backlog = metric(server.base_url, "campaign_ops_gateway_inbox_backlog")
        server.stop()
        assert first.json()["status"] == "accepted" and again.json()["status"] == "duplicate"
        assert backlog == 1
        [row] = inbox_rows(url)
        assert row["delivery_id"] == "msg_pg" and row["payload"]["email"] == "ada.meyer@example.com"
