"""The gateway's exception tree: every refusal has a status, a stable code and a message.

::

    GatewayError                       (status, code, message, location)
    ├── RequestRejected          4xx   the sender's request will never be accepted as is
    │   ├── SignatureError       401   the request is not provably from the sender
    │   │   ├── MissingHeader          a signature/timestamp header is absent
    │   │   ├── MalformedHeader        a header is present but unparsable
    │   │   ├── SignatureMismatch      no configured secret produced the signature
    │   │   ├── StaleRequest           the signed timestamp is older than the tolerance
    │   │   └── FutureRequest          the signed timestamp is ahead of the tolerance
    │   ├── AdminTokenRequired   401   /metrics or the docs without the admin bearer token
    │   ├── VerifyTokenMismatch  403   Meta's subscription handshake used another token
    │   ├── UnknownShop          403   a Shopify delivery names a shop not configured
    │   ├── BodyTooLarge         413   the body exceeds the configured limit
    │   ├── UnsupportedMediaType 415   the body is not declared as UTF-8 JSON
    │   └── InvalidPayload       422   verified, but not the JSON the source documents (too
    │                                  deep, numbers too long, fields too large included)
    └── SourceNotConfigured      503   no secret configured for this source (operator fix;
                                       senders retry 5xx, so nothing is lost meanwhile)

Messages name headers and JSON locations, never secrets, expected signatures or the values
the sender sent: ``error_body`` is the only thing a sender ever sees.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

__all__ = [
    "AdminTokenRequired",
    "BodyTooLarge",
    "ErrorBody",
    "FutureRequest",
    "GatewayError",
    "InvalidPayload",
    "MalformedHeader",
    "MissingHeader",
    "RequestRejected",
    "SignatureError",
    "SignatureMismatch",
    "SourceNotConfigured",
    "StaleRequest",
    "UnknownShop",
    "UnsupportedMediaType",
    "VerifyTokenMismatch",
]


class ErrorBody(BaseModel):
    """The JSON body of every refusal."""

    error: str
    message: str
    location: str | None = None


class GatewayError(Exception):
    """Root of the gateway's refusals."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "gateway_error"

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def error_body(self) -> ErrorBody:
        """Return what the sender is told."""
        return ErrorBody(error=self.code, message=self.message, location=self.location)


class RequestRejected(GatewayError):
    """The request will never be accepted as sent (4xx: senders should not retry it)."""

    status = 400
    code = "bad_request"


class SignatureError(RequestRejected):
    """The request does not prove it comes from the sender."""

    status = 401
    code = "signature_invalid"


class MissingHeader(SignatureError):
    """A header the signature scheme needs is absent."""

    code = "missing_header"


class MalformedHeader(SignatureError):
    """A signature or timestamp header cannot be parsed."""

    code = "malformed_header"


class SignatureMismatch(SignatureError):
    """No configured secret produces the signature sent."""

    code = "bad_signature"


class StaleRequest(SignatureError):
    """The signed timestamp is older than the tolerance (a replay or a very late retry)."""

    code = "stale_timestamp"


class FutureRequest(SignatureError):
    """The signed timestamp lies further in the future than clock skew explains."""

    code = "future_timestamp"


class VerifyTokenMismatch(RequestRejected):
    """Meta's verification handshake carried a token we did not configure."""

    status = 403
    code = "verify_token_mismatch"


class AdminTokenRequired(RequestRejected):
    """An operations route (``/metrics``, the docs) was called without the admin token."""

    status = 401
    code = "admin_token_required"


class UnknownShop(RequestRejected):
    """A Shopify delivery names a shop domain that is not among the configured shops."""

    status = 403
    code = "unknown_shop"


class UnsupportedMediaType(RequestRejected):
    """The request does not declare a UTF-8 JSON body (``Content-Type: application/json``)."""

    status = 415
    code = "unsupported_media_type"


class BodyTooLarge(RequestRejected):
    """The request body is larger than ``GatewaySettings.max_body_bytes``."""

    status = 413
    code = "body_too_large"


class InvalidPayload(RequestRejected):
    """The signature holds but the body is not what the source documents."""

    status = 422
    code = "invalid_payload"


class SourceNotConfigured(GatewayError):
    """No secret is configured for this source, so nothing it sends can be verified."""

    status = 503
    code = "source_not_configured"
