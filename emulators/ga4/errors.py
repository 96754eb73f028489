"""GA4 Data and Admin API errors as the emulator raises and renders them.

Handlers raise :class:`Ga4Error`; the emulator renders Google's JSON error body (the
``google.rpc.Status`` mapping every Google REST API uses)::

    {"error": {"code": 400, "status": "INVALID_ARGUMENT",
               "message": "Field sessionSorce is not a valid dimension. ..."}}

An expired access token carries a ``google.rpc.ErrorInfo`` detail with reason
``ACCESS_TOKEN_EXPIRED``, as Google's front end sends it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUS_CODES = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
PROPERTY_ID_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/property-id"
QUOTA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/quotas"


@dataclass
class Ga4Error(Exception):
    """A Google error answer (``status`` is the RPC status name)."""

    status: str
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        """HTTP status of the RPC status."""
        return STATUS_CODES[self.status]

    def body(self) -> dict[str, Any]:
        """Render the REST error body."""
        error: dict[str, Any] = {
            "code": self.http_status,
            "message": self.message,
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str) -> Ga4Error:
    """400 INVALID_ARGUMENT."""
    return Ga4Error("INVALID_ARGUMENT", message)


def unknown_field(kind: str, name: str) -> Ga4Error:
    """400 for a dimension or metric name the property does not know."""
    return invalid(
        f"Field {name} is not a valid {kind}. For a list of valid dimensions and metrics, "
        f"see {SCHEMA_URL}"
    )


def unknown_json_name(name: str) -> Ga4Error:
    """400 for a request body field the API does not define (proto JSON parsing)."""
    return invalid(f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.')


def unsupported(feature: str) -> Ga4Error:
    """400 for a real API feature this emulator does not implement (said plainly)."""
    return invalid(
        f"{feature} is not supported by the campaign-ops GA4 emulator (the real API accepts "
        "it); remove it from the request"
    )


def no_property_access(property_id: str) -> Ga4Error:
    """403 for a property the credentials cannot read (or that does not exist)."""
    return Ga4Error(
        "PERMISSION_DENIED",
        f"User does not have sufficient permissions for this property (properties/"
        f"{property_id}). To learn more about Property ID, see {PROPERTY_ID_URL}.",
    )


def unauthenticated(reason: str = "CREDENTIALS_MISSING") -> Ga4Error:
    """401 for a missing, invalid or expired access token."""
    return Ga4Error(
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "analyticsdata.googleapis.com"},
            }
        ],
    )


def quota_exhausted(which: str) -> Ga4Error:
    """429 RESOURCE_EXHAUSTED for an exhausted property quota (``which``: e.g. per day)."""
    return Ga4Error(
        "RESOURCE_EXHAUSTED",
        f"Exhausted property {which} quota. These quota tokens will return once the window "
        f"passes. To learn more, see {QUOTA_URL}.",
    )


def not_found(path: str) -> Ga4Error:
    """404 for a URL the API does not serve."""
    return Ga4Error("NOT_FOUND", f"The requested URL {path} was not found on this server.")


def server_error(status: str) -> Ga4Error:
    """500 INTERNAL or 503 UNAVAILABLE."""
    text = {
        "INTERNAL": "Internal error encountered.",
        "UNAVAILABLE": "The service is currently unavailable.",
    }[status]
    return Ga4Error(status, text)
