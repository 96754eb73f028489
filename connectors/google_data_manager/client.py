"""GoogleDataManagerConnector: offline conversions to Google Ads via ``events:ingest``.

A write-only destination (not an extract source: it is not in the connector registry).
Identifiers are formatted per Google (see ``formatting``) and SHA-256 hex encoded; events
go in batches of at most 2,000. Google counts one conversion per (destination,
transactionId), so re-sending a batch after a failure counts nothing twice.

Sample error body (HTTP 400)::

    {"error": {"code": 400, "message": "Request contains an invalid argument.",
               "status": "INVALID_ARGUMENT", "details": [{"@type":
               "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field":
               "events[0].eventTimestamp", "description": "..."}]}]}}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors._base import ErrorAnswer
from connectors.auth import OAuth2RefreshTokenAuth, refresh_token_auth
from connectors.errors import ConfigurationError
from connectors.google_data_manager import settings as C
from connectors.google_data_manager.config import GoogleDataManagerSettings
from connectors.google_data_manager.formatting import google_email, google_phone, sha256_hex
from connectors.google_data_manager.models import (
    Consent,
    ConversionEvent,
    Destination,
    IngestRejected,
    IngestResult,
)
from connectors.google_rpc import read_rpc_error
from connectors.platform import PlatformConnector

__all__ = ["GoogleDataManagerConnector", "event_to_wire"]


def _consent(consent: Consent) -> dict[str, str]:
    def one(flag: bool | None) -> str:
        if flag is None:
            return "CONSENT_STATUS_UNSPECIFIED"
        return "CONSENT_GRANTED" if flag else "CONSENT_DENIED"

    return {"adUserData": one(consent.ad_user_data),
            "adPersonalization": one(consent.ad_personalization)}


def event_to_wire(
    event: ConversionEvent, now: datetime, default_country_code: str | None = None
) -> dict[str, Any]:
    """Return the wire form of one event (formatted, hashed identifiers).

    Raises:
        ValueError: no transaction id, a naive or future time, a value without currency, or
            no usable identifier.

    """
    if not event.transaction_id.strip():
        raise ValueError("transaction_id is required (it makes re-sends count once)")
    if event.occurred_at.utcoffset() is None:
        raise ValueError("occurred_at must be timezone-aware")
    if event.occurred_at > now:
        raise ValueError(f"occurred_at {event.occurred_at.isoformat()} is in the future")
    wire: dict[str, Any] = {
        "transactionId": event.transaction_id.strip(),
        "eventTimestamp": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    if event.gclid and event.gclid.strip():
        wire["adIdentifiers"] = {"gclid": event.gclid.strip()}
    identifiers: list[dict[str, str]] = []
    email = google_email(event.email)
    if email:
        identifiers.append({"emailAddress": sha256_hex(email)})
    phone = google_phone(event.phone, default_country_code)
    if phone:
        identifiers.append({"phoneNumber": sha256_hex(phone)})
    if identifiers:
        wire["userData"] = {"userIdentifiers": identifiers}
    if "adIdentifiers" not in wire and not identifiers:
        raise ValueError("no usable identifier (gclid, email or phone)")
    if event.value is not None:
        if not event.currency:
            raise ValueError("value needs a currency")
        wire["conversionValue"] = float(event.value)
        wire["currency"] = event.currency.upper()
    if event.consent is not None:
        wire["consent"] = _consent(event.consent)
    return wire


def _digits(account_id: str) -> str:
    value = account_id.replace("-", "").strip()
    if not value.isdigit():
        raise ConfigurationError(f"account id {account_id!r} is not a number")
    return value


class GoogleDataManagerConnector(PlatformConnector[GoogleDataManagerSettings]):
    """Sends offline conversions to Google Ads conversion actions (Data Manager API).

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    auth: OAuth2RefreshTokenAuth

    def make_auth(
        self, settings: GoogleDataManagerSettings, clock: Callable[[], float]
    ) -> OAuth2RefreshTokenAuth:
        """OAuth2 refresh-token auth (no developer token: Data Manager needs none)."""
        return refresh_token_auth(
            settings, token_url=settings.token_url, access_token=settings.access_token, clock=clock
        )

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send bodies as JSON."""
        return {"json": dict(data) if data is not None else None}

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read Google's RPC error; its field violations join the message."""
        status = response.status_code
        err = read_rpc_error(body, status)
        text = f"{err.status or 'HTTP ' + str(status)}: {err.message}"
        if err.violations:
            text += " [" + "; ".join(err.violations) + "]"
        return ErrorAnswer(
            text,
            failure=err.failure,
            expired=bool(set(err.reasons) & C.EXPIRED_TOKEN_REASONS),
            code=err.status or None,
        )

    def ingest_conversions(
        self,
        destination: Destination,
        events: Iterable[ConversionEvent],
        *,
        consent: Consent | None = None,
        validate_only: bool = False,
        default_country_code: str | None = None,
        batch_size: int = C.MAX_EVENTS_PER_REQUEST,
    ) -> IngestResult:
        """Send offline conversions to one conversion action, in batches.

        Args:
            destination: the Google Ads account and conversion action.
            events: the conversions, with raw identifiers.
            consent: request-level consent (events may carry their own).
            validate_only: have Google check the requests without ingesting anything.
            default_country_code: country code for phones written without one.
            batch_size: events per request (1..2,000).

        Returns:
            Events sent, Google's request ids, and events rejected locally with reasons.

        Raises:
            ConfigurationError: a bad account or conversion action id, or batch size.
            APIError: Google refused a batch (see ``connectors.errors``); earlier batches
                stay sent, and re-sending them counts nothing twice.

        """
        if not 1 <= batch_size <= C.MAX_EVENTS_PER_REQUEST:
            raise ConfigurationError(f"batch_size must be 1..{C.MAX_EVENTS_PER_REQUEST}")
        account = _digits(destination.account_id)
        target: dict[str, Any] = {
            "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": account},
            "productDestinationId": _digits(destination.conversion_action_id),
        }
        if destination.login_account_id:
            target["loginAccount"] = {"accountType": "GOOGLE_ADS",
                                      "accountId": _digits(destination.login_account_id)}
        now = self._clock().astimezone(UTC)
        result = IngestResult(validate_only=validate_only)
        wires: list[dict[str, Any]] = []
        for event in events:
            try:
                wires.append(event_to_wire(event, now, default_country_code))
            except ValueError as exc:
                result.rejected.append(IngestRejected(event.transaction_id, str(exc)))
        for start in range(0, len(wires), batch_size):
            batch = wires[start : start + batch_size]
            body: dict[str, Any] = {
                "destinations": [target], "events": batch, "encoding": "HEX",
                "validateOnly": validate_only,
            }
            if consent is not None:
                body["consent"] = _consent(consent)
            answer = self.request(
                "POST", C.INGEST_PATH, account=account, data=body, expect_key="requestId",
                idempotent=True,  # Google dedupes by transactionId: a resend counts once
            )
            result.requests += 1
            result.sent += len(batch)
            result.request_ids.append(str(answer.payload["requestId"]))
        return result
