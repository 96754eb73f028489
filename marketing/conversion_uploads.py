"""Plan the upload of offline conversions (closed deals, store sales) to the ad platforms.

Pure: rows in, a plan out; no Prefect, no HTTP, no store. The plan names, per destination,
what goes (with the connector's event object ready to send), under which idempotency key
the ledger records it, and what cannot go and why.

Destinations:

- ``google_data_manager``: Google Ads conversion action through the Data Manager API
  (``events:ingest``); identified by gclid and/or hashed email and phone.
- ``meta_capi``: a Meta pixel through the Conversions API; identified by hashed email and
  phone and/or the fbclid (sent as ``fbc``).

Ids (the same every run, so the platforms deduplicate a re-send too):

- ``idempotency_key`` = sha256 hex of destination, newline, conversion id: the ledger's
  unique key, one per conversion and destination.
- ``event_id`` (Meta ``event_id``, Google ``transactionId``) = the conversion's native id,
  i.e. the unified ``'<platform>:<id>'`` without its ``'<platform>:'`` prefix (the deal or
  order number). That is the id a site puts in the pixel's ``eventID`` and the tag's
  ``transaction_id`` when the same conversion is also tracked on the web (Meta's advice:
  use the order number), so a server event and a browser event of one conversion collapse
  into one. Two different conversions from two sources sharing a native id would collide;
  within one plan the later is skipped with the reason, never sent silently under the
  other's id.

What is skipped, with a reason: kinds other than ``deal`` and ``store_sale`` (unless asked
for), no identifier the destination can use, a time in the future, older than the window
(Meta: 7 days of ``event_time``; Google: 90 days, the longest click-through window), a value
without a currency or below zero, and the second copy of one conversion reported by two
sources (same person, kind, day and value; as :mod:`marketing.stitching` counts them once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal, cast

from connectors.google_data_manager.formatting import google_email, google_phone
from connectors.google_data_manager.models import ConversionEvent
from connectors.meta_ads.conversions_api import CapiEvent, meta_email, meta_phone

__all__ = [
    "DESTINATIONS",
    "GOOGLE_MAX_AGE",
    "META_MAX_AGE",
    "OFFLINE_KINDS",
    "Destination",
    "OfflineConversion",
    "PlannedUpload",
    "SkippedUpload",
    "UploadPlan",
    "event_id_for",
    "idempotency_key",
    "plan_uploads",
]

Destination = Literal["google_data_manager", "meta_capi"]
DESTINATIONS: tuple[Destination, ...] = ("google_data_manager", "meta_capi")
OFFLINE_KINDS: frozenset[str] = frozenset({"deal", "store_sale"})
META_MAX_AGE = timedelta(days=7)
"""Meta refuses events whose ``event_time`` is more than 7 days old."""
GOOGLE_MAX_AGE = timedelta(days=90)
"""Google credits a conversion only inside the click-through window (at most 90 days)."""

_META_EVENT_NAMES = {"deal": "Purchase", "store_sale": "Purchase", "order": "Purchase",
                     "lead": "Lead"}
_META_ACTION_SOURCES = {"store_sale": "physical_store"}


@dataclass(frozen=True)
class OfflineConversion:
    """One conversion as the warehouse knows it, with the identifiers found for its person.

    Attributes:
        conversion_id: unified ``'<platform>:<native id>'``.
        kind: ``deal``, ``store_sale`` (offline), or another core kind.
        occurred_at: when it happened (timezone-aware).
        value: its value, if any.
        currency: ISO 4217 code of ``value``.
        gclid: a Google click id of the person or conversion.
        fbclid: a Meta click id of the person or conversion.
        fbclid_clicked_at: when the fbclid was first seen (the ``fbc`` time).
        email: the person's raw email.
        phone: the person's raw phone.
        person_key: the warehouse's person key (finds one conversion reported twice).

    """

    conversion_id: str
    kind: str
    occurred_at: datetime
    value: Decimal | None = None
    currency: str | None = None
    gclid: str | None = None
    fbclid: str | None = None
    fbclid_clicked_at: datetime | None = None
    email: str | None = None
    phone: str | None = None
    person_key: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise ValueError(f"{self.conversion_id}: occurred_at must be timezone-aware")
        if self.fbclid_clicked_at is not None and self.fbclid_clicked_at.utcoffset() is None:
            raise ValueError(f"{self.conversion_id}: fbclid_clicked_at must be timezone-aware")


@dataclass(frozen=True)
class PlannedUpload:
    """One conversion to send to one destination.

    Attributes:
        destination: ``google_data_manager`` or ``meta_capi``.
        conversion_id: the unified conversion id.
        idempotency_key: the ledger's key (deterministic from destination and conversion).
        event_id: Meta ``event_id`` / Google ``transactionId`` (the same every run).
        event: the connector's event object.

    """

    destination: Destination
    conversion_id: str
    idempotency_key: str
    event_id: str
    event: ConversionEvent | CapiEvent


@dataclass(frozen=True)
class SkippedUpload:
    """One conversion that will not go to one destination, and why."""

    destination: Destination
    conversion_id: str
    reason: str


@dataclass(frozen=True)
class UploadPlan:
    """What to send where, and what cannot go.

    Attributes:
        items: the uploads, per destination in the order given, then by time and id.
        skipped: the conversions not sent, with reasons.
        destinations: the destinations planned for.

    """

    items: tuple[PlannedUpload, ...] = ()
    skipped: tuple[SkippedUpload, ...] = ()
    destinations: tuple[Destination, ...] = field(default=DESTINATIONS)

    def for_destination(self, destination: str) -> list[PlannedUpload]:
        """Return the uploads of one destination."""
        return [item for item in self.items if item.destination == destination]

    def skipped_for(self, destination: str) -> list[SkippedUpload]:
        """Return the skips of one destination."""
        return [item for item in self.skipped if item.destination == destination]


def idempotency_key(destination: str, conversion_id: str) -> str:
    """Return the ledger key of one conversion at one destination (sha256 hex)."""
    return hashlib.sha256(f"{destination}\n{conversion_id}".encode()).hexdigest()


def event_id_for(conversion_id: str) -> str:
    """Return the platforms' dedup id of a conversion: its native id (see module docstring)."""
    _platform, sep, native = conversion_id.partition(":")
    return native.strip() if sep and native.strip() else conversion_id.strip()


