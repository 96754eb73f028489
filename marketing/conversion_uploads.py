"""Plan the upload of offline conversions (closed deals, store sales) to the ad platforms.

Pure: rows in, a plan out; no Prefect, no HTTP, no store, no connector. The plan names, per
destination, what goes (a neutral :class:`PlannedUpload`: the conversion's plain fields, with
the identifiers that destination can use), under which idempotency key the ledger records
it, and what cannot go and why. What a destination accepts comes in as its rules
(:class:`DestinationRules`: any object with those attributes; each connector declares its
own, ``connectors.conversion_destinations.DestinationRules``), so nothing here names a
platform's API.

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
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from marketing.identity import InvalidIdentifier, normalize_email

__all__ = [
    "OFFLINE_KINDS",
    "DestinationRules",
    "OfflineConversion",
    "PlannedUpload",
    "SkippedUpload",
    "UploadPlan",
    "event_id_for",
    "idempotency_key",
    "plan_uploads",
]

OFFLINE_KINDS: frozenset[str] = frozenset({"deal", "store_sale"})


class DestinationRules(Protocol):
    """What the planner needs to know of one destination: plain values and two formatters.

    ``connectors.conversion_destinations.DestinationRules`` has this shape; each destination
    declares its own (``RULES`` beside its connector).
    """

    @property
    def name(self) -> str:
        """The destination's name in the ledger."""
        ...

    @property
    def title(self) -> str:
        """The platform as reasons name it."""
        ...

    @property
    def max_event_age(self) -> timedelta:
        """The oldest conversion it takes."""
        ...

    @property
    def age_window(self) -> str:
        """What that age limit is called."""
        ...

    @property
    def click_id(self) -> str:
        """The click id type it identifies clicks by."""
        ...

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The identifiers it can use, in the order reasons name them."""
        ...

    @property
    def email(self) -> Callable[[str | None], str | None]:
        """The platform's email formatting (None: unusable)."""
        ...

    @property
    def phone(self) -> Callable[[str | None, str | None], str | None]:
        """The platform's phone formatting (None: unusable)."""
        ...


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
    """One conversion to send to one destination, in plain fields.

    Attributes:
        destination: the destination's name (``google_data_manager``, ``meta_capi``).
        conversion_id: the unified conversion id.
        idempotency_key: the ledger's key (deterministic from destination and conversion).
        event_id: Meta ``event_id`` / Google ``transactionId`` (the same every run).
        kind: the conversion's kind (``deal``, ``store_sale``...).
        occurred_at: when it happened (timezone-aware).
        value: its value, if any.
        currency: upper-case ISO 4217 code of ``value``.
        email: the raw email, when the destination can use it.
        phone: the raw phone, when the destination can use it.
        click_id: the click id of the destination's type (gclid, fbclid), if any.
        clicked_at: when that click happened, if known.

    """

    destination: str
    conversion_id: str
    idempotency_key: str
    event_id: str
    kind: str
    occurred_at: datetime
    value: Decimal | None = None
    currency: str | None = None
    email: str | None = None
    phone: str | None = None
    click_id: str | None = None
    clicked_at: datetime | None = None


@dataclass(frozen=True)
class SkippedUpload:
    """One conversion that will not go to one destination, and why."""

    destination: str
    conversion_id: str
    reason: str


@dataclass(frozen=True)
class UploadPlan:
    """What to send where, and what cannot go.

    Attributes:
        items: the uploads, per destination in the order given, then by time and id.
        skipped: the conversions not sent, with reasons.
        destinations: the destinations planned for (their names).

    """

    items: tuple[PlannedUpload, ...] = ()
    skipped: tuple[SkippedUpload, ...] = ()
    destinations: tuple[str, ...] = ()

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


def _click(c: OfflineConversion, click_id: str) -> tuple[str | None, datetime | None]:
    """Return the conversion's click id of one type, stripped, and its click time."""
    if click_id == "gclid":
        value, clicked_at = c.gclid, None
    elif click_id == "fbclid":
        value, clicked_at = c.fbclid, c.fbclid_clicked_at
    else:
        raise ValueError(f"unknown click id type {click_id!r} (gclid or fbclid)")
    if value is None or not value.strip():
        return None, None
    return value.strip(), clicked_at


def _listing(names: Sequence[str]) -> str:
    return names[0] if len(names) < 2 else f"{', '.join(names[:-1])} or {names[-1]}"


def _build(
    rules: DestinationRules, c: OfflineConversion, now: datetime, country: str | None
) -> PlannedUpload | str:
    """Return the upload of ``c`` to one destination, or why it cannot go there."""
    if now - c.occurred_at > rules.max_event_age:
        return (f"occurred {c.occurred_at.date().isoformat()}, older than {rules.title}'s "
                f"{rules.max_event_age.days}-day {rules.age_window}")
    click_id, clicked_at = _click(c, rules.click_id)
    email = c.email if rules.email(c.email) else None
    phone = c.phone if rules.phone(c.phone, country) else None
    if click_id is None and email is None and phone is None:
        return f"no identifier {rules.title} can use ({_listing(rules.identifiers)})"
    return PlannedUpload(
        destination=rules.name, conversion_id=c.conversion_id,
        idempotency_key=idempotency_key(rules.name, c.conversion_id),
        event_id=event_id_for(c.conversion_id), kind=c.kind, occurred_at=c.occurred_at,
        value=c.value, currency=c.currency.strip().upper() if c.currency else None,
        email=email, phone=phone, click_id=click_id, clicked_at=clicked_at,
    )


def _person(c: OfflineConversion) -> str | None:
    if c.person_key:
        return c.person_key
    if c.email is None:
        return None
    try:
        return f"email:{normalize_email(c.email)}"
    except InvalidIdentifier:
        return None


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
    destinations: Sequence[DestinationRules],
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
        destinations: each destination's rules (its name, age limit and identifiers).
        now: the instant the platforms' windows are measured from (aware).
        kinds: the conversion kinds that go (default: the offline ones, deal and store_sale).
        default_country_code: country code for phones written without one.
        recorded: conversion ids already in the ledger: when one conversion was reported by
            two sources, the copy whose ids already went out is the one kept.

    Returns:
        The plan: uploads (with deterministic keys and ids) and skips with reasons.

    Raises:
        ValueError: two destinations of one name, a click id type other than gclid and
            fbclid, or a naive ``now``.

    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    wanted = {rules.name: rules for rules in destinations}
    names = [rules.name for rules in destinations]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"destination(s) given twice: {', '.join(twice)}")
    unique: dict[str, OfflineConversion] = {}
    for c in conversions:
        unique.setdefault(c.conversion_id, c)
    rows = sorted(unique.values(), key=lambda c: (c.occurred_at, c.conversion_id))
    offline = [c for c in rows if c.kind in kinds]
    copies = _duplicates(offline, set(recorded))
    items: list[PlannedUpload] = []
    skipped: list[SkippedUpload] = []
    for name, rules in wanted.items():
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
                upload = _build(rules, c, now, default_country_code)
                if isinstance(upload, str):
                    reason = upload
                elif upload.event_id in taken:
                    reason = f"event id {upload.event_id!r} is already {taken[upload.event_id]}'s"
                else:
                    taken[upload.event_id] = c.conversion_id
                    items.append(upload)
                    continue
            skipped.append(SkippedUpload(name, c.conversion_id, reason))
    return UploadPlan(items=tuple(items), skipped=tuple(skipped), destinations=tuple(wanted))
