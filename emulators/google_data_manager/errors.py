"""Google RPC errors as the Data Manager emulator raises and renders them.

Body: ``{"error": {"code": 400, "message": ..., "status": "INVALID_ARGUMENT", "details":
[{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": ...,
"description": ...}]}]}}``.
"""

from __future__ import annotations

from typing import Any

BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


class RpcError(Exception):
    """A Google RPC error answer."""

    def __init__(
        self,
        http: int,
        status: str,
        message: str,
        *,
        violations: list[tuple[str, str]] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.http = http
        self.status = status
        self.message = message
        self.violations = violations or []
        self.reason = reason

    def body(self) -> dict[str, Any]:
        """Return the JSON error body."""
        details: list[dict[str, Any]] = []
        if self.violations:
            details.append({
                "@type": BAD_REQUEST_TYPE,
                "fieldViolations": [{"field": f, "description": d} for f, d in self.violations],
            })
        if self.reason:
            details.append({"@type": ERROR_INFO_TYPE, "reason": self.reason,
                            "domain": "googleapis.com"})
        error: dict[str, Any] = {"code": self.http, "message": self.message,
                                 "status": self.status}
        if details:
            error["details"] = details
        return {"error": error}


def invalid_argument(violations: list[tuple[str, str]]) -> RpcError:
    """Build a 400 INVALID_ARGUMENT listing every field violation."""
    return RpcError(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                    violations=violations)


def unauthenticated(expired: bool) -> RpcError:
    """Build a 401 UNAUTHENTICATED (``ACCESS_TOKEN_EXPIRED`` when the token expired)."""
    return RpcError(
        401, "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        reason="ACCESS_TOKEN_EXPIRED" if expired else "ACCESS_TOKEN_INVALID",
    )


def not_found(path: str) -> RpcError:
    """Build a 404 for a URL the API does not serve."""
    return RpcError(404, "NOT_FOUND", f"The requested URL {path} was not found on this server.")
