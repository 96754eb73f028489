"""A record of every HTTP attempt a connector makes (for ``ops.api_calls`` and the bench).

Each attempt of each request becomes one :class:`ApiCall`, retries included, so the log shows
what the platform actually received. Endpoints are paths without query strings, and errors
are already-redacted messages.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

__all__ = ["ApiCall", "CallRecorder"]


@dataclass(frozen=True)
class ApiCall:
    """One HTTP attempt.

    Attributes:
        platform: platform name.
        account_id: the account the call was for, if any.
        endpoint: request path without the query string.
        method: HTTP method.
        status: HTTP status, ``None`` when no response arrived (timeout, reset).
        attempt: 1 for the first attempt of a request, 2 for its first retry, ...
        latency_ms: time from send to a classified answer, in milliseconds.
        throttle_headroom: remaining share of the quota reported by the platform (0..1).
        error: ``"<ErrorClass>: <redacted message>"``, ``None`` on success.
        started_at: UTC time the attempt started.

    """

    platform: str
    account_id: str | None
    endpoint: str
    method: str
    status: int | None
    attempt: int
    latency_ms: float
    throttle_headroom: float | None
    error: str | None
    started_at: datetime

    @property
    def error_class(self) -> str | None:
        """The error class name alone, e.g. ``RateLimitError``."""
        return self.error.split(":", 1)[0] if self.error else None

    def as_row(self) -> dict[str, Any]:
        """Return the call as a plain dict (the ``ops.api_calls`` columns)."""
        return asdict(self)


class CallRecorder:
    """A thread-safe, append-only list of :class:`ApiCall` records."""

    def __init__(self) -> None:
        self._calls: list[ApiCall] = []
        self._lock = threading.Lock()

    def record(self, call: ApiCall) -> None:
        """Append one call."""
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[ApiCall]:
        """A snapshot of the recorded calls, oldest first."""
        with self._lock:
            return list(self._calls)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def clear(self) -> list[ApiCall]:
        """Remove and return every recorded call (e.g. after writing them out)."""
        with self._lock:
            calls, self._calls = self._calls, []
            return calls

    def summary(self) -> dict[str, int]:
        """Count calls by outcome: ``ok`` or the error class name."""
        with self._lock:
            return dict(Counter(c.error_class or "ok" for c in self._calls))
