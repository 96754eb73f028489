"""HttpSettings: the pacing, timeout and resilience settings every connector shares.

A platform's settings model subclasses it and adds what only that platform has (credentials,
version, page sizes); it redeclares ``base_url`` and ``requests_per_second`` with the
platform's own defaults.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from connectors.retry import RetryPolicy

__all__ = ["HttpSettings"]


class HttpSettings(BaseModel):
    """How a connector talks HTTP: host, client-side rate, timeouts, retries, breaker.

    Attributes:
        base_url: API host (an emulator: any loopback URL).
        requests_per_second: client-side rate per rate-limit key (account or app).
        burst: requests allowed back to back.
        headroom_threshold: reported quota headroom below which the client slows down.
        timeout_seconds: read/write timeout of one HTTP call.
        connect_timeout_seconds: connect timeout.
        retry: backoff policy of one request.
        breaker_failure_threshold: exhausted requests in a row that open the breaker.
        breaker_reset_timeout: seconds the breaker stays open.

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str
    requests_per_second: float = Field(default=5.0, gt=0)
    burst: int = Field(default=1, ge=1)
    headroom_threshold: float = Field(default=0.05, ge=0, le=1)
    timeout_seconds: float = Field(default=60.0, gt=0)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    retry: RetryPolicy = RetryPolicy()
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_timeout: float = Field(default=60.0, ge=0)
