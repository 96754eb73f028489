"""Rolling-window call quotas that drive usage headers and throttle errors.

A ``QuotaConfig`` declares how many calls a scope (an ad account and use case, the app,
a user token) may make per rolling window. ``QuotaTracker`` counts accepted calls, reports
utilisation in percent (what the platforms put in their usage headers) and says when a
scope is exhausted and how long until it regains access.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaConfig:
    """Declared quotas (calls per rolling ``window_seconds``); None disables a scope."""

    account_calls: int | None = 600
    app_calls: int | None = 20_000
    user_calls: int | None = 10_000
    window_seconds: float = 3600.0


@dataclass(frozen=True)
class Usage:
    """Utilisation of one scope after a call."""

    calls: int
    limit: int
    pct: int
    regain_seconds: float

    @property
    def exhausted(self) -> bool:
        """Whether the scope has no calls left in the current window."""
        return self.calls >= self.limit


class QuotaTracker:
    """Counts calls per scope in a rolling window (thread-safe, injectable clock)."""

    def __init__(
        self, config: QuotaConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or QuotaConfig()
        self._clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, scope: str, now: float) -> deque[float]:
        calls = self._calls.setdefault(scope, deque())
        while calls and calls[0] <= now - self.config.window_seconds:
            calls.popleft()
        return calls

    def usage(self, scope: str, limit: int | None) -> Usage | None:
        """Return the utilisation of ``scope`` (None when the scope has no limit)."""
        if limit is None:
            return None
        with self._lock:
            now = self._clock()
            calls = self._trim(scope, now)
            regain = 0.0
            if len(calls) >= limit:
                # Access returns when enough old calls leave the window.
                oldest = calls[len(calls) - limit]
                regain = max(0.0, oldest + self.config.window_seconds - now)
            pct = min(100, math.ceil(100 * len(calls) / limit)) if limit else 100
            return Usage(len(calls), limit, pct, regain)

    def record(self, *scopes: str) -> None:
        """Count one accepted call against each scope."""
        with self._lock:
            now = self._clock()
            for scope in scopes:
                self._trim(scope, now).append(now)
