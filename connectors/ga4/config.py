"""Settings of the GA4 connector (pydantic; built by ``deployments``, never from env)."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from connectors.ga4 import settings as C
from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials

__all__ = ["Ga4Settings", "normalize_property_id"]

_DIMENSION_NAME = re.compile(r"^custom(Event|User|Item):[A-Za-z][A-Za-z0-9_]{0,39}$")


def normalize_property_id(value: str) -> str:
    """Return the bare number of a property id typed as ``123`` or ``properties/123``.

    Raises:
        ValueError: not a GA4 property id.

    """
    cleaned = value.strip().removeprefix("properties/")
    if not cleaned.isdigit():
        raise ValueError(f"a GA4 property id is a number (or properties/<number>), got {value!r}")
    return cleaned


class Ga4Settings(RefreshCredentials, HttpSettings):
    """Everything the GA4 connector needs; secrets are ``SecretStr``.

    Attributes:
        base_url: Data API host (emulator: any loopback URL).
        admin_base_url: Admin API host (property metadata, custom dimensions).
        token_url: OAuth token endpoint.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token of a user with read access to the properties
            (scope ``analytics.readonly``).
        access_token: a current access token, if one is at hand (else refreshed first).
        access_token_expires_at: its expiry, if known.
        token_refresh_skew_seconds: refresh this long before a known expiry.
        property_ids: the properties to read (``123`` or ``properties/123``); GA4 has no
            "all accounts" here: each property is named.
        client_id_dimension: the registered custom dimension holding the GA client id, as
            the Data API names it (``customEvent:<event parameter>``).
        lookback_days: days re-read before the cursor (GA4 restates the last 1-3 days).
        initial_days: length of a first report load without a cursor.
        report_page_size: ``limit`` of each runReport page (at most 250,000).
        admin_page_size: ``pageSize`` of Admin API lists (at most 200).
        requests_per_second: client-side rate per property.

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    base_url: HttpURL = C.BASE_URL
    admin_base_url: HttpURL = C.ADMIN_BASE_URL
    token_url: HttpURL = C.TOKEN_URL
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr
    access_token: SecretStr | None = None
    property_ids: tuple[str, ...] = Field(min_length=1)
    client_id_dimension: str = C.CLIENT_ID_DIMENSION
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=C.MAX_LOOKBACK_DAYS)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    report_page_size: int = Field(default=C.REPORT_PAGE_SIZE, ge=1, le=C.MAX_REPORT_PAGE_SIZE)
    admin_page_size: int = Field(default=C.ADMIN_PAGE_SIZE, ge=1, le=C.ADMIN_PAGE_SIZE)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)

    @field_validator("property_ids")
    @classmethod
    def _properties(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(normalize_property_id(v) for v in value)
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("each property id may be named once")
        return cleaned

    @field_validator("client_id_dimension")
    @classmethod
    def _dimension(cls, value: str) -> str:
        if not _DIMENSION_NAME.match(value):
            raise ValueError(
                f"client_id_dimension {value!r} must be a registered custom dimension's API "
                "name, e.g. customEvent:ga_client_id"
            )
        return value

