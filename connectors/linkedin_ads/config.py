"""Settings of the LinkedIn Ads connector (pydantic; built by ``deployments``, never from env)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials
from connectors.linkedin_ads import settings as C

__all__ = ["LinkedInAdsSettings"]


def _bare_account(value: str) -> str:
    bare = value.strip().removeprefix(C.ACCOUNT_URN)
    if not bare.isdigit():
        raise ValueError(f"account id {value!r} is not a number or a sponsoredAccount URN")
    return bare


class LinkedInAdsSettings(RefreshCredentials, HttpSettings):
    """Everything the LinkedIn Ads connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: API host (emulator: any loopback URL); paths start with ``/rest``.
        oauth_base_url: host of ``/oauth/v2/accessToken`` (``www.linkedin.com``).
        api_version: the ``LinkedIn-Version`` header, ``YYYYMM`` (pinned in ``settings.py``).
        access_token: a member's OAuth access token (about 60 days).
        access_token_expires_at: when it expires, if known (refreshed ahead of it).
        token_refresh_skew_seconds: how long before a known expiry the token is refreshed.
        client_id: OAuth client id (with secret and refresh token: refresh is possible).
        client_secret: OAuth client secret.
        refresh_token: the refresh token (about 365 days; approved Marketing apps only).
        account_ids: read only these accounts (bare numbers or URNs); None = all.
        lookback_days: days re-read before the cursor (conversions restate for weeks).
        initial_days: length of a first report load without a cursor.
        requests_per_second: client-side rate per account.
        daily_request_quota: the app's daily call quota as shown in the Developer Portal.
            LinkedIn sends no usage headers, so headroom is counted against this (per UTC
            day, by this connector); None reports no headroom.
        object_page_size: ``pageSize`` of campaign and creative searches.
        analytics_row_cap: elements per adAnalytics answer beyond which it is truncated
            (15,000); an answer this long is split and re-read.
        analytics_max_fields: fields per adAnalytics request (20); more are chunked.
        analytics_metrics: metrics requested (``dateRange`` and ``pivotValues`` are added).

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    oauth_base_url: HttpURL = C.OAUTH_BASE_URL
    api_version: str = Field(default=C.API_VERSION, pattern=r"^20\d{2}(0[1-9]|1[0-2])$")
    access_token: SecretStr
    token_refresh_skew_seconds: float = Field(default=3600.0, ge=0)
    account_ids: tuple[str, ...] | None = None
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=400)
    initial_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=1)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    daily_request_quota: int | None = Field(default=None, ge=1)
    object_page_size: int = Field(default=C.OBJECT_PAGE_SIZE, ge=1, le=1000)
    analytics_row_cap: int = Field(default=C.ANALYTICS_ROW_CAP, ge=2)
    analytics_max_fields: int = Field(
        default=C.ANALYTICS_MAX_FIELDS, ge=len(C.ANALYTICS_KEY_FIELDS) + 1, le=20
    )
    analytics_metrics: tuple[str, ...] = C.ANALYTICS_METRICS

    @field_validator("account_ids")
    @classmethod
    def _bare_accounts(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(_bare_account(v) for v in value)

    @field_validator("analytics_metrics")
    @classmethod
    def _metrics(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        missing = set(C.ANALYTICS_METRICS) - set(value)
        if missing:
            raise ValueError(f"analytics_metrics must include {sorted(missing)}")
        if len(set(value)) != len(value) or set(value) & set(C.ANALYTICS_KEY_FIELDS):
            raise ValueError("analytics_metrics must be unique metric names")
        return value

    @property
    def token_url(self) -> str:
        """Absolute URL of the OAuth token endpoint."""
        return f"{self.oauth_base_url}{C.TOKEN_PATH}"
