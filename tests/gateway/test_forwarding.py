"""Deliveries reach a real Prefect server as events with derived ids, once, even when Prefect
was down when they arrived."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from gateway.events import LEAD_RECEIVED, event_id, resource_id
from store.schema import inbox
from tests.gateway import senders as s
from tests.gateway.conftest import inbox_rows, metric
from tests.gateway.relay import Relay, free_port

pytestmark = pytest.mark.xdist_group("prefect")

FAST = {"forward_interval_seconds": 0.2, "retry_initial_seconds": 0.2, "retry_max_seconds": 0.5}


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def read_events(api: str, **event_filter):
    answer = httpx.post(f"{api}/events/filter", json={"filter": event_filter, "limit": 50},
                        timeout=10)
    answer.raise_for_status()
    return answer.json()["events"]


def events_of(api: str, source: str, delivery_id: str):
    """Every event Prefect stored for one delivery: by its id, and by its resource."""
    by_resource = read_events(api, resource={"id": [resource_id(source, delivery_id)]})
    by_id = read_events(api, id={"id": [str(event_id(source, delivery_id))]})
    # Read in this order, an event persisted between the two reads is in by_id only.
    assert {e["id"] for e in by_resource} <= {e["id"] for e in by_id}
    return by_resource


def wait_forwarded(store_url: str, delivery_id: str, timeout: float = 30):
    def forwarded():
        rows = [r for r in inbox_rows(store_url) if r["delivery_id"] == delivery_id]
        return rows[0] if rows and rows[0]["forwarded_at"] is not None else None

    return wait_for(forwarded, timeout, f"delivery {delivery_id} to be forwarded")


def test_a_signed_form_becomes_exactly_one_prefect_event_with_the_derived_id(
    prefect_server, make_gateway, store_url
):
    server = make_gateway(prefect_api_url=prefect_server, **FAST)
    body = s.form_body(email="cleo.rossi@example.net")
    answer = httpx.post(f"{server.base_url}/webhooks/forms", content=body,
                        headers=s.sign_webform(body, msg_id="msg_prefect_1"))
    assert answer.status_code == 200, answer.text
    row = wait_forwarded(store_url, "msg_prefect_1")
    assert row["attempts"] == 1 and row["last_error"] is None
    [event] = wait_for(lambda: events_of(prefect_server, "webform", "msg_prefect_1"), 60,
                       "the event in Prefect")
    assert event["id"] == str(event_id("webform", "msg_prefect_1"))
    assert event["event"] == LEAD_RECEIVED
    assert event["resource"]["prefect.resource.id"] == "campaign-ops.webhook.webform.msg_prefect_1"
    assert event["resource"]["campaign-ops.source"] == "webform"
    assert event["payload"]["email"] == "cleo.rossi@example.net"
    assert event["payload"]["gclid"] == "Cj0KCQ-test-gclid"

    # A forwarder that crashed after posting but before recording it posts the row again:
    # Prefect keeps one event with that id.
    engine = sa.create_engine(store_url)
    with engine.begin() as con:
        con.execute(sa.update(inbox).values(forwarded_at=None))
    engine.dispose()
    assert wait_forwarded(store_url, "msg_prefect_1")["attempts"] == 2
    time.sleep(3)  # let the event persister flush whatever it received
    assert len(events_of(prefect_server, "webform", "msg_prefect_1")) == 1


def test_ten_concurrent_copies_of_a_delivery_make_one_row_and_one_event(
    prefect_server, make_gateway, store_url
):
    server = make_gateway(prefect_api_url=prefect_server, **FAST)
    body = s.meta_body("777000777")
    headers = s.sign_meta(body)
    barrier = threading.Barrier(10)

    def post(_):
        with httpx.Client(timeout=10) as c:
            barrier.wait()
            return c.post(f"{server.base_url}/webhooks/meta", content=body, headers=headers)

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(post, range(10)))
    assert [a.status_code for a in answers] == [200] * 10
    assert sorted(a.json()["status"] for a in answers) == ["accepted"] + ["duplicate"] * 9
    assert len(inbox_rows(store_url)) == 1
    wait_forwarded(store_url, "777000777")
    wait_for(lambda: events_of(prefect_server, "meta", "777000777"), 60, "the event")
    time.sleep(3)
    [event] = events_of(prefect_server, "meta", "777000777")
    assert event["payload"]["meta_leadgen_id"] == "777000777"


def test_deliveries_wait_in_the_inbox_while_prefect_is_down_and_go_when_it_is_back(
    prefect_server, make_gateway, store_url
):
    port = free_port()  # nothing listens here yet: "Prefect is down"
    api = urlsplit(prefect_server)
    server = make_gateway(prefect_api_url=f"http://127.0.0.1:{port}{api.path}", **FAST)
    bodies = {f"msg_down_{i}": s.form_body(email=f"p{i}@example.com") for i in range(3)}
    for msg_id, body in bodies.items():
        answer = httpx.post(f"{server.base_url}/webhooks/forms", content=body,
                            headers=s.sign_webform(body, msg_id=msg_id))
        assert answer.status_code == 200 and answer.json()["status"] == "accepted"

    def retried():
        rows = inbox_rows(store_url)
        return rows if all(r["attempts"] >= 2 for r in rows) else None

    rows = wait_for(retried, 30, "failed forwarding attempts")
    assert all(r["forwarded_at"] is None for r in rows)
    assert all("ConnectError" in (r["last_error"] or "") for r in rows)
    assert metric(server.base_url, "campaign_ops_gateway_inbox_backlog") == 3
    # Why forwarding fails stays in the inbox and the log, not on the open /healthz.
    assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
    assert read_events(prefect_server, id={"id": [str(event_id("webform", m)) for m in bodies]}) \
        == []

    with Relay(port, (api.hostname, api.port)):  # Prefect is back at the configured address
        for msg_id in bodies:
            wait_forwarded(store_url, msg_id)
        found = wait_for(
            lambda: len(read_events(
                prefect_server, id={"id": [str(event_id("webform", m)) for m in bodies]})) == 3,
            60, "three events in Prefect")
        assert found
    assert metric(server.base_url, "campaign_ops_gateway_inbox_backlog") == 0
    metrics = httpx.get(f"{server.base_url}/metrics").text
    assert 'campaign_ops_gateway_forward_attempts_total{outcome="failed"}' in metrics
    assert "campaign_ops_gateway_forward_latency_seconds_count 3.0" in metrics
