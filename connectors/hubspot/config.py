"""Settings of the HubSpot connector (pydantic; built by ``deployments``, never from env)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials
from connectors.hubspot import settings as C

__all__ = ["HubSpotSettings"]


def _prefix(value: str) -> str:
    if not value.startswith("/") or value.endswith("/") or "?" in value:
        raise ValueError(f"path prefix {value!r} must start with '/' and not end with '/'")
    return value


class HubSpotSettings(RefreshCredentials, HttpSettings):
    """Everything the HubSpot connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: API host (an emulator: any loopback URL).
        access_token: a private-app (or service-key) token ``pat-...``, or a current OAuth
            access token.
        access_token_expires_at: when an OAuth access token expires, if known (refreshed
            ahead of it: HubSpot says to track the TTL rather than wait for a 401).
        token_refresh_skew_seconds: refresh this long before a known expiry.
        client_id: OAuth client id (with secret and refresh token: refresh is possible).
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token.
        objects_prefix: CRM objects path, ``/crm/v3/objects`` or a date version such as
            ``/crm/objects/2026-03``.
        lists_prefix: lists path (``/crm/v3/lists`` or ``/crm/lists/2026-03``).
        pipelines_prefix: pipelines path.
        associations_prefix: associations path (``/crm/v4/associations``).
        lookback_days: days re-read before the cursor.
        initial_days: length of a first load without a cursor.
        requests_per_second: client-side pace of ordinary calls per portal.
        search_requests_per_second: pace of search calls (HubSpot's own, lower limit).
        search_page_size: ``limit`` of search pages (at most 200).
        search_result_cap: results a search can reach before it must re-anchor (10,000).
        object_page_size: ``limit`` of list reads (lists, memberships, objects).
        submission_page_size: ``limit`` of form-submission pages (at most 50).
        batch_size: inputs per batch upsert (at most 100).
        contact_properties: contact properties requested.
        deal_properties: deal properties requested.
        company_properties: company properties requested.

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    access_token: SecretStr
    objects_prefix: str = C.OBJECTS_PREFIX
    lists_prefix: str = C.LISTS_PREFIX
    pipelines_prefix: str = C.PIPELINES_PREFIX
    associations_prefix: str = C.ASSOCIATIONS_PREFIX
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=400)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    search_requests_per_second: float = Field(
        default=C.DEFAULT_SEARCH_REQUESTS_PER_SECOND, gt=0
    )
    search_page_size: int = Field(default=C.SEARCH_PAGE_SIZE, ge=1, le=200)
    search_result_cap: int = Field(default=C.SEARCH_RESULT_CAP, ge=2, le=C.SEARCH_RESULT_CAP)
    object_page_size: int = Field(default=C.OBJECT_PAGE_SIZE, ge=1, le=250)
    submission_page_size: int = Field(default=C.SUBMISSION_PAGE_SIZE, ge=1, le=50)
    batch_size: int = Field(default=C.BATCH_UPSERT_SIZE, ge=1, le=C.BATCH_UPSERT_SIZE)
    contact_properties: tuple[str, ...] = C.CONTACT_PROPERTIES
    deal_properties: tuple[str, ...] = C.DEAL_PROPERTIES
    company_properties: tuple[str, ...] = C.COMPANY_PROPERTIES

    @field_validator("objects_prefix", "lists_prefix", "pipelines_prefix",
                     "associations_prefix")
    @classmethod
    def _prefixes(cls, value: str) -> str:
        return _prefix(value)

    @model_validator(mode="after")
    def _search_pages(self) -> HubSpotSettings:
        if self.search_page_size > self.search_result_cap:
            raise ValueError("search_page_size must not exceed search_result_cap")
        return self

    @property
    def token_url(self) -> str:
        """Absolute URL of the OAuth token endpoint."""
        return f"{self.base_url}{C.TOKEN_PATH}"
