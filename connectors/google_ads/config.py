"""Settings of the Google Ads connector (pydantic; built by ``deployments``, not from env)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from connectors.google_ads import settings as C
from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials

__all__ = ["GoogleAdsSettings", "normalize_customer_id"]


def normalize_customer_id(value: str) -> str:
    """Return a customer id without dashes or spaces (``555-000-1001`` -> ``5550001001``).

    Raises:
        ValueError: not 10 digits once cleaned.

    """
    cleaned = value.replace("-", "").replace(" ", "").strip()
    if not (cleaned.isdigit() and len(cleaned) == 10):
        raise ValueError(f"a Google Ads customer id has 10 digits, got {value!r}")
    return cleaned


class GoogleAdsSettings(RefreshCredentials, HttpSettings):
    """Everything the Google Ads connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: API host (emulator: any loopback URL).
        api_version: pinned major version, e.g. ``v26``.
        developer_token: the developer token (``developer-token`` header on every call).
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token of a user with access to the accounts.
        token_url: OAuth token endpoint.
        access_token: a current access token, if one is at hand (else refreshed first).
        access_token_expires_at: its expiry, if known.
        token_refresh_skew_seconds: refresh this long before a known expiry.
        login_customer_id: the manager account the calls go through (``login-customer-id``);
            ``list_accounts`` then lists its client accounts.
        customer_ids: read only these client accounts (dashes allowed); None = all.
        lookback_days: days re-read before the cursor (the conversion window, max 90).
        initial_days: length of a first report load without a cursor (30: the attribution
            report's default period, so a first load prices it whole).
        requests_per_second: client-side rate per account.
        use_search_stream: read the report with ``:searchStream`` (one call) instead of
            paging ``:search``.

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    api_version: str = Field(default=C.API_VERSION, pattern=r"^v\d+$")
    developer_token: SecretStr
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr
    token_url: HttpURL = C.TOKEN_URL
    access_token: SecretStr | None = None
    login_customer_id: str | None = None
    customer_ids: tuple[str, ...] | None = None
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=C.MAX_LOOKBACK_DAYS)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    use_search_stream: bool = True

    @field_validator("login_customer_id")
    @classmethod
    def _login(cls, value: str | None) -> str | None:
        return normalize_customer_id(value) if value is not None else None

    @field_validator("customer_ids")
    @classmethod
    def _customers(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return tuple(normalize_customer_id(v) for v in value) if value is not None else None
