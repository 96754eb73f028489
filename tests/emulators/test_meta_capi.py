"""The Meta emulator's Conversions API: wire format, validation and 48-hour deduplication."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import httpx

from emulators.meta_ads import MetaAdsEmulator

from .conftest import MovableClock

V = "/v26.0"
PIXEL = "123456789012345"
EM = hashlib.sha256(b"ada@example.com").hexdigest()


def event(clock: MovableClock, event_id: str = "o-1", **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_name": "Purchase",
        "event_time": int(clock.now.timestamp()) - 3600,
        "event_id": event_id,
        "action_source": "system_generated",
        "user_data": {"em": [EM]},
        "custom_data": {"value": 120.5, "currency": "EUR"},
    }
    return {**base, **over}


def post(client: httpx.Client, events: list[dict[str, Any]], **form: str) -> httpx.Response:
    return client.post(f"{V}/{PIXEL}/events", data={"data": json.dumps(events), **form})


def test_events_are_received_and_logged(client, emulator: MetaAdsEmulator, clock):
    r = post(client, [event(clock, "o-1"), event(clock, "o-2")])
    body = r.json()
    assert r.status_code == 200
    assert body["events_received"] == 2 and body["messages"] == []
    assert body["fbtrace_id"].startswith("A")
    assert [e.event_id for e in emulator.capi.counted_events] == ["o-1", "o-2"]
    assert emulator.capi.received_events[0].user_data == {"em": [EM]}


def test_json_body_is_accepted_like_form(client, emulator, clock):
    r = client.post(f"{V}/{PIXEL}/events", json={"data": [event(clock)]})
    assert r.json()["events_received"] == 1 and len(emulator.capi.counted_events) == 1


def test_a_duplicate_is_received_but_counted_once_within_48h(client, emulator, clock):
    post(client, [event(clock, "o-1")])
    clock.now += timedelta(hours=47)
    again = post(client, [event(clock, "o-1", event_time=int(clock.now.timestamp()) - 60)])
    assert again.json()["events_received"] == 1
    assert len(emulator.capi.received_events) == 2
    assert len(emulator.capi.counted_events) == 1
    other_name = post(client, [event(clock, "o-1", event_name="Lead")])
    assert other_name.status_code == 200 and len(emulator.capi.counted_events) == 2


def test_after_48h_the_same_event_id_counts_again(client, emulator, clock):
    post(client, [event(clock, "o-1")])
    clock.now += timedelta(hours=49)
    post(client, [event(clock, "o-1")])
    assert len(emulator.capi.counted_events) == 2


def test_test_events_are_logged_but_not_counted(client, emulator, clock):
    r = post(client, [event(clock)], test_event_code="TEST123")
    assert r.json()["events_received"] == 1
    (logged,) = emulator.capi.received_events
    assert logged.test_event_code == "TEST123" and emulator.capi.counted_events == []


def error_of(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code == 400
    err: dict[str, Any] = r.json()["error"]
    assert err["code"] == 100 and err["fbtrace_id"]
    return err


def test_unhashed_email_refuses_the_batch_naming_the_field(client, emulator, clock):
    bad = event(clock, "o-2", user_data={"em": ["ada@example.com"]})
    err = error_of(post(client, [event(clock, "o-1"), bad]))
    assert "data[1].user_data.em" in err["message"] and "SHA-256" in err["message"]
    assert emulator.capi.received_events == []  # the whole batch is refused


def test_old_or_future_event_time_is_refused(client, clock):
    old = int((clock.now - timedelta(days=7, minutes=1)).timestamp())
    err = error_of(post(client, [event(clock, event_time=old)]))
    assert "data[0].event_time" in err["message"] and "7 days" in err["message"]
    future = int((clock.now + timedelta(hours=1)).timestamp())
    assert "future" in error_of(post(client, [event(clock, event_time=future)]))["message"]


def test_more_than_1000_events_are_refused(client, emulator, clock):
    err = error_of(post(client, [event(clock, f"o-{i}") for i in range(1001)]))
    assert "1000" in err["message"] and emulator.capi.received_events == []


def test_missing_data_bad_fbc_and_no_identifier(client, clock):
    assert "data is required" in error_of(client.post(f"{V}/{PIXEL}/events"))["message"]
    fbc = event(clock, user_data={"fbc": "fbclid-only"})
    assert "user_data.fbc" in error_of(post(client, [fbc]))["message"]
    nobody = event(clock, user_data={})
    assert "customer information" in error_of(post(client, [nobody]))["message"]


def test_bad_token_is_190(emulator, clock):
    with httpx.Client(transport=emulator.transport(), base_url="https://graph.facebook.com",
                      headers={"Authorization": "Bearer nope"}) as bad:
        r = post(bad, [event(clock)])
    assert r.status_code in (400, 401) and r.json()["error"]["code"] == 190
    assert emulator.capi.received_events == []
