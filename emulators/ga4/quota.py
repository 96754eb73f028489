"""GA4 property quotas: tokens charged per request, reported in ``propertyQuota``.

The Data API does not count calls: each ``runReport`` costs *tokens* (more for longer date
ranges and more rows), drawn from per-property buckets - per day, per hour, and per hour for
one Google Cloud project - beside a cap on concurrent requests. A request asking for
``returnPropertyQuota`` gets the state of every bucket after its own charge; a request made
while a bucket is empty is answered ``429 RESOURCE_EXHAUSTED`` and costs nothing.

Windows are rolling on the ledger's clock (monotonic by default; tests inject one): an hour
for the hourly buckets, 24 hours for the daily one (Google resets that one at midnight
Pacific time; a rolling day is the emulator's simplification). Server errors are counted and
reported, never enforced, so fault-injection runs cannot lock a property out.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulators.ga4 import errors

__all__ = ["PropertyQuotaLedger", "PropertyQuotaLimits", "report_tokens"]

_HOUR = 3600.0
_DAY = 86_400.0


@dataclass(frozen=True)
class PropertyQuotaLimits:
    """Quotas of one property (defaults: a standard, non-360 property).

    Attributes:
        tokens_per_day: tokens per property per day.
        tokens_per_hour: tokens per property per hour.
        tokens_per_project_per_hour: tokens per property per hour for one project.
        concurrent_requests: requests of one property in flight at once.
        server_errors_per_project_per_hour: reported only.
        potentially_thresholded_requests_per_hour: reported only (no request is thresholded).

    """

    tokens_per_day: int = 200_000
    tokens_per_hour: int = 40_000
    tokens_per_project_per_hour: int = 14_000
    concurrent_requests: int = 10
    server_errors_per_project_per_hour: int = 10
    potentially_thresholded_requests_per_hour: int = 120


def report_tokens(days: int, rows: int) -> int:
    """Tokens one ``runReport`` costs: a token per started month of dates, one per 5,000 rows.

    Google publishes no formula, only that cost grows with the date range and the rows the
    report touches, and that most requests cost under 10 tokens; this one is documented and
    deterministic so tests can assert it.
    """
    return max(1, math.ceil(days / 31) + math.ceil(rows / 5_000))


class PropertyQuotaLedger:
    """Charges and reports token quotas per property (thread-safe)."""

    def __init__(
        self, limits: PropertyQuotaLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or PropertyQuotaLimits()
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, deque[tuple[float, int]]] = {}
        self._server_errors: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    def _used(self, property_id: str, now: float, window: float) -> int:
        entries = self._tokens.setdefault(property_id, deque())
        while entries and entries[0][0] <= now - _DAY:
            entries.popleft()
        return sum(tokens for at, tokens in entries if at > now - window)

    def enter(self, property_id: str) -> None:
        """Admit one request: raise 429 when a bucket is empty or too many are in flight.

        Raises:
            Ga4Error: RESOURCE_EXHAUSTED naming the exhausted quota.

        """
        limits = self.limits
        with self._lock:
            now = self._clock()
            if self._used(property_id, now, _DAY) >= limits.tokens_per_day:
                raise errors.quota_exhausted("tokens per day")
            hour = self._used(property_id, now, _HOUR)
            if hour >= limits.tokens_per_hour:
                raise errors.quota_exhausted("tokens per hour")
            if hour >= limits.tokens_per_project_per_hour:
                raise errors.quota_exhausted("tokens for a project per hour")
            if self._in_flight.get(property_id, 0) >= limits.concurrent_requests:
                raise errors.quota_exhausted("concurrent requests")
            self._in_flight[property_id] = self._in_flight.get(property_id, 0) + 1

    def leave(self, property_id: str) -> None:
        """Release the slot :meth:`enter` took (the request has been answered)."""
        with self._lock:
            self._in_flight[property_id] = max(0, self._in_flight.get(property_id, 0) - 1)

    def charge(self, property_id: str, tokens: int) -> None:
        """Charge ``tokens`` to the property."""
        with self._lock:
            self._tokens.setdefault(property_id, deque()).append((self._clock(), tokens))

    def server_error(self, property_id: str) -> None:
        """Count one server error of the property."""
        with self._lock:
            self._server_errors.setdefault(property_id, deque()).append(self._clock())

    def status(self, property_id: str, charged: int) -> dict[str, Any]:
        """Return the ``propertyQuota`` block (``charged``: this request's tokens)."""
        limits = self.limits
        with self._lock:
            now = self._clock()
            day = self._used(property_id, now, _DAY)
            hour = self._used(property_id, now, _HOUR)
            errs = self._server_errors.setdefault(property_id, deque())
            while errs and errs[0] <= now - _HOUR:
                errs.popleft()
            in_flight = max(0, self._in_flight.get(property_id, 0) - 1)  # others than this one

        def bucket(consumed: int, used: int, limit: int) -> dict[str, int]:
            # ``consumed``: by this request; ``remaining``: left in the bucket after it.
            return {"consumed": consumed, "remaining": max(0, limit - used)}

        return {
            "tokensPerDay": bucket(charged, day, limits.tokens_per_day),
            "tokensPerHour": bucket(charged, hour, limits.tokens_per_hour),
            "concurrentRequests": bucket(in_flight, in_flight, limits.concurrent_requests),
            "serverErrorsPerProjectPerHour": bucket(
                len(errs), len(errs), limits.server_errors_per_project_per_hour
            ),
            "potentiallyThresholdedRequestsPerHour": bucket(
                0, 0, limits.potentially_thresholded_requests_per_hour
            ),
            "tokensPerProjectPerHour": bucket(
                charged, hour, limits.tokens_per_project_per_hour
            ),
        }
