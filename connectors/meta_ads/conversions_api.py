"""Meta Conversions API: send offline conversions to a pixel (``POST /{pixel_id}/events``).

Identifiers are normalised and SHA-256 hashed per Meta's rules before they leave the
process: email trimmed and lowercased (no gmail rule: that is Google's), phone digits only
with the country code, no ``+`` and no leading zeros. A click id becomes
``fbc = fb.1.<click time ms>.<fbclid>``. Events are sent in batches of at most 1,000; an
event that cannot be sent (too old, in the future, no identifier) is set aside with the
reason and never sent, so nothing is lost silently.

Sample answer::

    {"events_received": 2, "messages": [], "fbtrace_id": "A1b2..."}
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.errors import ConfigurationError
from connectors.meta_ads.config import MetaAdsSettings
from connectors.platform import PlatformConnector

__all__ = [
    "MAX_EVENTS_PER_REQUEST",
    "MAX_EVENT_AGE",
    "CapiEvent",
    "CapiRejected",
    "CapiResult",
    "fbc_from_fbclid",
    "meta_email",
    "meta_phone",
    "send_events",
    "sha256_hex",
]

MAX_EVENTS_PER_REQUEST = 1000
MAX_EVENT_AGE = timedelta(days=7)
_DIGITS = re.compile(r"\d+")


def sha256_hex(value: str) -> str:
    """Return the lowercase hex SHA-256 of ``value`` (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def meta_email(raw: str | None) -> str | None:
    """Normalise an email per Meta: NFC, trim (any Unicode space), lowercase; None if invalid."""
    if raw is None:
        return None
    value = unicodedata.normalize("NFC", raw).strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or "@" in domain or any(c.isspace() for c in value):
        return None
    return value


def meta_phone(raw: str | None, default_country_code: str | None = None) -> str | None:
    """Normalise a phone per Meta: digits with the country code, no ``+``, no leading zeros.

    A number written with ``+`` or ``00`` is international; otherwise the national trunk
    zero is dropped and ``default_country_code`` prepended (without one the digits are taken
    as already international). None when fewer than 8 or more than 15 digits remain.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    digits = "".join(_DIGITS.findall(text))
    if text.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif default_country_code:
        digits = default_country_code.lstrip("+0") + digits.lstrip("0")
    digits = digits.lstrip("0")
    return digits if 8 <= len(digits) <= 15 else None


def fbc_from_fbclid(fbclid: str, clicked_at: datetime) -> str:
    """Build the ``fbc`` parameter from a click id: ``fb.1.<click time in ms>.<fbclid>``."""
    return f"fb.1.{int(clicked_at.timestamp() * 1000)}.{fbclid}"


@dataclass(frozen=True)
class CapiEvent:
    """One conversion to send, with raw (unhashed) identifiers.

    Attributes:
        event_name: a standard or custom event name (``Purchase``, ``Lead``...).
        event_time: when the conversion happened (timezone-aware).
        event_id: the deduplication id (same as the pixel's ``eventID`` for web events).
        email: raw email, hashed here.
        phone: raw phone, normalised (with ``default_country_code``) and hashed here.
        fbclid: the click id, sent as ``fbc``.
        clicked_at: when the click happened (``fbc`` time; defaults to ``event_time``).
        value: conversion value.
        currency: ISO 4217 code of ``value``.
        action_source: ``system_generated``, ``physical_store``, ``website``...

    """

    event_name: str
    event_time: datetime
    event_id: str
    email: str | None = None
    phone: str | None = None
    fbclid: str | None = None
    clicked_at: datetime | None = None
    value: Decimal | None = None
    currency: str | None = None
    action_source: str = "system_generated"


@dataclass(frozen=True)
class CapiRejected:
    """An event not sent, and why."""

    event_id: str
    reason: str


@dataclass
class CapiResult:
    """What a send did: events sent and received by Meta, rejects, one trace id per request."""

    sent: int = 0
    received: int = 0
    requests: int = 0
    rejected: list[CapiRejected] = field(default_factory=list)
    fbtrace_ids: list[str] = field(default_factory=list)
    messages: list[Any] = field(default_factory=list)


def to_wire(
    event: CapiEvent, now: datetime, default_country_code: str | None = None
) -> dict[str, Any]:
    """Return the wire form of one event (hashed identifiers).

    Raises:
        ValueError: the event is too old, in the future, or carries no usable identifier.

    """
    if event.event_time.utcoffset() is None:
        raise ValueError("event_time must be timezone-aware")
    if event.event_time > now:
        raise ValueError(f"event_time {event.event_time.isoformat()} is in the future")
    if now - event.event_time > MAX_EVENT_AGE:
        raise ValueError(f"event_time {event.event_time.isoformat()} is older than 7 days")
    user: dict[str, Any] = {}
    email = meta_email(event.email)
    if email:
        user["em"] = [sha256_hex(email)]
    phone = meta_phone(event.phone, default_country_code)
    if phone:
        user["ph"] = [sha256_hex(phone)]
    if event.fbclid:
        user["fbc"] = fbc_from_fbclid(event.fbclid.strip(), event.clicked_at or event.event_time)
    if not user:
        raise ValueError("no usable identifier (email, phone or fbclid)")
    wire: dict[str, Any] = {
        "event_name": event.event_name,
        "event_time": int(event.event_time.timestamp()),
        "event_id": event.event_id,
        "action_source": event.action_source,
        "user_data": user,
    }
    if event.value is not None:
        if not event.currency:
            raise ValueError("value needs a currency")
        wire["custom_data"] = {"value": float(event.value), "currency": event.currency.upper()}
    return wire


def _batches(items: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def send_events(
    connector: PlatformConnector[MetaAdsSettings],
    pixel_id: str,
    events: Iterable[CapiEvent],
    *,
    test_event_code: str | None = None,
    default_country_code: str | None = None,
    batch_size: int = MAX_EVENTS_PER_REQUEST,
) -> CapiResult:
    """Send conversions to a pixel in batches of at most 1,000 events.

    Args:
        connector: the Meta connector (token, retries, call log); typed by its base, so
            this module does not import the client that imports it.
        pixel_id: the dataset (pixel) id.
        events: the conversions, with raw identifiers.
        test_event_code: route the events to Events Manager's Test Events tool.
        default_country_code: country code for phones written without one.
        batch_size: events per request (1..1000).

    Returns:
        Counts sent and received, events rejected locally with reasons, trace ids.

    Raises:
        ConfigurationError: a bad pixel id or batch size.
        APIError: Meta refused a batch (see ``connectors.errors``); earlier batches stay sent.

    """
    if not str(pixel_id).isdigit():
        raise ConfigurationError(f"pixel id {pixel_id!r} is not a number")
    if not 1 <= batch_size <= MAX_EVENTS_PER_REQUEST:
        raise ConfigurationError(f"batch_size must be 1..{MAX_EVENTS_PER_REQUEST}")
    now = connector._clock().astimezone(UTC)
    result = CapiResult()
    wires: list[dict[str, Any]] = []
    for event in events:
        try:
            wires.append(to_wire(event, now, default_country_code))
        except ValueError as exc:
            result.rejected.append(CapiRejected(event.event_id, str(exc)))
    path = f"/{connector.settings.api_version}/{pixel_id}/events"
    for batch in _batches(wires, batch_size):
        form = {"data": json.dumps(list(batch), separators=(",", ":"))}
        if test_event_code:
            form["test_event_code"] = test_event_code
        answer = connector.request(
            "POST", path, account=None, data=form, expect_key="events_received",
            idempotent=True,  # Meta deduplicates by event_id: a resend counts once
        )
        payload = answer.payload
        result.requests += 1
        result.sent += len(batch)
        result.received += int(payload["events_received"])
        result.fbtrace_ids.append(str(payload.get("fbtrace_id", "")))
        result.messages.extend(payload.get("messages") or [])
    return result
