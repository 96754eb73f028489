"""Graph API errors as the emulator raises and renders them.

Handlers raise ``GraphError``; the emulator renders it as
``{"error": {message, type, code, error_subcode, is_transient, fbtrace_id}}``.
"""

from __future__ import annotations

import hashlib
from typing import Any


class GraphError(Exception):
    """A Graph API error answer."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        status: int = 400,
        type_: str = "OAuthException",
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.status = status
        self.type = type_
        self.transient = transient

    def body(self, trace_seed: str) -> dict[str, Any]:
        """Return the JSON body, with a stable fake ``fbtrace_id``."""
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "is_transient": self.transient,
            "fbtrace_id": "A" + hashlib.sha1(trace_seed.encode()).hexdigest()[:22],
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def missing_token() -> GraphError:
    """No access token at all (code 104)."""
    return GraphError(104, "An access token is required to request this resource.")


def invalid_token() -> GraphError:
    """Build the error for a token the emulator never issued (code 190)."""
    return GraphError(190, "Invalid OAuth access token - Cannot parse access token")


def expired_token(when: str) -> GraphError:
    """Build the error for an expired token (code 190, subcode 463)."""
    return GraphError(
        190,
        f"Error validating access token: Session has expired on {when}.",
        subcode=463,
    )


def bad_proof() -> GraphError:
    """Build the error for a wrong ``appsecret_proof`` (code 100)."""
    return GraphError(
        100, "Invalid appsecret_proof provided in the API argument", type_="GraphMethodException"
    )


def sunset_version(version: str, latest: str) -> GraphError:
    """Build the error for a version no longer served (code 2635)."""
    return GraphError(
        2635,
        f"(#2635) You are calling a deprecated version of the Ads API ({version}). "
        f"Please update to the latest version: {latest}.",
    )


def unknown_path(path: str) -> GraphError:
    """Unknown version or path component (code 2500)."""
    return GraphError(2500, f"Unknown path components: {path}")


def unknown_object(object_id: str, method: str) -> GraphError:
    """Build the error for an id that does not exist (code 100, subcode 33)."""
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        type_="GraphMethodException",
    )


def nonexisting_field(field: str, node_type: str) -> GraphError:
    """Build the error for a field the node type does not have (code 100)."""
    return GraphError(
        100, f"(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"
    )


def invalid_parameter(detail: str) -> GraphError:
    """Build the error for a malformed or disallowed parameter (code 100)."""
    return GraphError(100, f"(#100) {detail}")


THROTTLES: dict[int, tuple[str, int | None]] = {
    4: ("(#4) Application request limit reached", None),
    17: ("(#17) User request limit reached", 2446079),
    80000: ("(#80000) There have been too many calls from this ad-account. Wait a bit and "
            "try again. For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.", 2446079),
    80004: ("(#80004) There have been too many calls to this ad-account. Wait a bit and try "
            "again. For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
            2446079),
}


def throttled(code: int) -> GraphError:
    """Build a throttle error (codes 4, 17, 80000, 80004; HTTP 400, transient)."""
    message, subcode = THROTTLES[code]
    return GraphError(code, message, subcode=subcode, transient=True)


def server_error(status: int) -> GraphError:
    """Build an unexpected server-side failure (HTTP 500/503, code 1 or 2)."""
    if status == 503:
        return GraphError(2, "Service temporarily unavailable", status=503, transient=True)
    return GraphError(1, "An unknown error occurred", status=500, transient=True)
