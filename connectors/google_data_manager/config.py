"""Settings of the Google Data Manager connector (built by ``deployments``, never from env here)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, SecretStr, field_validator

from connectors.google_data_manager import settings as C
from connectors.http_settings import HttpSettings

__all__ = ["GoogleDataManagerSettings"]


class GoogleDataManagerSettings(HttpSettings):
    """Everything the Data Manager connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: Data Manager host (emulator: any loopback URL).
        token_url: OAuth token endpoint.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token (scope ``datamanager``).
        access_token: a current access token, if any.
        access_token_expires_at: its expiry, if known.
        requests_per_second: client-side pacing.

        (Timeouts, retries and the breaker: see ``HttpSettings``.)

    """

    base_url: str = C.BASE_URL
    token_url: str = C.TOKEN_URL
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr
    access_token: SecretStr | None = None
    access_token_expires_at: datetime | None = None
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)

    @field_validator("base_url", "token_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")
