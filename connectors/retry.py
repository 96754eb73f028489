"""Retry timing: exponential backoff with full jitter, honouring Retry-After. Pure.

The policy only decides *how long to wait* and *whether another attempt fits*; deciding
*whether an error is worth retrying* is the connector's ``validate_response`` (classify, then
retry). Full jitter (AWS, "Exponential Backoff And Jitter") spreads competing clients best:
``delay = U(0, min(cap, base * 2**n))`` for the n-th retry (n = 0 for the first retry). When
the platform says how long to wait, we wait at least that long (clamped to
``max_retry_after``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a retryable error.

    Attributes:
        max_attempts: attempts in total, the first one included (1 = never retry).
        base: ceiling of the first retry's delay, in seconds.
        cap: largest backoff ceiling, in seconds.
        max_total_seconds: give up once the next wait would end later than this many seconds
            after the first attempt started.
        max_retry_after: a platform's requested wait is clamped to this many seconds; a longer
            request is better served by a task-level retry than by a blocked worker.

    """

    max_attempts: int = 6
    base: float = 0.5
    cap: float = 30.0
    max_total_seconds: float = 180.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < 0 or self.cap < 0 or self.max_total_seconds < 0 or self.max_retry_after < 0:
            raise ValueError("base, cap, max_total_seconds and max_retry_after must be >= 0")

    def ceiling(self, retry_index: int) -> float:
        """Return the backoff ceiling ``min(cap, base * 2**retry_index)``.

        Args:
            retry_index: 0 for the first retry, 1 for the second, ...

        """
        if retry_index < 0:
            raise ValueError("retry_index must be >= 0")
        # 2.0**n overflows past n = 1023; any sane cap is reached long before.
        return float(min(self.cap, self.base * 2.0 ** min(retry_index, 1023)))

    def delay(
        self,
        retry_index: int,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Return how long to wait before retry number ``retry_index``.

        Args:
            retry_index: 0 for the first retry, 1 for the second, ...
            retry_after: seconds the platform asked us to wait, if any.
            rng: random source (injectable for tests); the module's default otherwise.

        Returns:
            ``U(0, ceiling)``, or at least ``min(retry_after, max_retry_after)`` when the
            platform gave a wait.

        """
        source = rng if rng is not None else random
        jittered = source.uniform(0.0, self.ceiling(retry_index))
        if retry_after is None or retry_after <= 0:
            return jittered
        return max(min(retry_after, self.max_retry_after), jittered)

    def allows(self, attempts_made: int, elapsed: float, next_delay: float) -> bool:
        """Tell whether another attempt is allowed.

        Args:
            attempts_made: attempts already made (>= 1).
            elapsed: seconds since the first attempt started.
            next_delay: the wait that would precede the next attempt.

        Returns:
            False when the attempt cap is reached or the wait would cross the total-time cap.

        """
        if attempts_made >= self.max_attempts:
            return False
        return elapsed + next_delay <= self.max_total_seconds
