"""Signature checks of every sender, as pure functions of the request and a clock.

Each ``verify_*`` function returns nothing when the request is authentic and raises a
``gateway.errors.SignatureError`` subclass otherwise. Common rules:

* digests are compared with ``hmac.compare_digest`` on bytes, against every configured
  secret (rotation) without stopping at the first match;
* timestamps are refused when older than the tolerance (replay) *and* when further ahead
  than it (a forged or skewed clock), and a non-numeric or absurd value is malformed;
* errors name the header at fault, never a secret or the expected value.

Schemes: HubSpot v3 (``verify_hubspot_v3``), Meta ``X-Hub-Signature-256``
(``verify_meta``), Shopify ``X-Shopify-Hmac-Sha256`` (``verify_shopify``) and Standard
Webhooks for our web forms (``verify_standard_webhook``).

Standard Webhooks are verified here rather than with the installed ``standardwebhooks``
package, which is used by the tests as the reference *signer* instead: its ``verify`` has a
fixed 5-minute tolerance and reads the wall clock (no injectable clock), takes one secret per
object (rotation means re-hashing the body per secret object), decodes the body as UTF-8
(``UnicodeDecodeError`` on other bytes) and lets ``ValueError``/``binascii.Error`` escape on
malformed signature headers, which would surface as 500s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from gateway.errors import (
    FutureRequest,
    MalformedHeader,
    MissingHeader,
    SignatureMismatch,
    StaleRequest,
)

__all__ = [
    "HUBSPOT_SIGNATURE",
    "HUBSPOT_TIMESTAMP",
    "META_SIGNATURE",
    "SHOPIFY_HMAC",
    "SHOPIFY_TRIGGERED_AT",
    "WEBHOOK_ID",
    "WEBHOOK_SIGNATURE",
    "WEBHOOK_TIMESTAMP",
    "hubspot_v3_uri",
    "verify_hubspot_v3",
    "verify_meta",
    "verify_shopify",
    "verify_standard_webhook",
]

HUBSPOT_SIGNATURE = "X-HubSpot-Signature-v3"
HUBSPOT_TIMESTAMP = "X-HubSpot-Request-Timestamp"
META_SIGNATURE = "X-Hub-Signature-256"
SHOPIFY_HMAC = "X-Shopify-Hmac-Sha256"
SHOPIFY_TRIGGERED_AT = "X-Shopify-Triggered-At"
WEBHOOK_ID = "webhook-id"
WEBHOOK_TIMESTAMP = "webhook-timestamp"
WEBHOOK_SIGNATURE = "webhook-signature"

_MAX_HEADER = 4096
_DIGEST_BYTES = 32
_MAX_SIGNATURES = 16
# HubSpot decodes these percent-escapes in the URI before signing (its v3 documentation).
_HUBSPOT_DECODE = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}
_HUBSPOT_DECODE_RE = re.compile("|".join(_HUBSPOT_DECODE), re.IGNORECASE)
_WEBHOOK_ID_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
_DIGITS_RE = re.compile(r"^[0-9]{1,16}$")
_ISO_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$"
)


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _matches(keys: Iterable[bytes], message: bytes, candidates: Sequence[bytes]) -> bool:
    # Every key against every candidate, no early exit: the time taken does not say which
    # secret (or whether an earlier one) matched.
    found = False
    for key in keys:
        digest = _hmac(key, message)
        for candidate in candidates:
            found |= hmac.compare_digest(digest, candidate)
    return found


def _header(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise MissingHeader(f"the {name} header is missing", location=f"header:{name}")
    if len(value) > _MAX_HEADER:
        raise MalformedHeader(f"the {name} header is too long", location=f"header:{name}")
    return value.strip()


def _b64_digest(value: str, name: str) -> bytes:
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedHeader(
            f"the {name} header is not base64", location=f"header:{name}"
        ) from None
    if len(digest) != _DIGEST_BYTES:
        raise MalformedHeader(
            f"the {name} header is not a SHA-256 digest", location=f"header:{name}"
        )
    return digest


def _check_window(
    sent: datetime, now: datetime, *, past: timedelta, future: timedelta, name: str
) -> None:
    if sent < now - past:
        raise StaleRequest(
            f"the {name} timestamp is older than {int(past.total_seconds())} s",
            location=f"header:{name}",
        )
    if sent > now + future:
        raise FutureRequest(
            f"the {name} timestamp is more than {int(future.total_seconds())} s ahead",
            location=f"header:{name}",
        )


def _epoch(value: float, name: str) -> datetime:
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedHeader(
            f"the {name} header is not a valid time", location=f"header:{name}"
        ) from None


def hubspot_v3_uri(base: str, raw_path: str, query: str) -> str:
    """Return the URI HubSpot signs: scheme, host, path and query.

    The escapes HubSpot lists (``%3A``, ``%2F``, ``%3F``, ``%40``, ``%21``, ``%24``,
    ``%27``, ``%28``, ``%29``, ``%2A``, ``%2C``, ``%3B``) are decoded.

    Args:
        base: ``scheme://host[:port]`` as the sender called it.
        raw_path: the request path as sent (still percent-encoded).
        query: the raw query string, without ``?`` (empty when none).

    """
    uri = base.rstrip("/") + raw_path + (f"?{query}" if query else "")
    return _HUBSPOT_DECODE_RE.sub(lambda m: _HUBSPOT_DECODE[m.group(0).upper()], uri)


def verify_hubspot_v3(
    secrets: Sequence[bytes],
    *,
    method: str,
    uri: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    tolerance: timedelta,
) -> None:
    """Verify a HubSpot v3 signature.

    ``X-HubSpot-Signature-v3`` is ``base64(HMAC-SHA256(client secret, method + uri + body +
    timestamp))`` and ``X-HubSpot-Request-Timestamp`` is epoch *milliseconds*.

    Args:
        secrets: the app client secrets (UTF-8 bytes), old and new during a rotation.
        method: HTTP method as sent (``POST``).
        uri: the full URI from ``hubspot_v3_uri``.
        body: the raw body.
        signature: the signature header value (None when absent).
        timestamp: the timestamp header value (None when absent).
        now: the current time (aware).
        tolerance: accepted age, and accepted lead into the future.

    """
    signature = _header(signature, HUBSPOT_SIGNATURE)
    timestamp = _header(timestamp, HUBSPOT_TIMESTAMP)
    if not _DIGITS_RE.match(timestamp):
        raise MalformedHeader(
            f"the {HUBSPOT_TIMESTAMP} header is not epoch milliseconds",
            location=f"header:{HUBSPOT_TIMESTAMP}",
        )
    sent = _epoch(int(timestamp) / 1000, HUBSPOT_TIMESTAMP)
    digest = _b64_digest(signature, HUBSPOT_SIGNATURE)
    _check_window(sent, now, past=tolerance, future=tolerance, name=HUBSPOT_TIMESTAMP)
    message = method.upper().encode() + uri.encode() + body + timestamp.encode()
    if not _matches(secrets, message, [digest]):
        raise SignatureMismatch(
            f"the {HUBSPOT_SIGNATURE} signature does not match any configured client secret",
            location=f"header:{HUBSPOT_SIGNATURE}",
        )


def verify_meta(secrets: Sequence[bytes], *, body: bytes, signature: str | None) -> None:
    """Verify Meta's ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>``.

    Meta signs no timestamp: replays are stopped by the inbox (one row per leadgen id).
    """
    signature = _header(signature, META_SIGNATURE)
    prefix, _, hex_digest = signature.partition("=")
    if prefix.lower() != "sha256" or not re.fullmatch(r"[0-9a-fA-F]{64}", hex_digest):
        raise MalformedHeader(
            f"the {META_SIGNATURE} header is not 'sha256=<64 hex digits>'",
            location=f"header:{META_SIGNATURE}",
        )
    if not _matches(secrets, body, [bytes.fromhex(hex_digest)]):
        raise SignatureMismatch(
            f"the {META_SIGNATURE} signature does not match any configured app secret",
            location=f"header:{META_SIGNATURE}",
        )


def _shopify_time(value: str) -> datetime:
    # Shopify sends nanoseconds ("2026-03-29T18:00:27.877041743Z"); datetime keeps micro.
    match = _ISO_RE.match(value)
    if match is None:
        raise MalformedHeader(
            f"the {SHOPIFY_TRIGGERED_AT} header is not an ISO 8601 time",
            location=f"header:{SHOPIFY_TRIGGERED_AT}",
        )
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock}"
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")
    text += "+00:00" if zone in (None, "Z") else zone
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        raise MalformedHeader(
            f"the {SHOPIFY_TRIGGERED_AT} header is not a valid time",
            location=f"header:{SHOPIFY_TRIGGERED_AT}",
        ) from None


def verify_shopify(
    secrets: Sequence[bytes],
    *,
    body: bytes,
    signature: str | None,
    triggered_at: str | None,
    now: datetime,
    max_age: timedelta,
    tolerance: timedelta,
) -> None:
    """Verify ``X-Shopify-Hmac-Sha256: base64(HMAC-SHA256(client secret, body))``.

    ``X-Shopify-Triggered-At`` (not signed by Shopify) must be within ``max_age`` in the past
    and ``tolerance`` in the future.
    """
    signature = _header(signature, SHOPIFY_HMAC)
    triggered = _shopify_time(_header(triggered_at, SHOPIFY_TRIGGERED_AT))
    digest = _b64_digest(signature, SHOPIFY_HMAC)
    _check_window(triggered, now, past=max_age, future=tolerance, name=SHOPIFY_TRIGGERED_AT)
    if not _matches(secrets, body, [digest]):
        raise SignatureMismatch(
            f"the {SHOPIFY_HMAC} signature does not match any configured secret",
            location=f"header:{SHOPIFY_HMAC}",
        )


def verify_standard_webhook(
    keys: Sequence[bytes],
    *,
    body: bytes,
    webhook_id: str | None,
    timestamp: str | None,
    signature: str | None,
    now: datetime,
    tolerance: timedelta,
) -> None:
    """Verify a Standard Webhooks delivery (``webhook-id``, ``-timestamp``, ``-signature``).

    The signed content is ``<id>.<timestamp>.<body>``; the signature header holds one or more
    space-separated ``v1,<base64>`` entries (several during a sender's key rotation). Entries
    of other versions (``v1a`` asymmetric) are ignored; at least one ``v1`` must parse.

    Args:
        keys: HMAC keys decoded from the ``whsec_`` secrets.
        body: the raw body.
        webhook_id: the message id (also the dedupe key).
        timestamp: epoch seconds.
        signature: the signature header.
        now: the current time (aware).
        tolerance: accepted age, and accepted lead into the future.

    """
    webhook_id = _header(webhook_id, WEBHOOK_ID)
    timestamp = _header(timestamp, WEBHOOK_TIMESTAMP)
    signature = _header(signature, WEBHOOK_SIGNATURE)
    if not _WEBHOOK_ID_RE.match(webhook_id):
        raise MalformedHeader(
            f"the {WEBHOOK_ID} header must be 1-255 printable ASCII characters",
            location=f"header:{WEBHOOK_ID}",
        )
    if not _DIGITS_RE.match(timestamp):
        raise MalformedHeader(
            f"the {WEBHOOK_TIMESTAMP} header is not epoch seconds",
            location=f"header:{WEBHOOK_TIMESTAMP}",
        )
    sent = _epoch(int(timestamp), WEBHOOK_TIMESTAMP)
    candidates: list[bytes] = []
    for entry in signature.split()[:_MAX_SIGNATURES]:
        version, comma, value = entry.partition(",")
        if version != "v1" or not comma:
            continue
        try:
            candidates.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not candidates:
        raise MalformedHeader(
            f"the {WEBHOOK_SIGNATURE} header holds no 'v1,<base64>' signature",
            location=f"header:{WEBHOOK_SIGNATURE}",
        )
    _check_window(sent, now, past=tolerance, future=tolerance, name=WEBHOOK_TIMESTAMP)
    message = f"{webhook_id}.{timestamp}.".encode() + body
    if not _matches(keys, message, candidates):
        raise SignatureMismatch(
            f"the {WEBHOOK_SIGNATURE} header holds no signature matching a configured secret",
            location=f"header:{WEBHOOK_SIGNATURE}",
        )
