"""The Conversions API surface of the Meta emulator: ``POST /{pixel_id}/events``.

Meta validates the whole request: one bad event refuses the batch (code 100 with a subcode
and a message naming the event index and field). Events are deduplicated by
(pixel, event_name, event_id) for 48 hours after the first one: a duplicate is received
(``events_received`` counts it) but counted once. ``received_events`` and
``counted_events`` expose both, so a test can see that re-running an upload counted nothing
twice. Events sent with ``test_event_code`` are logged but never counted.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from emulators.meta_ads.errors import GraphError

__all__ = ["DEDUP_WINDOW", "MAX_EVENTS", "CapiLog", "ReceivedEvent"]

MAX_EVENTS = 1000
MAX_AGE = timedelta(days=7)
DEDUP_WINDOW = timedelta(hours=48)
ACTION_SOURCES = frozenset({
    "email", "website", "app", "phone_call", "chat", "physical_store", "system_generated",
    "business_messaging", "other",
})
HASHED_KEYS = ("em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country", "external_id")
IDENTITY_KEYS = (*HASHED_KEYS, "fbc", "fbp", "client_ip_address", "client_user_agent")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_FBC = re.compile(r"^fb\.\d\.\d{10,13}\.\S+$")
# Subcodes (verify against Meta's error reference: only the code 100 is certain).
SUBCODE_BAD_TIME = 2804003
SUBCODE_BAD_PARAM = 2804019


@dataclass(frozen=True)
class ReceivedEvent:
    """One event as the emulator received it."""

    pixel_id: str
    event_name: str
    event_id: str | None
    event_time: int
    received_at: datetime
    counted: bool
    test_event_code: str | None
    user_data: dict[str, Any]
    custom_data: dict[str, Any] | None


def _bad(index: int, detail: str, subcode: int = SUBCODE_BAD_PARAM) -> GraphError:
    return GraphError(
        100, f"(#100) Invalid parameter: data[{index}].{detail}", subcode=subcode,
        type_="OAuthException",
    )


def _check_hashes(index: int, key: str, value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    for v in values:
        if not isinstance(v, str) or not _SHA256.match(v):
            raise _bad(index, f"user_data.{key} must be a SHA-256 hash (64 lowercase hex "
                              f"characters) of the normalised value")


def validate_event(index: int, event: Any, now: datetime) -> dict[str, Any]:
    """Check one event as Meta does; return it or raise the Graph error naming the field."""
    if not isinstance(event, dict):
        raise _bad(index, "event must be an object")
    name = event.get("event_name")
    if not isinstance(name, str) or not name:
        raise _bad(index, "event_name is required")
    when = event.get("event_time")
    if isinstance(when, bool) or not isinstance(when, int | str) or not str(when).isdigit():
        raise _bad(index, "event_time must be a unix timestamp in seconds", SUBCODE_BAD_TIME)
    seconds = int(when)
    now_s = int(now.timestamp())
    if seconds > now_s + 60:
        raise _bad(index, "event_time is in the future", SUBCODE_BAD_TIME)
    if now_s - seconds > MAX_AGE.total_seconds():
        raise _bad(index, "event_time is more than 7 days in the past", SUBCODE_BAD_TIME)
    source = event.get("action_source")
    if source not in ACTION_SOURCES:
        raise _bad(index, f"action_source must be one of {sorted(ACTION_SOURCES)}")
    user = event.get("user_data")
    if not isinstance(user, dict) or not any(user.get(k) for k in IDENTITY_KEYS):
        raise _bad(index, "user_data needs at least one customer information parameter")
    for key in HASHED_KEYS:
        if key in user:
            _check_hashes(index, key, user[key])
    if "fbc" in user and not (isinstance(user["fbc"], str) and _FBC.match(user["fbc"])):
        raise _bad(index, "user_data.fbc must look like fb.1.<ms timestamp>.<fbclid>")
    custom = event.get("custom_data")
    if custom is not None:
        if not isinstance(custom, dict):
            raise _bad(index, "custom_data must be an object")
        if "value" in custom:
            try:
                float(custom["value"])
            except (TypeError, ValueError):
                raise _bad(index, "custom_data.value must be a number") from None
            if not (isinstance(custom.get("currency"), str) and len(custom["currency"]) == 3):
                raise _bad(index, "custom_data.currency must be an ISO 4217 code with value")
    return event


class CapiLog:
    """Received and counted Conversions API events, deduplicated like Meta."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[ReceivedEvent] = []
        self._first_seen: dict[tuple[str, str, str], datetime] = {}

    @property
    def received_events(self) -> list[ReceivedEvent]:
        """Every event received, duplicates and test events included."""
        with self._lock:
            return list(self._events)

    @property
    def counted_events(self) -> list[ReceivedEvent]:
        """Events that count (first of each dedup key within 48 h; no test events)."""
        with self._lock:
            return [e for e in self._events if e.counted]

    def ingest(self, pixel_id: str, params: dict[str, str], now: datetime) -> dict[str, Any]:
        """Validate and log one request's events; return the Graph answer body."""
        raw = params.get("data")
        if raw is None:
            raise GraphError(100, "(#100) The parameter data is required")
        try:
            events = json.loads(raw)
        except ValueError:
            raise GraphError(100, "(#100) param data must be an array.") from None
        if not isinstance(events, list) or not events:
            raise GraphError(100, "(#100) param data must be a non-empty array.")
        if len(events) > MAX_EVENTS:
            raise GraphError(
                100, f"(#100) param data must be an array with at most {MAX_EVENTS} elements.",
                subcode=SUBCODE_BAD_PARAM,
            )
        checked = [validate_event(i, e, now) for i, e in enumerate(events)]
        test_code = params.get("test_event_code") or None
        with self._lock:
            for event in checked:
                self._events.append(self._record(pixel_id, event, now, test_code))
        seed = f"{pixel_id}{now.isoformat()}{len(self._events)}"
        trace = "A" + hashlib.sha1(seed.encode()).hexdigest()[:22]
        return {"events_received": len(checked), "messages": [], "fbtrace_id": trace}

    def _record(
        self, pixel_id: str, event: dict[str, Any], now: datetime, test_code: str | None
    ) -> ReceivedEvent:
        event_id = event.get("event_id")
        counted = test_code is None
        if counted and event_id:
            key = (pixel_id, str(event["event_name"]), str(event_id))
            first = self._first_seen.get(key)
            if first is not None and now - first <= DEDUP_WINDOW:
                counted = False
            else:
                self._first_seen[key] = now
        return ReceivedEvent(
            pixel_id=pixel_id,
            event_name=str(event["event_name"]),
            event_id=str(event_id) if event_id else None,
            event_time=int(event["event_time"]),
            received_at=now,
            counted=counted,
            test_event_code=test_code,
            user_data=dict(event["user_data"]),
            custom_data=event.get("custom_data"),
        )
