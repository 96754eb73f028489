"""The leaky bucket of query points Shopify keeps per app and shop.

The bucket holds at most ``maximum`` points and regains ``restore_rate`` points per second. A
query is admitted only when the bucket holds its *requested* cost; the requested cost is taken
up front and the difference to the *actual* cost is given back after execution. The clock is
injectable (monotonic seconds), so tests move time instead of sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CostBucket", "ShopifyQuota"]


@dataclass(frozen=True)
class ShopifyQuota:
    """Calculated-cost limits of one app on one shop.

    Attributes:
        maximum_available: bucket size in points (``throttleStatus.maximumAvailable``).
        restore_rate: points regained per second (Standard plan: 100).
        max_query_cost: the largest requested cost a single query may have.

    """

    maximum_available: float = 2000.0
    restore_rate: float = 100.0
    max_query_cost: int = 1000

    def __post_init__(self) -> None:
        if self.maximum_available <= 0 or self.restore_rate <= 0 or self.max_query_cost <= 0:
            raise ValueError("maximum_available, restore_rate and max_query_cost must be > 0")


class CostBucket:
    """One shop's bucket of query points (thread-safe).

    Args:
        quota: size and restore rate.
        clock: monotonic seconds.

    """

    def __init__(self, quota: ShopifyQuota, clock: Callable[[], float]) -> None:
        self.quota = quota
        self._clock = clock
        self._lock = threading.Lock()
        self._available = quota.maximum_available
        self._at: float | None = None

    def _restore(self) -> float:
        now = self._clock()
        if self._at is not None and now > self._at:
            gained = (now - self._at) * self.quota.restore_rate
            self._available = min(self.quota.maximum_available, self._available + gained)
        self._at = now if self._at is None else max(self._at, now)
        return self._available

    @property
    def available(self) -> float:
        """Points available now."""
        with self._lock:
            return self._restore()

    def take(self, requested: int) -> bool:
        """Take ``requested`` points if the bucket holds them; return whether it did."""
        with self._lock:
            if self._restore() < requested:
                return False
            self._available -= requested
            return True

    def refund(self, points: float) -> None:
        """Give back points (requested minus actual cost)."""
        with self._lock:
            self._restore()
            self._available = min(self.quota.maximum_available, self._available + max(0, points))

    def drain(self) -> None:
        """Empty the bucket (another job of the same app spent it: the ``throttle`` fault)."""
        with self._lock:
            self._restore()
            self._available = 0.0

    def status(self) -> dict[str, Any]:
        """Return ``throttleStatus`` as Shopify renders it."""
        with self._lock:
            available = self._restore()
        return {
            "maximumAvailable": float(self.quota.maximum_available),
            "currentlyAvailable": int(available),
            "restoreRate": float(self.quota.restore_rate),
        }
