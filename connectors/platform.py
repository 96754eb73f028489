"""PlatformConnector: a BaseConnector built from its platform's settings model.

A platform's connector subclasses it, names its settings type and its streams
(``stream_specs``), and overrides at most two construction hooks: ``make_auth`` (how it
authenticates) and ``default_headers`` (headers on every call, e.g. an API version). It never
writes its own ``__init__``, so every connector takes the same keyword arguments and a new
platform starts from a copy of one folder. What every source reads the same way lives here:
the stream lookup (:meth:`PlatformConnector.stream`) and the window of a read
(:meth:`PlatformConnector.clamp_window`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

import httpx

from connectors._base import BaseConnector, utcnow
from connectors.calllog import CallRecorder
from connectors.errors import ConfigurationError
from connectors.http_settings import HttpSettings
from connectors.ratelimit import CircuitBreaker, KeyedPool, TokenBucket
from connectors.streams import AccountInfo, DateWindow, ReportSettings, StreamSpec
from connectors.windows import clamp_window

__all__ = ["PlatformConnector"]

S = TypeVar("S", bound=HttpSettings)


class PlatformConnector(BaseConnector, Generic[S]):
    """A connector configured by one settings model.

    Args:
        settings: the platform's settings (credentials, version, limits...).
        transport: injected transport (emulator in process, loopback, or None = network).
        recorder: where every HTTP attempt is recorded.
        sleep: blocking wait (tests pass a fake).
        clock: current UTC time (tests pass a fake).
        rng: random source for retry jitter.
        rate_limiters: shared token buckets, keyed as the platform counts its quota.
        breakers: shared circuit breakers.

    """

    auth: httpx.Auth | None
    stream_specs: ClassVar[tuple[StreamSpec, ...]] = ()

    def __init__(
        self,
        settings: S,
        *,
        transport: httpx.BaseTransport | None = None,
        recorder: CallRecorder | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        rate_limiters: KeyedPool[str, TokenBucket] | None = None,
        breakers: KeyedPool[str, CircuitBreaker] | None = None,
    ) -> None:
        self.settings = settings
        self.auth = self.make_auth(settings, lambda: clock().timestamp())
        super().__init__(
            base_url=settings.base_url,
            auth=self.auth,
            retry_policy=settings.retry,
            timeout=httpx.Timeout(
                settings.timeout_seconds, connect=settings.connect_timeout_seconds
            ),
            requests_per_second=settings.requests_per_second,
            burst=settings.burst,
            headroom_threshold=settings.headroom_threshold,
            breaker_failure_threshold=settings.breaker_failure_threshold,
            breaker_reset_timeout=settings.breaker_reset_timeout,
            transport=transport,
            recorder=recorder,
            sleep=sleep,
            clock=clock,
            headers=self.default_headers(settings),
            rng=rng,
            rate_limiters=rate_limiters,
            breakers=breakers,
        )

    def make_auth(self, settings: S, clock: Callable[[], float]) -> httpx.Auth | None:
        """Return the auth flow of every call (``clock``: epoch seconds, for token expiry)."""
        return None

    def default_headers(self, settings: S) -> dict[str, str]:
        """Return headers sent on every call (none by default)."""
        return {}

    def streams(self) -> list[StreamSpec]:
        """Return the declarative specs of every stream."""
        return list(self.stream_specs)

    def stream(self, name: str) -> StreamSpec:
        """Return the spec of stream ``name``.

        Raises:
            ConfigurationError: unknown stream.

        """
        spec = next((s for s in self.stream_specs if s.name == name), None)
        if spec is None:
            known = ", ".join(s.name for s in self.stream_specs)
            raise ConfigurationError(f"unknown {self.platform} stream {name!r} (known: {known})")
        return spec

    def clamp_window(
        self, account: AccountInfo, window: DateWindow | None, spec: StreamSpec,
        *, through_today: bool = False,
    ) -> DateWindow | None:
        """Return the days a read of ``spec`` covers in the account's time zone.

        ``None`` reads the default window (the last ``initial_days`` days); a requested
        window is cut at yesterday, or at today for a stream that runs ``through_today`` or
        when the caller asks for today's partial day (``through_today``).

        Raises:
            ConfigurationError: the settings have no report windows, or the account's time
                zone is unknown.

        """
        settings = self.settings
        if not isinstance(settings, ReportSettings):
            raise ConfigurationError(f"{self.platform} settings have no report windows")
        return clamp_window(
            window,
            timezone_name=account.timezone,
            now=self._clock(),
            lookback_days=settings.lookback_days,
            initial_days=settings.initial_days,
            through_today=spec.through_today or through_today,
        )