def _common_reason(c: OfflineConversion, now: datetime) -> str | None:
    if c.occurred_at > now:
        return f"occurred_at {c.occurred_at.isoformat()} is in the future"
    if c.value is not None:
        if not c.currency or not c.currency.strip():
            return "value without a currency"
        if c.value < 0:
            return f"negative value {c.value}"
    return None


def _google(c: OfflineConversion, now: datetime, country: str | None) -> ConversionEvent | str:
    if now - c.occurred_at > GOOGLE_MAX_AGE:
        return (f"occurred {c.occurred_at.date().isoformat()}, older than Google's 90-day "
                "click-through window")
    gclid = c.gclid.strip() if c.gclid and c.gclid.strip() else None
    email = c.email if google_email(c.email) else None
    phone = c.phone if google_phone(c.phone, country) else None
    if gclid is None and email is None and phone is None:
        return "no identifier Google can use (gclid, email or phone)"
    return ConversionEvent(
        transaction_id=event_id_for(c.conversion_id), occurred_at=c.occurred_at, gclid=gclid,
        email=email, phone=phone, value=c.value,
        currency=c.currency.strip().upper() if c.currency else None,
    )


def _meta(c: OfflineConversion, now: datetime, country: str | None) -> CapiEvent | str:
    if now - c.occurred_at > META_MAX_AGE:
        return (f"occurred {c.occurred_at.date().isoformat()}, older than Meta's 7-day "
                "event_time window")
    fbclid = c.fbclid.strip() if c.fbclid and c.fbclid.strip() else None
    email = c.email if meta_email(c.email) else None
    phone = c.phone if meta_phone(c.phone, country) else None
    if fbclid is None and email is None and phone is None:
        return "no identifier Meta can use (email, phone or fbclid)"
    return CapiEvent(
        event_name=_META_EVENT_NAMES.get(c.kind, "Purchase"),
        event_time=c.occurred_at,
        event_id=event_id_for(c.conversion_id),
        email=email,
        phone=phone,
        fbclid=fbclid,
        clicked_at=c.fbclid_clicked_at if fbclid else None,
        value=c.value,
        currency=c.currency.strip().upper() if c.currency else None,
        action_source=_META_ACTION_SOURCES.get(c.kind, "system_generated"),
    )


