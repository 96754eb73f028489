"""HubSpot error answers as the emulator raises and renders them.

Handlers raise :class:`HubSpotError`; the emulator renders HubSpot's error body::

    {"status": "error", "message": "...", "correlationId": "<uuid>",
     "category": "VALIDATION_ERROR", "errors": [{"message": "...", "code": "...", ...}],
     "context": {...}, "links": {...}}

A throttle is HubSpot's 429 body, which has ``errorType`` and ``policyName`` instead of a
category (:func:`rate_limit_body`). OAuth token errors use ``{"status": "BAD_REFRESH_TOKEN",
"message": ...}`` as HubSpot's token endpoint does.
"""

from __future__ import annotations

from typing import Any

SEARCH_CAP = 10_000


class HubSpotError(Exception):
    """An error answer with HubSpot's body."""

    def __init__(
        self,
        status: int,
        message: str,
        category: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        sub_category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.errors = errors
        self.context = context
        self.sub_category = sub_category

    def body(self, correlation_id: str) -> dict[str, Any]:
        """Return the JSON body with ``correlation_id``."""
        out: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": correlation_id,
            "category": self.category,
        }
        if self.sub_category:
            out["subCategory"] = self.sub_category
        if self.errors is not None:
            out["errors"] = self.errors
        if self.context is not None:
            out["context"] = self.context
        out["links"] = {}
        return out


def rate_limit_body(policy: str, correlation_id: str) -> dict[str, Any]:
    """Return HubSpot's 429 body for ``policy`` (``TEN_SECONDLY_ROLLING``, ``SECONDLY``...)."""
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id,
        "policyName": policy,
    }


def validation(message: str, errors: list[dict[str, Any]] | None = None,
               context: dict[str, Any] | None = None) -> HubSpotError:
    """Build a 400 ``VALIDATION_ERROR``."""
    return HubSpotError(400, message, "VALIDATION_ERROR", errors=errors, context=context)


def search_cap(after: int) -> HubSpotError:
    """Build the 400 answered when a search pages at or beyond 10,000 results."""
    return validation(
        f"There was a problem with the request. Search results are limited to "
        f"{SEARCH_CAP} records per query; 'after' {after} is beyond that.",
        errors=[{"message": f"after must be less than {SEARCH_CAP}", "code": "INVALID_INTEGER",
                 "in": "after", "context": {"maxValue": [str(SEARCH_CAP)]}}],
    )


def unknown_property(name: str, object_type: str) -> HubSpotError:
    """Build the 400 for a property that does not exist on ``object_type``."""
    return validation(
        "Property values were not valid: " + f'[{{"isValid":false,"message":"Property \\"{name}'
        f'\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"{name}"}}]',
        errors=[{"message": f'Property "{name}" does not exist', "code": "PROPERTY_DOESNT_EXIST",
                 "context": {"propertyName": [name], "objectType": [object_type]}}],
    )


def invalid_option(name: str, value: str, allowed: tuple[str, ...]) -> HubSpotError:
    """Build the 400 for an enumeration value that is not one of the property's options."""
    return validation(
        f'Property values were not valid: [{{"isValid":false,"message":"{value} was not one of '
        f'the allowed options","error":"INVALID_OPTION","name":"{name}"}}]',
        errors=[{"message": f"{value} was not one of the allowed options: {list(allowed)}",
                 "code": "INVALID_OPTION", "context": {"propertyName": [name]}}],
    )


def missing_auth() -> HubSpotError:
    """Build the 401 for a request without credentials."""
    return HubSpotError(
        401,
        "Authentication credentials not found. This API supports OAuth 2.0 authentication "
        "and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
        "oauth-overview",
        "INVALID_AUTHENTICATION",
    )


def invalid_token() -> HubSpotError:
    """Build the 401 for a token the portal does not know."""
    return HubSpotError(401, "The access token provided is invalid or has been revoked.",
                        "INVALID_AUTHENTICATION")


def expired_token() -> HubSpotError:
    """Build the 401 for an expired OAuth access token."""
    return HubSpotError(401, "The OAuth token used to make this call expired 1 minute(s) ago.",
                        "EXPIRED_AUTHENTICATION")


def not_found(path: str) -> HubSpotError:
    """Build the 404 for an unknown path or object."""
    return HubSpotError(404, f"Resource not found: {path}", "OBJECT_NOT_FOUND")


def unsupported_version(version: str, served: tuple[str, ...]) -> HubSpotError:
    """Build the 404 for a date-based API version that is not (or no longer) served."""
    return HubSpotError(
        404,
        f"API version {version} is not supported. Supported date versions: "
        f"{', '.join(served)} (and the legacy v3 paths).",
        "OBJECT_NOT_FOUND",
        sub_category="UNSUPPORTED_API_VERSION",
    )


def method_not_allowed(method: str, path: str) -> HubSpotError:
    """Build the 405 for a known path with another method."""
    return HubSpotError(405, f"{method} is not allowed on {path}", "VALIDATION_ERROR")


def server_error(status: int) -> HubSpotError:
    """Build an injected 500/503."""
    text = "internal error" if status == 500 else "Service Unavailable"
    return HubSpotError(status, text, "INTERNAL_ERROR" if status == 500 else "SERVICE_UNAVAILABLE")
