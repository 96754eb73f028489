"""LinkedIn API errors as the emulator raises and renders them.

Handlers raise ``LinkedInError``; the emulator renders
``{"status": N, "serviceErrorCode": N, "code": "...", "message": "..."}``. OAuth errors
(the token endpoint) use the OAuth shape ``{"error", "error_description"}`` instead.
"""

from __future__ import annotations

from typing import Any


class LinkedInError(Exception):
    """A Rest.li error answer."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        service_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.service_code = service_code

    def body(self) -> dict[str, Any]:
        """Return the JSON body."""
        out: dict[str, Any] = {"status": self.status}
        if self.service_code is not None:
            out["serviceErrorCode"] = self.service_code
        if self.code is not None:
            out["code"] = self.code
        out["message"] = self.message
        return out


def version_missing() -> LinkedInError:
    """Build the error for a missing ``LinkedIn-Version`` (an error, never a default)."""
    return LinkedInError(
        400,
        "A version must be present. Please specify a version by adding the LinkedIn-Version "
        "header.",
        code="VERSION_MISSING",
    )


def version_inactive(version: str) -> LinkedInError:
    """Build the error for a sunset, future or malformed version (HTTP 426)."""
    return LinkedInError(426, f"Requested version {version} is not active",
                         code="NONEXISTENT_VERSION")


def bad_protocol(value: str | None) -> LinkedInError:
    """Build the error for an ``X-Restli-Protocol-Version`` missing or not 2.0.0."""
    return LinkedInError(
        400,
        f"X-Restli-Protocol-Version must be 2.0.0 for this API (got {value or 'none'})",
        code="ILLEGAL_ARGUMENT",
    )


def missing_token() -> LinkedInError:
    """Build the error for a request without a bearer token."""
    return LinkedInError(401, "Empty oauth2 access token", code="INVALID_ACCESS_TOKEN",
                         service_code=65600)


def invalid_token() -> LinkedInError:
    """Build the error for a token the emulator never issued."""
    return LinkedInError(401, "Invalid access token", code="INVALID_ACCESS_TOKEN",
                         service_code=65600)


def expired_token() -> LinkedInError:
    """Build the error for an expired token."""
    return LinkedInError(401, "The token used in the request has expired",
                         code="EXPIRED_ACCESS_TOKEN", service_code=65601)


def revoked_token() -> LinkedInError:
    """Build the error for a revoked token."""
    return LinkedInError(401, "The token used in the request has been revoked by the user",
                         code="REVOKED_ACCESS_TOKEN", service_code=65601)


def illegal(message: str) -> LinkedInError:
    """Build the error for a malformed or disallowed parameter (HTTP 400)."""
    return LinkedInError(400, message, code="ILLEGAL_ARGUMENT", service_code=100)


def not_found(what: str) -> LinkedInError:
    """Build the error for an unknown entity or path (HTTP 404)."""
    return LinkedInError(404, f"Not Found: {what}", code="NOT_FOUND")


def method_not_allowed(method: str, path: str) -> LinkedInError:
    """Build the error for a known path with an unsupported method (HTTP 405)."""
    return LinkedInError(405, f"{method} is not supported on {path}",
                         code="METHOD_NOT_ALLOWED")


def throttled() -> LinkedInError:
    """Build the daily-limit throttle (a bare 429: no Retry-After, no usage header)."""
    return LinkedInError(
        429, "Resource level throttle APPLICATION DAY limit for calls to this resource is "
        "reached.", code="TOO_MANY_REQUESTS",
    )


def server_error(status: int) -> LinkedInError:
    """Build an unexpected failure (HTTP 500/503)."""
    text = "Internal Server Error" if status == 500 else "Service Unavailable"
    return LinkedInError(status, text)
