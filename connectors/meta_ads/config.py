"""Settings of the Meta Ads connector (pydantic; built by ``deployments``, never from env here)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.http_settings import HttpSettings, HttpURL, TokenSettings
from connectors.meta_ads import settings as C

__all__ = ["MetaAdsSettings"]


class MetaAdsSettings(TokenSettings, HttpSettings):
    """Everything the Meta Ads connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: Graph host (emulator: any loopback URL).
        api_version: pinned Graph version, e.g. ``v26.0``.
        access_token: system-user or long-lived user token.
        access_token_expires_at: when the token expires, if known (e.g. a 60-day user
            token); with app credentials it is exchanged ``token_refresh_skew_seconds`` before.
        token_refresh_skew_seconds: how long before a known expiry the token is exchanged.
        app_id: app id, needed with ``app_secret`` for the token exchange.
        app_secret: app secret; enables ``fb_exchange_token`` refresh of an expired token.
        account_ids: read only these accounts (``act_`` prefix optional); None = all.
        lookback_days: days re-read before the cursor (late conversions; Meta max 28).
        initial_days: length of a first report load without a cursor (30: the attribution
            report's default period, so a first load prices it whole).
        attribution_windows: ``action_attribution_windows`` of insights reports.
        conversion_action_types: action types summed into ``conversions``.
        requests_per_second: client-side rate per account.
        object_page_size: ``limit`` for campaigns, ad sets and ads.
        insights_page_size: ``limit`` for report rows.
        report_poll_initial_seconds: first wait between report status polls.
        report_poll_max_seconds: cap of the poll wait (doubles from the initial one).
        report_timeout_seconds: give up on a report job after this long.
        report_max_split_depth: how many times a failing date range may be halved.

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    api_version: str = Field(default=C.API_VERSION, pattern=r"^v\d+\.\d+$")
    access_token: SecretStr
    token_refresh_skew_seconds: float = Field(default=3600.0, ge=0)
    app_id: str | None = None
    app_secret: SecretStr | None = None
    account_ids: tuple[str, ...] | None = None
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=400)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    attribution_windows: tuple[str, ...] = C.DEFAULT_ATTRIBUTION_WINDOWS
    conversion_action_types: tuple[str, ...] = C.DEFAULT_CONVERSION_ACTION_TYPES
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    # Slow down above 95% usage (Airbyte pauses Meta extraction at 95% too).
    object_page_size: int = Field(default=C.OBJECT_PAGE_SIZE, ge=1, le=5000)
    insights_page_size: int = Field(default=C.INSIGHTS_PAGE_SIZE, ge=1, le=5000)
    report_poll_initial_seconds: float = Field(default=1.0, gt=0)
    report_poll_max_seconds: float = Field(default=30.0, gt=0)
    report_timeout_seconds: float = Field(default=1800.0, gt=0)
    report_max_split_depth: int = Field(default=4, ge=0)

    @field_validator("account_ids")
    @classmethod
    def _prefix_accounts(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(v if v.startswith("act_") else f"act_{v}" for v in value)

    @model_validator(mode="after")
    def _app_pair(self) -> MetaAdsSettings:
        if self.app_secret is not None and self.app_id is None:
            raise ValueError("app_secret needs app_id (the token exchange sends both)")
        return self

    @property
    def can_refresh_token(self) -> bool:
        """True when an expired token can be exchanged (app id and secret are set)."""
        return self.app_id is not None and self.app_secret is not None
