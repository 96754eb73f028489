"""Pacing against Shopify's calculated-cost bucket, from what each answer reports.

Every answer carries ``extensions.cost``::

    {"requestedQueryCost": 852, "actualQueryCost": 401,
     "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1599,
                        "restoreRate": 100.0}}

:class:`CostPacer` keeps the last reported bucket and when it was seen; the bucket refills at
``restoreRate`` points per second, so before a query of known requested cost it can say how
long to wait until the bucket holds that cost (Shopify only admits a query whose requested
cost the bucket holds). After a ``THROTTLED`` answer, the retry waits
``(requestedQueryCost - currentlyAvailable) / restoreRate`` seconds. Pure apart from the
injected clock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CostPacer", "QueryCost", "parse_cost"]


@dataclass(frozen=True)
class QueryCost:
    """``extensions.cost`` of one answer.

    Attributes:
        requested: requested (worst-case) cost of the query.
        actual: what it really cost (None when it was throttled).
        maximum: bucket size.
        available: points left after the query.
        restore_rate: points regained per second.

    """

    requested: float | None
    actual: float | None
    maximum: float
    available: float
    restore_rate: float

    @property
    def headroom(self) -> float:
        """Share of the bucket still available (0..1)."""
        return max(0.0, min(1.0, self.available / self.maximum)) if self.maximum > 0 else 0.0

    def wait_for(self, requested: float) -> float:
        """Seconds until the bucket, as reported, holds ``requested`` points."""
        missing = requested - self.available
        if missing <= 0 or self.restore_rate <= 0:
            return 0.0
        return missing / self.restore_rate


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def parse_cost(payload: Any) -> QueryCost | None:
    """Read ``extensions.cost`` from a decoded answer; None when absent or unusable."""
    if not isinstance(payload, Mapping):
        return None
    extensions = payload.get("extensions")
    cost = extensions.get("cost") if isinstance(extensions, Mapping) else None
    status = cost.get("throttleStatus") if isinstance(cost, Mapping) else None
    if not isinstance(cost, Mapping) or not isinstance(status, Mapping):
        return None
    maximum = _number(status.get("maximumAvailable"))
    available = _number(status.get("currentlyAvailable"))
    rate = _number(status.get("restoreRate"))
    if maximum is None or available is None or rate is None or maximum <= 0 or rate < 0:
        return None
    return QueryCost(
        requested=_number(cost.get("requestedQueryCost")),
        actual=_number(cost.get("actualQueryCost")),
        maximum=maximum,
        available=available,
        restore_rate=rate,
    )


class CostPacer:
    """The client's picture of one shop's bucket (thread-safe).

    Args:
        clock: monotonic seconds (the connector's clock).
        margin: extra points to wait for, so rounding on either side never throttles.

    """

    def __init__(self, clock: Callable[[], float], margin: float = 1.0) -> None:
        self._clock = clock
        self.margin = margin
        self._lock = threading.Lock()
        self._last: QueryCost | None = None
        self._seen_at = 0.0
        self.waited_seconds = 0.0

    @property
    def last(self) -> QueryCost | None:
        """The last reported cost, if any."""
        with self._lock:
            return self._last

    def observe(self, cost: QueryCost) -> None:
        """Remember the bucket as an answer reported it, now."""
        with self._lock:
            self._last = cost
            self._seen_at = self._clock()

    def available(self) -> float | None:
        """Points the bucket should hold now (None before any answer)."""
        with self._lock:
            last, seen_at = self._last, self._seen_at
        if last is None:
            return None
        elapsed = max(0.0, self._clock() - seen_at)
        return min(last.maximum, last.available + elapsed * last.restore_rate)

    def delay_before(self, requested: float) -> float:
        """Seconds to wait before sending a query that requests ``requested`` points."""
        with self._lock:
            last = self._last
        available = self.available()
        if last is None or available is None or last.restore_rate <= 0:
            return 0.0
        need = min(requested + self.margin, last.maximum)
        return max(0.0, (need - available) / last.restore_rate)
