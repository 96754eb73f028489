"""Google Ads API errors as the emulator raises and renders them.

Handlers raise :class:`AdsError`; the emulator renders Google's REST error body::

    {"error": {
        "code": 400, "message": "...", "status": "INVALID_ARGUMENT",
        "details": [{
            "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
            "errors": [{"errorCode": {"queryError": "UNRECOGNIZED_FIELD"},
                        "message": "...", "location": {...}, "details": {...}}],
            "requestId": "..."}]}}

Errors raised before the Ads layer (unknown URL, front-end throttling) have no
``GoogleAdsFailure`` detail, like Google's front end.
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
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
}


@dataclass
class AdsErrorEntry(Exception):
    """One ``GoogleAdsError``: ``{errorCode: {<category>: <enum>}, message, location?, details?}``.

    Raised by per-operation checks of a mutate; collected into an :class:`AdsError` or a
    ``partialFailureError``.
    """

    category: str
    code: str
    message: str
    index: int | None = None
    details: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        """Render the entry."""
        out: dict[str, Any] = {"errorCode": {self.category: self.code}, "message": self.message}
        if self.index is not None:
            element = {"fieldName": "operations", "index": self.index}
            out["location"] = {"fieldPathElements": [element]}
        if self.details is not None:
            out["details"] = self.details
        return out


@dataclass
class AdsError(Exception):
    """A Google error answer (``status`` is the RPC status name)."""

    status: str
    message: str
    entries: list[AdsErrorEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        """HTTP status of the RPC status."""
        return STATUS_CODES[self.status]

    def body(self, version: str, request_id: str) -> dict[str, Any]:
        """Render the REST error body."""
        error: dict[str, Any] = {
            "code": self.http_status,
            "message": self.message,
            "status": self.status,
        }
        if self.entries:
            error["details"] = [failure(self.entries, version, request_id)]
        return {"error": error}


def failure(entries: list[AdsErrorEntry], version: str, request_id: str) -> dict[str, Any]:
    """Return a ``GoogleAdsFailure`` detail holding ``entries``."""
    return {
        "@type": f"type.googleapis.com/google.ads.googleads.{version}.errors.GoogleAdsFailure",
        "errors": [e.body() for e in entries],
        "requestId": request_id,
    }


def ads_error(status: str, category: str, code: str, message: str) -> AdsError:
    """Return an error with one ``GoogleAdsFailure`` entry."""
    return AdsError(
        status, "Request contains an invalid argument." if status == "INVALID_ARGUMENT"
        else message, [AdsErrorEntry(category, code, message)],
    )


def query_error(code: str, message: str) -> AdsError:
    """Return a GAQL ``queryError`` (400 INVALID_ARGUMENT)."""
    return ads_error("INVALID_ARGUMENT", "queryError", code, message)


def request_error(code: str, message: str) -> AdsError:
    """Return a ``requestError`` (400 INVALID_ARGUMENT)."""
    return ads_error("INVALID_ARGUMENT", "requestError", code, message)


def expired_token() -> AdsError:
    """401 UNAUTHENTICATED, ``authenticationError: OAUTH_TOKEN_EXPIRED``."""
    return ads_error(
        "UNAUTHENTICATED", "authenticationError", "OAUTH_TOKEN_EXPIRED",
        "Request had invalid authentication credentials: the OAuth access token has expired.",
    )


def invalid_token() -> AdsError:
    """401 UNAUTHENTICATED, ``authenticationError: OAUTH_TOKEN_INVALID``."""
    return ads_error(
        "UNAUTHENTICATED", "authenticationError", "OAUTH_TOKEN_INVALID",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
    )


def missing_developer_token() -> AdsError:
    """401 UNAUTHENTICATED: no ``developer-token`` header."""
    return ads_error(
        "UNAUTHENTICATED", "authenticationError", "AUTHENTICATION_ERROR",
        "The developer token is missing: send it in the developer-token header.",
    )


def bad_developer_token() -> AdsError:
    """403 PERMISSION_DENIED: a developer token the emulator does not know."""
    return ads_error(
        "PERMISSION_DENIED", "authorizationError", "DEVELOPER_TOKEN_PROHIBITED",
        "The developer token is not allowed with the project sent in the request.",
    )


def user_permission_denied(customer_id: str) -> AdsError:
    """403 PERMISSION_DENIED ``USER_PERMISSION_DENIED`` (e.g. no ``login-customer-id``)."""
    return ads_error(
        "PERMISSION_DENIED", "authorizationError", "USER_PERMISSION_DENIED",
        f"User doesn't have permission to access customer {customer_id}. Note: If you're "
        "accessing a client customer, the manager's customer id must be set in the "
        "'login-customer-id' header.",
    )


def invalid_login_customer_id() -> AdsError:
    """400 ``headerError: INVALID_LOGIN_CUSTOMER_ID``."""
    return ads_error(
        "INVALID_ARGUMENT", "headerError", "INVALID_LOGIN_CUSTOMER_ID",
        "The login customer ID could not be validated.",
    )


def quota_exhausted(retry_seconds: float | None, code: str) -> AdsError:
    """429 RESOURCE_EXHAUSTED with ``quotaErrorDetails`` (``retryDelay`` when known)."""
    details: dict[str, Any] = {"rateScope": "ACCOUNT", "rateName": "Requests per account"}
    if retry_seconds is not None:
        details["retryDelay"] = f"{max(1, round(retry_seconds))}s"
    return AdsError(
        "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
        [AdsErrorEntry("quotaError", code, "Too many requests. Retry in "
                       f"{details.get('retryDelay', 'a day')}.",
                       details={"quotaErrorDetails": details})],
    )


def frontend(status: str, message: str) -> AdsError:
    """Return an error of Google's front end: no ``GoogleAdsFailure`` detail."""
    return AdsError(status, message)
