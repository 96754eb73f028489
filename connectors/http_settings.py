"""Settings every connector shares: HTTP pacing and resilience, URLs, token expiry, OAuth refresh.

A platform's settings model subclasses :class:`HttpSettings` and adds what only that platform
has (credentials, version, page sizes); it redeclares ``base_url`` and ``requests_per_second``
with the platform's own defaults. Platforms with expiring tokens also take
:class:`TokenSettings` (expiry and refresh skew) or :class:`RefreshCredentials` (the OAuth
refresh-token grant's client id, secret and refresh token, all three or none), listed before
``HttpSettings``::

    class HubSpotSettings(RefreshCredentials, HttpSettings): ...

Every URL field is typed :data:`HttpURL`: an ``http(s)`` URL, stored without its trailing
slash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from connectors.retry import RetryPolicy

__all__ = ["HttpSettings", "HttpURL", "RefreshCredentials", "TokenSettings", "http_url"]


def http_url(value: str) -> str:
    """Return an ``http(s)`` URL without its trailing slash.

    Raises:
        ValueError: any other scheme.

    """
    if not value.startswith(("http://", "https://")):
        raise ValueError("URLs must start with http:// or https://")
    return value.rstrip("/")


HttpURL = Annotated[str, AfterValidator(http_url)]
"""A URL setting: ``http(s)`` only, without a trailing slash (paths are appended to it)."""


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

    base_url: HttpURL
    requests_per_second: float = Field(default=5.0, gt=0)
    burst: int = Field(default=1, ge=1)
    headroom_threshold: float = Field(default=0.05, ge=0, le=1)
    timeout_seconds: float = Field(default=60.0, gt=0)
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    retry: RetryPolicy = RetryPolicy()
    breaker_failure_threshold: int = Field(default=5, ge=1)
    breaker_reset_timeout: float = Field(default=60.0, ge=0)


class TokenSettings(BaseModel):
    """When the access token expires, and how long before that it is refreshed.

    Attributes:
        access_token_expires_at: the token's expiry, if known (timezone-aware).
        token_refresh_skew_seconds: refresh this long before a known expiry.

    """

    access_token_expires_at: datetime | None = None
    token_refresh_skew_seconds: float = Field(default=300.0, ge=0)

    @field_validator("access_token_expires_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A naive expiry would be read in the worker's local time: refreshed hours off.
        if value is not None and value.utcoffset() is None:
            raise ValueError("access_token_expires_at must be timezone-aware")
        return value

    @property
    def expires_at_epoch(self) -> float | None:
        """The expiry in epoch seconds (what the auth objects take), if known."""
        expires = self.access_token_expires_at
        return expires.timestamp() if expires is not None else None


class RefreshCredentials(TokenSettings):
    """The OAuth refresh-token grant's credentials: all three, or none (no refresh).

    Platforms that cannot work without a refresh (Google) redeclare the three as required.

    Attributes:
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token.

    """

    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None

    @model_validator(mode="after")
    def _refresh_triple(self) -> Self:
        given = [x is not None for x in (self.client_id, self.client_secret, self.refresh_token)]
        if any(given) and not all(given):
            raise ValueError("token refresh needs client_id, client_secret and refresh_token")
        return self

    @property
    def can_refresh_token(self) -> bool:
        """True when an expired token can be refreshed (client id, secret, refresh token)."""
        return self.refresh_token is not None
