"""The settings every platform shares: URLs, token expiry, the OAuth refresh triple."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.auth import OAuth2RefreshTokenAuth, refresh_token_auth
from connectors.description import describe, platforms
from connectors.errors import ConfigurationError
from connectors.ga4 import Ga4Settings
from connectors.http_settings import RefreshCredentials, TokenSettings
from connectors.hubspot import HubSpotSettings
from connectors.linkedin_ads import LinkedInAdsSettings
from connectors.shopify import ShopifySettings
from resources.sandbox import connector_settings

GOOGLE: dict[str, Any] = {
    "client_id": "c", "client_secret": SecretStr("s"), "refresh_token": SecretStr("r"),
}
TOKEN = SecretStr("t")

HTTP_PLATFORMS = sorted(d.name for d in platforms() if d.live_base_url)
"""Every declared platform reached over HTTP (all but the drop folder), found by discovery."""


def settings_of(platform: str, **fields: Any) -> Any:
    """`platform`'s settings model with its sandbox credentials (its emulator declares them)."""
    values = {**connector_settings(platform, "https://example.test"), **fields}
    return describe(platform).settings_cls()(**values)


# Settings built with their required fields only (no refresh credentials).
MINIMAL: dict[str, Callable[..., Any]] = {
    "hubspot": lambda **kw: HubSpotSettings(access_token=TOKEN, **kw),
    "linkedin_ads": lambda **kw: LinkedInAdsSettings(access_token=TOKEN, **kw),
    "shopify": lambda **kw: ShopifySettings(shop="acme", access_token=TOKEN, **kw),
}


def test_every_platform_with_http_is_here():
    assert {"meta_ads", "google_ads", "google_data_manager", "shopify"} <= set(HTTP_PLATFORMS)
    assert "offline_conversions" not in HTTP_PLATFORMS


@pytest.mark.parametrize("platform", HTTP_PLATFORMS)
def test_every_platform_takes_an_http_base_url_without_its_trailing_slash(platform):
    settings = settings_of(platform, base_url="http://127.0.0.1:8000/")
    assert settings.base_url == "http://127.0.0.1:8000"
    with pytest.raises(ValidationError, match="must start with http:// or https://"):
        settings_of(platform, base_url="ftp://127.0.0.1")


@pytest.mark.parametrize("platform", HTTP_PLATFORMS)
def test_every_platform_refuses_a_naive_token_expiry(platform):
    assert isinstance(settings_of(platform), TokenSettings)
    aware = datetime(2026, 1, 1, tzinfo=UTC)
    assert settings_of(platform, access_token_expires_at=aware).expires_at_epoch == (
        aware.timestamp()
    )
    with pytest.raises(ValidationError, match="timezone-aware"):
        settings_of(platform, access_token_expires_at=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [("token_url", "ftp://x"), ("admin_base_url", "file:///x")],
)
def test_other_url_settings_are_checked_too(field, value):
    with pytest.raises(ValidationError, match=field):
        Ga4Settings(property_ids=("1",), **GOOGLE, **{field: value})


@pytest.mark.parametrize("platform", ["hubspot", "linkedin_ads", "shopify"])
def test_refresh_credentials_come_as_all_three_or_none(platform):
    assert not MINIMAL[platform]().can_refresh_token
    assert MINIMAL[platform](**GOOGLE).can_refresh_token
    with pytest.raises(ValidationError, match="needs client_id, client_secret and refresh_token"):
        MINIMAL[platform](client_id="c", refresh_token="r")


def test_a_shopify_base_url_keeps_only_the_shop_placeholder():
    assert ShopifySettings(
        shop="acme", access_token=TOKEN, base_url="http://{shop}.test/"
    ).base_url == "http://acme.test"
    with pytest.raises(ValidationError, match="the only placeholder"):
        ShopifySettings(shop="acme", access_token=TOKEN, base_url="http://{other}.test")


def test_refresh_token_auth_is_built_from_the_settings():
    expires = datetime(2026, 1, 1, tzinfo=UTC)
    settings = RefreshCredentials(
        **GOOGLE, access_token_expires_at=expires, token_refresh_skew_seconds=42
    )
    auth = refresh_token_auth(
        settings, token_url="https://t.test/token", access_token=SecretStr("a"), clock=lambda: 0.0
    )
    assert isinstance(auth, OAuth2RefreshTokenAuth)
    assert auth.client_id == "c"
    assert auth.token_url == "https://t.test/token"
    with pytest.raises(ConfigurationError, match="needs client_id"):
        refresh_token_auth(
            RefreshCredentials(), token_url="https://t.test", access_token=None, clock=lambda: 0.0
        )