def _person(c: OfflineConversion) -> str | None:
    if c.person_key:
        return c.person_key
    email = meta_email(c.email)
    return f"email:{email}" if email else None


def _duplicates(
    conversions: Sequence[OfflineConversion], prefer: Collection[str]
) -> dict[str, str]:
    """Map each second copy of one conversion to the copy kept (its conversion id)."""
    groups: dict[tuple[str, str, str, str], list[OfflineConversion]] = {}
    for c in conversions:
        person = _person(c)
        if person is None:
            continue
        day = c.occurred_at.date().isoformat()
        value = "" if c.value is None else str(Decimal(c.value).normalize())
        groups.setdefault((person, c.kind, day, value), []).append(c)
    copies: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        # Keep the copy already in the ledger (its ids went out before), else the earliest.
        members.sort(key=lambda c: (c.conversion_id not in prefer, c.occurred_at,
                                    c.conversion_id))
        for other in members[1:]:
            copies[other.conversion_id] = members[0].conversion_id
    return copies


def plan_uploads(
    conversions: Iterable[OfflineConversion],
    destinations: Sequence[str] = DESTINATIONS,
    *,
    now: datetime,
    kinds: Collection[str] = OFFLINE_KINDS,
    default_country_code: str | None = None,
    recorded: Collection[str] = (),
) -> UploadPlan:
    """Plan the upload of ``conversions`` to each destination.

    Args:
        conversions: the rows (any order; one conversion id appears once, later copies of
            the same id are ignored).
        destinations: ``google_data_manager`` and/or ``meta_capi``.
        now: the instant the platforms' windows are measured from (aware).
        kinds: the conversion kinds that go (default: the offline ones, deal and store_sale).
        default_country_code: country code for phones written without one.
        recorded: conversion ids already in the ledger: when one conversion was reported by
            two sources, the copy whose ids already went out is the one kept.

    Returns:
        The plan: uploads (with deterministic keys and ids) and skips with reasons.

    Raises:
        ValueError: an unknown destination or a naive ``now``.

    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    unknown = [d for d in destinations if d not in DESTINATIONS]
    if unknown:
        raise ValueError(f"unknown destination(s) {unknown}: use {', '.join(DESTINATIONS)}")
    wanted = cast(tuple[Destination, ...], tuple(dict.fromkeys(destinations)))
    unique: dict[str, OfflineConversion] = {}
    for c in conversions:
        unique.setdefault(c.conversion_id, c)
    rows = sorted(unique.values(), key=lambda c: (c.occurred_at, c.conversion_id))
    offline = [c for c in rows if c.kind in kinds]
    copies = _duplicates(offline, set(recorded))
    items: list[PlannedUpload] = []
    skipped: list[SkippedUpload] = []
    for destination in wanted:
        build = _google if destination == "google_data_manager" else _meta
        taken: dict[str, str] = {}
        for c in rows:
            reason: str | None = None
            if c.kind not in kinds:
                reason = f"kind {c.kind!r} is not uploaded (only {', '.join(sorted(kinds))})"
            elif c.conversion_id in copies:
                reason = (f"duplicate of {copies[c.conversion_id]} (same person, kind, day "
                          "and value from another source)")
            else:
                reason = _common_reason(c, now)
            if reason is None:
                event = build(c, now, default_country_code)
                if isinstance(event, str):
                    reason = event
                else:
                    event_id = event_id_for(c.conversion_id)
                    if event_id in taken:
                        reason = f"event id {event_id!r} is already {taken[event_id]}'s"
                    else:
                        taken[event_id] = c.conversion_id
                        items.append(PlannedUpload(
                            destination=destination, conversion_id=c.conversion_id,
                            idempotency_key=idempotency_key(destination, c.conversion_id),
                            event_id=event_id, event=event,
                        ))
                        continue
            skipped.append(SkippedUpload(destination, c.conversion_id, reason))
    return UploadPlan(items=tuple(items), skipped=tuple(skipped), destinations=wanted)
