"""``events:ingest`` validation and the idempotency log of the Data Manager emulator.

Google validates the whole request: any bad field refuses it with INVALID_ARGUMENT and one
field violation per problem (``events[3].eventTimestamp``...). Accepted events are logged;
an event whose (destination, transactionId) was already ingested is received but not
counted again, so ``received_events`` vs ``counted_events`` shows that re-running an upload
counted nothing twice. ``validateOnly`` requests are checked and never logged.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from emulators.google_data_manager import errors

__all__ = ["MAX_EVENTS", "IngestLog", "IngestedEvent"]

# IngestEventsRequest limits (developers.google.com/data-manager/api/limits).
MAX_EVENTS = 2000
MAX_IDENTIFIERS = 10
MAX_DESTINATIONS = 10
ACCOUNT_TYPES = frozenset({"GOOGLE_ADS", "DISPLAY_VIDEO_ADVERTISER", "DISPLAY_VIDEO_PARTNER",
                           "DATA_PARTNER", "GOOGLE_ANALYTICS_PROPERTY"})
CONSENT_VALUES = frozenset({"CONSENT_GRANTED", "CONSENT_DENIED", "CONSENT_STATUS_UNSPECIFIED"})
IDENTIFIER_KEYS = ("emailAddress", "phoneNumber")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class IngestedEvent:
    """One event as the emulator received it."""

    request_id: str
    account_id: str
    product_destination_id: str
    transaction_id: str | None
    event_timestamp: str
    conversion_value: float | None
    currency: str | None
    gclid: str | None
    identifiers: tuple[tuple[str, str], ...]
    consent: dict[str, str]
    counted: bool


def _check_destinations(body: dict[str, Any], bad: list[tuple[str, str]]) -> list[dict[str, Any]]:
    dests = body.get("destinations")
    if not isinstance(dests, list) or not dests:
        bad.append(("destinations", "At least one destination is required."))
        return []
    if len(dests) > MAX_DESTINATIONS:
        bad.append(("destinations", f"At most {MAX_DESTINATIONS} destinations per request."))
    for i, d in enumerate(dests):
        where = f"destinations[{i}]"
        acct = d.get("operatingAccount") if isinstance(d, dict) else None
        if not isinstance(acct, dict):
            bad.append((f"{where}.operatingAccount", "Required."))
            continue
        if acct.get("accountType") not in ACCOUNT_TYPES:
            bad.append((f"{where}.operatingAccount.accountType",
                        f"Must be one of {sorted(ACCOUNT_TYPES)}."))
        if not str(acct.get("accountId", "")).isdigit():
            bad.append((f"{where}.operatingAccount.accountId",
                        "Must be the account id, digits only (no dashes)."))
        if not str(d.get("productDestinationId", "")).isdigit():
            bad.append((f"{where}.productDestinationId",
                        "Must be the conversion action id (digits)."))
    return [d for d in dests if isinstance(d, dict)]


def _check_consent(where: str, consent: Any, bad: list[tuple[str, str]]) -> None:
    if consent is None:
        return
    if not isinstance(consent, dict):
        bad.append((where, "Must be an object."))
        return
    for key in ("adUserData", "adPersonalization"):
        if key in consent and consent[key] not in CONSENT_VALUES:
            bad.append((f"{where}.{key}", f"Must be one of {sorted(CONSENT_VALUES)}."))


def _check_event(i: int, e: Any, hexed: bool, now: datetime, bad: list[tuple[str, str]]) -> None:
    where = f"events[{i}]"
    if not isinstance(e, dict):
        bad.append((where, "Must be an object."))
        return
    stamp = e.get("eventTimestamp")
    if not isinstance(stamp, str) or not _RFC3339.match(stamp):
        bad.append((f"{where}.eventTimestamp", "Required, as an RFC 3339 timestamp."))
    elif datetime.fromisoformat(stamp.replace("Z", "+00:00")) > now:
        bad.append((f"{where}.eventTimestamp", "Must not be in the future."))
    if "conversionValue" in e:
        value = e["conversionValue"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            bad.append((f"{where}.conversionValue", "Must be a non-negative number."))
        if not (isinstance(e.get("currency"), str) and re.fullmatch(r"[A-Z]{3}", e["currency"])):
            bad.append((f"{where}.currency", "Required with conversionValue (ISO 4217)."))
    gclid = (e.get("adIdentifiers") or {}).get("gclid") if isinstance(
        e.get("adIdentifiers"), dict | None) else None
    ids = (e.get("userData") or {}).get("userIdentifiers") if isinstance(
        e.get("userData"), dict | None) else None
    if not gclid and not ids:
        bad.append((where, "Needs adIdentifiers.gclid or userData.userIdentifiers."))
    if isinstance(ids, list) and len(ids) > MAX_IDENTIFIERS:
        bad.append((f"{where}.userData.userIdentifiers",
                    f"At most {MAX_IDENTIFIERS} user identifiers per event."))
    for j, ident in enumerate(ids or []):
        spot = f"{where}.userData.userIdentifiers[{j}]"
        keys = [k for k in IDENTIFIER_KEYS if isinstance(ident, dict) and k in ident]
        if len(keys) != 1:
            bad.append((spot, "Exactly one of emailAddress, phoneNumber."))
            continue
        value = ident[keys[0]]
        if hexed and not (isinstance(value, str) and _HEX.match(value)):
            bad.append((f"{spot}.{keys[0]}",
                        "Must be the SHA-256 hash of the formatted value, hex encoded."))
    _check_consent(f"{where}.consent", e.get("consent"), bad)


class IngestLog:
    """Ingested events, deduplicated by (destination, transactionId)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[IngestedEvent] = []
        self._seen: set[tuple[str, str, str]] = set()
        self._requests = 0

    @property
    def received_events(self) -> list[IngestedEvent]:
        """Every event received (per destination), repeats included."""
        with self._lock:
            return list(self._events)

    @property
    def counted_events(self) -> list[IngestedEvent]:
        """Events counted as conversions (first of each transaction id per destination)."""
        with self._lock:
            return [e for e in self._events if e.counted]

    def ingest(self, body: Any, now: datetime) -> dict[str, Any]:
        """Validate and log one ``events:ingest`` request; return ``{"requestId": ...}``.

        Raises:
            RpcError: INVALID_ARGUMENT with every field violation found.

        """
        if not isinstance(body, dict):
            raise errors.invalid_argument([("", "The request body must be a JSON object.")])
        bad: list[tuple[str, str]] = []
        dests = _check_destinations(body, bad)
        events = body.get("events")
        encoding = body.get("encoding")
        if encoding not in (None, "HEX", "BASE64"):
            bad.append(("encoding", "Must be HEX or BASE64."))
        if not isinstance(events, list) or not events:
            bad.append(("events", "At least one event is required."))
            events = []
        elif len(events) > MAX_EVENTS:
            bad.append(("events", f"At most {MAX_EVENTS} events per request."))
        needs_encoding = any(isinstance(e, dict) and e.get("userData") for e in events)
        if needs_encoding and encoding is None:
            bad.append(("encoding", "Required when events carry userData."))
        for i, e in enumerate(events):
            _check_event(i, e, encoding == "HEX", now, bad)
        _check_consent("consent", body.get("consent"), bad)
        if bad:
            raise errors.invalid_argument(bad)
        with self._lock:
            self._requests += 1
            seed = f"{now.isoformat()}/{self._requests}"
            request_id = hashlib.sha1(seed.encode()).hexdigest()[:24]
            if body.get("validateOnly") is True:
                return {"requestId": request_id}
            for dest in dests:
                for e in events:
                    self._events.append(self._record(request_id, dest, e, body.get("consent")))
        return {"requestId": request_id}

    def _record(
        self, request_id: str, dest: dict[str, Any], e: dict[str, Any], consent: Any
    ) -> IngestedEvent:
        account = str(dest["operatingAccount"]["accountId"])
        product = str(dest["productDestinationId"])
        txn = e.get("transactionId")
        counted = True
        if txn:
            key = (account, product, str(txn))
            counted = key not in self._seen
            self._seen.add(key)
        ids = ((e.get("userData") or {}).get("userIdentifiers")) or []
        value = e.get("conversionValue")
        return IngestedEvent(
            request_id=request_id,
            account_id=account,
            product_destination_id=product,
            transaction_id=str(txn) if txn else None,
            event_timestamp=str(e["eventTimestamp"]),
            conversion_value=float(value) if value is not None else None,
            currency=e.get("currency"),
            gclid=(e.get("adIdentifiers") or {}).get("gclid"),
            identifiers=tuple((k, str(v)) for ident in ids for k, v in ident.items()),
            consent=dict(e.get("consent") or consent or {}),
            counted=counted,
        )
