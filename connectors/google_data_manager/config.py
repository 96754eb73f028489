"""Settings of the Google Data Manager connector (built by ``deployments``, never from env here)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from connectors.google_data_manager import settings as C
from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials

__all__ = ["GoogleDataManagerSettings"]


class GoogleDataManagerSettings(RefreshCredentials, HttpSettings):
    """Everything the Data Manager connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: Data Manager host (emulator: any loopback URL).
        token_url: OAuth token endpoint.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token (scope ``datamanager``).
        access_token: a current access token, if any.
        access_token_expires_at: its expiry, if known.
        token_refresh_skew_seconds: refresh this long before a known expiry.
        requests_per_second: client-side pacing.

        (Token expiry: see ``TokenSettings``; timeouts, retries and the breaker: see
        ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    token_url: HttpURL = C.TOKEN_URL
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr
    access_token: SecretStr | None = None
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
