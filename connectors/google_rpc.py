"""Google's REST error body (``google.rpc.Status``), read once for every Google connector.

Sample (HTTP 400)::

    {"error": {"code": 400, "message": "Request contains an invalid argument.",
               "status": "INVALID_ARGUMENT",
               "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                            "fieldViolations": [{"field": "events[0].eventTimestamp",
                                                 "description": "..."}]},
                           {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "ACCESS_TOKEN_EXPIRED"}]}}

The RPC ``status`` says more than the HTTP status (``RESOURCE_EXHAUSTED`` is a throttle
whatever the code it came with), so :data:`FAILURES` maps it onto the shared ladder of
:meth:`connectors._base.BaseConnector.validate_response`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors._base import Failure

__all__ = ["FAILURES", "RETRYABLE_STATUSES", "RpcError", "read_rpc_error"]

RETRYABLE_STATUSES = frozenset({"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"})

FAILURES: Mapping[str, Failure] = {
    "RESOURCE_EXHAUSTED": Failure.THROTTLED,
    **{status: Failure.UNAVAILABLE for status in RETRYABLE_STATUSES},
    "UNAUTHENTICATED": Failure.UNAUTHENTICATED,
    "PERMISSION_DENIED": Failure.DENIED,
    "NOT_FOUND": Failure.NOT_FOUND,
}


@dataclass(frozen=True)
class RpcError:
    """The parts of a Google error body the connectors read (tolerant: missing is empty).

    Attributes:
        status: the RPC status name (``""`` when absent).
        message: Google's message (``HTTP <status>`` when absent).
        reasons: every ``details[].reason`` (``ACCESS_TOKEN_EXPIRED``...).
        violations: every ``details[].fieldViolations[]`` as ``field: description``.
        details: the details that are objects, for a platform's own types.

    """

    status: str
    message: str
    reasons: tuple[str, ...] = ()
    violations: tuple[str, ...] = ()
    details: tuple[Mapping[str, Any], ...] = ()

    @property
    def failure(self) -> Failure | None:
        """What the RPC status means on the shared ladder, if anything."""
        return FAILURES.get(self.status)


def read_rpc_error(body: Any, http_status: int) -> RpcError:
    """Read a decoded error body.

    Args:
        body: the decoded JSON (None when the body was not JSON).
        http_status: the answer's HTTP status (the message when Google gave none).

    """
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return RpcError(status="", message=f"HTTP {http_status}")
    details = tuple(d for d in error.get("details") or [] if isinstance(d, dict))
    reasons = tuple(str(d["reason"]) for d in details if d.get("reason"))
    violations = tuple(
        f"{v.get('field', '')}: {v.get('description', '')}"
        for d in details
        for v in d.get("fieldViolations") or []
        if isinstance(v, dict)
    )
    return RpcError(
        status=str(error.get("status") or ""),
        message=str(error.get("message") or f"HTTP {http_status}"),
        reasons=reasons,
        violations=violations,
        details=details,
    )
