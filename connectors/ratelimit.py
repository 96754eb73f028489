"""Client-side throttling: an adaptive token bucket per account and a circuit breaker.

The bucket keeps us under the platform's limit *before* it says stop: every response's usage
headers give a headroom (1.0 = quota untouched, 0.0 = exhausted). Below ``threshold`` the
bucket cuts its rate multiplicatively while the headroom keeps shrinking, and above it the
rate climbs back slowly (additive increase, multiplicative decrease). Holding the rate while
the headroom is low but stable lets a client paced just under a known quota use it fully,
while a quota that someone else is also spending still makes us back off. A platform's
explicit "come back in N seconds" pauses the whole bucket, so sibling threads of the same
account wait too.

The breaker sits *outside* the retry loop: one request whose retries are exhausted counts as
one failure; fatal (4xx) errors are excluded, since they say nothing about the platform's
health. Closed -> open after ``failure_threshold`` consecutive failures -> half-open after
``reset_timeout`` (one trial call) -> closed on success, open again on failure.

Both take an injectable monotonic ``clock`` and ``sleep`` so tests never sleep.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from enum import StrEnum
from typing import Generic, TypeVar

from connectors.errors import CircuitOpenError, FatalAPIError

__all__ = ["BreakerState", "CircuitBreaker", "KeyedPool", "TokenBucket"]

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class TokenBucket:
    """A thread-safe, adaptive token bucket (GCRA scheduling: waiters are served in order).

    Args:
        rate: requests per second when the platform reports plenty of headroom.
        burst: requests that may go back to back after an idle period.
        threshold: headroom below which the rate is reduced (0..1).
        min_fraction: the rate never falls below ``rate * min_fraction``.
        recovery_step: fraction of ``rate`` regained per response with enough headroom.
        decrease_factor: multiplier applied per response while the headroom is low and
            shrinking.
        clock: monotonic seconds.
        sleep: blocking wait.

    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        threshold: float = 0.2,
        min_fraction: float = 0.05,
        recovery_step: float = 0.02,
        decrease_factor: float = 0.85,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        if not 0 <= threshold <= 1:
            raise ValueError("threshold must be within 0..1")
        self.max_rate = float(rate)
        self.burst = burst
        self.threshold = threshold
        self.min_rate = self.max_rate * min_fraction
        self.recovery_step = recovery_step
        self.decrease_factor = decrease_factor
        self._last_headroom: float | None = None
        self._rate = self.max_rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tat = clock()  # theoretical arrival time of the next request
        self._paused_until = 0.0
        self.waited_seconds = 0.0

    @property
    def rate(self) -> float:
        """The current allowed rate, in requests per second."""
        with self._lock:
            return self._rate

    def acquire(self) -> float:
        """Block until a request may be sent.

        Returns:
            The seconds this call waited.

        """
        with self._lock:
            now = self._clock()
            interval = 1.0 / self._rate
            tolerance = (self.burst - 1) * interval
            slot = max(now, self._tat - tolerance, self._paused_until)
            self._tat = max(self._tat, slot) + interval
            wait = slot - now
            self.waited_seconds += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def observe_headroom(self, headroom: float) -> None:
        """Adapt the rate to the remaining quota the platform reported.

        Below ``threshold`` the rate is cut by ``decrease_factor`` while the headroom keeps
        shrinking (our own steady use at the limit holds the rate; someone else spending the
        same quota makes it shrink), and always below half the threshold; at zero it drops
        to the floor. At or above the threshold it climbs back by ``recovery_step``.

        Args:
            headroom: remaining share of the quota, 0..1 (values outside are clamped).

        """
        headroom = min(1.0, max(0.0, headroom))
        with self._lock:
            previous = self._last_headroom
            self._last_headroom = headroom
            if headroom <= 0.0:
                self._rate = self.min_rate
            elif headroom < self.threshold:
                shrinking = previous is None or headroom < previous
                if shrinking or headroom < self.threshold / 2:
                    self._rate = max(self.min_rate, self._rate * self.decrease_factor)
            else:
                self._rate = min(self.max_rate, self._rate + self.max_rate * self.recovery_step)

    def pause(self, seconds: float) -> None:
        """Hold every acquirer for ``seconds`` from now (the platform asked us to stop).

        Args:
            seconds: how long to hold; non-positive values are ignored.

        """
        if seconds <= 0:
            return
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


class BreakerState(StrEnum):
    """Circuit breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """A thread-safe circuit breaker for one (platform, account).

    Args:
        name: shown in :class:`~connectors.errors.CircuitOpenError` messages.
        failure_threshold: consecutive failures that open the circuit.
        reset_timeout: seconds the circuit stays open before one trial call.
        clock: monotonic seconds.

    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 60.0,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be >= 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_started: float | None = None

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker past its timeout reads as half-open)."""
        with self._lock:
            return self._current_state(self._clock())

    @property
    def consecutive_failures(self) -> int:
        """Failures counted since the last success."""
        with self._lock:
            return self._failures

    def _current_state(self, now: float) -> BreakerState:
        if self._state is BreakerState.OPEN and now - self._opened_at >= self.reset_timeout:
            self._state = BreakerState.HALF_OPEN
            self._trial_started = None
        return self._state

    def before_call(self) -> None:
        """Let a call through or fail fast.

        Raises:
            CircuitOpenError: the circuit is open, or half-open with a trial call in flight.

        """
        with self._lock:
            now = self._clock()
            state = self._current_state(now)
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN:
                stale = (
                    self._trial_started is not None
                    and now - self._trial_started >= self.reset_timeout
                )
                if self._trial_started is None or stale:
                    self._trial_started = now
                    return
                remaining = self.reset_timeout - (now - self._trial_started)
            else:
                remaining = self.reset_timeout - (now - self._opened_at)
        raise CircuitOpenError(
            f"circuit {self.name} is {state.value} after {self.failure_threshold} consecutive "
            f"failed requests; retry in {max(0.0, remaining):.0f}s",
            retry_after=max(0.0, remaining),
        )

    def record_success(self) -> None:
        """Record a success: close the circuit and reset the count."""
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_started = None

    def record_failure(self, exc: BaseException | None = None) -> None:
        """Record a request that failed after its retries; fatal (4xx) errors count as healthy.

        Args:
            exc: the error that ended the call.

        """
        if isinstance(exc, FatalAPIError):
            self.record_success()
            return
        with self._lock:
            now = self._clock()
            state = self._current_state(now)
            self._failures += 1
            if state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
                self._state = BreakerState.OPEN
                self._opened_at = now
                self._trial_started = None


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeyedPool(Generic[K, V]):
    """A thread-safe lazily filled map, e.g. account -> TokenBucket.

    Args:
        factory: builds the value for a new key.

    """

    def __init__(self, factory: Callable[[K], V]) -> None:
        self._factory = factory
        self._items: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V:
        """Return the value for ``key``, creating it on first use."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                item = self._factory(key)
                self._items[key] = item
            return item

    def items(self) -> list[tuple[K, V]]:
        """Return a snapshot of the pool's entries."""
        with self._lock:
            return list(self._items.items())
