"""Settings of the Acme Ads connector (pydantic; built by ``deployments``, never from env)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials

from . import settings as C

__all__ = ["AcmeAdsSettings"]


class AcmeAdsSettings(RefreshCredentials, HttpSettings):
    """Everything the Acme Ads connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: API host (emulator: any loopback URL); also serves ``/oauth/token``.
        access_token: an OAuth access token.
        account_ids: read only these accounts; None = every account the token can read.
        lookback_days: days re-read before the cursor (late conversions restate them).
        initial_days: length of a first report load without a cursor.
        requests_per_second: client-side rate per account.
        object_page_size: ``limit`` of account and campaign listings.
        stats_page_size: ``limit`` of the daily stats listing.

        (Token refresh: see ``RefreshCredentials``; pacing, timeouts, retries and the
        breaker: see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    access_token: SecretStr
    account_ids: tuple[str, ...] | None = None
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=C.MAX_LOOKBACK_DAYS)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    object_page_size: int = Field(default=C.OBJECT_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE)
    stats_page_size: int = Field(default=C.STATS_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE)

    @field_validator("account_ids")
    @classmethod
    def _numeric_accounts(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        cleaned = tuple(v.strip() for v in value)
        if not all(v.isdigit() for v in cleaned):
            raise ValueError("Acme account ids are numbers")
        return cleaned

    @property
    def token_url(self) -> str:
        """Absolute URL of the OAuth token endpoint."""
        return f"{self.base_url}{C.TOKEN_PATH}"
