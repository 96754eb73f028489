"""Prefect credential blocks. The only module of ``connectors`` that imports Prefect.

Deployments load a block and turn it into a connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.ga4 import Ga4Settings
from connectors.google_ads import GoogleAdsSettings
from connectors.google_data_manager import GoogleDataManagerSettings
from connectors.hubspot import HubSpotSettings
from connectors.linkedin_ads import LinkedInAdsSettings
from connectors.meta_ads.config import MetaAdsSettings
from connectors.shopify import ShopifySettings

__all__ = [
    "Ga4Credentials",
    "GoogleAdsCredentials",
    "GoogleDataManagerCredentials",
    "HubSpotCredentials",
    "LinkedInAdsCredentials",
    "MetaAdsCredentials",
    "ShopifyCredentials",
]


class MetaAdsCredentials(Block):
    """Credentials of the Meta Marketing API.

    Attributes:
        access_token: system-user (or long-lived user) access token; scopes ``ads_read``
            (reporting) and ``ads_management`` (apply).
        app_id: the app id (for token exchange and ``appsecret_proof``).
        app_secret: the app secret.

    """

    _block_type_name = "Meta Ads Credentials"
    _block_type_slug = "meta-ads-credentials"
    _description = "Access token (and optional app id/secret) of the Meta Marketing API."

    access_token: SecretStr = Field(description="System-user or long-lived user token.")
    app_id: str | None = Field(default=None, description="App id (token exchange).")
    app_secret: SecretStr | None = Field(default=None, description="App secret.")

    def to_settings(self, **overrides: Any) -> MetaAdsSettings:
        """Build connector settings from these credentials.

        Args:
            **overrides: any other :class:`MetaAdsSettings` field (base_url, account_ids...).

        Returns:
            The settings.

        """
        return MetaAdsSettings(
            access_token=self.access_token,
            app_id=self.app_id,
            app_secret=self.app_secret,
            **overrides,
        )


class LinkedInAdsCredentials(Block):
    """Credentials of the LinkedIn Marketing API.

    Attributes:
        access_token: member access token with ``r_ads_reporting`` (and ``rw_ads`` to apply).
        client_id: app client id (refresh-token grant; approved Marketing apps only).
        client_secret: app client secret.
        refresh_token: refresh token (about a year long).

    """

    _block_type_name = "LinkedIn Ads Credentials"
    _block_type_slug = "linkedin-ads-credentials"
    _description = "Access token (and optional refresh credentials) of LinkedIn's Marketing API."

    access_token: SecretStr = Field(description="Member access token.")
    client_id: str | None = Field(default=None, description="App client id.")
    client_secret: SecretStr | None = Field(default=None, description="App client secret.")
    refresh_token: SecretStr | None = Field(default=None, description="Refresh token.")

    def to_settings(self, **overrides: Any) -> LinkedInAdsSettings:
        """Build connector settings from these credentials.

        Args:
            **overrides: any other :class:`LinkedInAdsSettings` field.

        Returns:
            The settings.

        """
        return LinkedInAdsSettings(
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            **overrides,
        )


class GoogleAdsCredentials(Block):
    """Credentials of the Google Ads API (REST).

    Attributes:
        developer_token: the developer token (Basic or Standard access).
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: refresh token of a user with access to the accounts (scope adwords).
        login_customer_id: the manager account the calls go through, if any.

    """

    _block_type_name = "Google Ads Credentials"
    _block_type_slug = "google-ads-credentials"
    _description = "Developer token and OAuth refresh credentials of the Google Ads API."

    developer_token: SecretStr = Field(description="Developer token.")
    client_id: str = Field(description="OAuth client id.")
    client_secret: SecretStr = Field(description="OAuth client secret.")
    refresh_token: SecretStr = Field(description="OAuth refresh token.")
    login_customer_id: str | None = Field(default=None, description="Manager customer id.")

    def to_settings(self, **overrides: Any) -> GoogleAdsSettings:
        """Build connector settings from these credentials.

        Args:
            **overrides: any other :class:`GoogleAdsSettings` field.

        Returns:
            The settings.

        """
        return GoogleAdsSettings(
            developer_token=self.developer_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            login_customer_id=self.login_customer_id,
            **overrides,
        )


class HubSpotCredentials(Block):
    """Credentials of the HubSpot CRM API.

    Attributes:
        access_token: a private app's access token (scopes: crm.objects.contacts/companies/
            deals read and write, crm.lists.read, forms).
        client_id: OAuth app client id (public apps refresh their tokens).
        client_secret: OAuth app client secret.
        refresh_token: OAuth refresh token.

    """

    _block_type_name = "HubSpot Credentials"
    _block_type_slug = "hubspot-credentials"
    _description = "Private-app token (or OAuth refresh credentials) of the HubSpot CRM API."

    access_token: SecretStr = Field(description="Private app or OAuth access token.")
    client_id: str | None = Field(default=None, description="OAuth client id.")
    client_secret: SecretStr | None = Field(default=None, description="OAuth client secret.")
    refresh_token: SecretStr | None = Field(default=None, description="OAuth refresh token.")

    def to_settings(self, **overrides: Any) -> HubSpotSettings:
        """Build connector settings from these credentials (``overrides``: other fields)."""
        return HubSpotSettings(
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            **overrides,
        )


class Ga4Credentials(Block):
    """Credentials of the GA4 Data and Admin APIs (OAuth refresh, scope analytics.readonly).

    Attributes:
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token (analytics.readonly).
        property_ids: the GA4 properties to read.
        client_id_dimension: the custom dimension holding the GA client id.

    """

    _block_type_name = "GA4 Credentials"
    _block_type_slug = "ga4-credentials"
    _description = "OAuth refresh credentials and property ids of the GA4 Data API."

    client_id: str = Field(description="OAuth client id.")
    client_secret: SecretStr = Field(description="OAuth client secret.")
    refresh_token: SecretStr = Field(description="OAuth refresh token (analytics.readonly).")
    property_ids: list[str] = Field(description="GA4 property ids (123 or properties/123).")
    client_id_dimension: str = Field(
        default="customEvent:ga_client_id",
        description="Custom dimension holding the GA client id.",
    )

    def to_settings(self, **overrides: Any) -> Ga4Settings:
        """Build connector settings from these credentials (``overrides``: other fields)."""
        return Ga4Settings(
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            property_ids=tuple(self.property_ids),
            client_id_dimension=self.client_id_dimension,
            **overrides,
        )


class ShopifyCredentials(Block):
    """Credentials of one shop's Admin GraphQL API.

    Attributes:
        shop: the shop handle or ``*.myshopify.com`` domain.
        access_token: Admin API access token (read_orders, read_customers).
        client_id: app client id (expiring offline tokens refresh with it).
        client_secret: app client secret.
        refresh_token: refresh token of an expiring offline token.

    """

    _block_type_name = "Shopify Credentials"
    _block_type_slug = "shopify-credentials"
    _description = "Shop and Admin API token (optional refresh credentials) of Shopify."

    shop: str = Field(description="Shop handle or *.myshopify.com domain.")
    access_token: SecretStr = Field(description="Admin API access token.")
    client_id: str | None = Field(default=None, description="App client id (expiring tokens).")
    client_secret: SecretStr | None = Field(default=None, description="App client secret.")
    refresh_token: SecretStr | None = Field(default=None, description="Refresh token.")

    def to_settings(self, **overrides: Any) -> ShopifySettings:
        """Build connector settings from these credentials (``overrides``: other fields)."""
        return ShopifySettings(
            shop=self.shop,
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            **overrides,
        )


class GoogleDataManagerCredentials(Block):
    """Credentials of the Google Data Manager API (offline conversions to Google Ads).

    Attributes:
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: refresh token of a user with access to the operating account (scope
            ``https://www.googleapis.com/auth/datamanager``; no developer token needed).

    """

    _block_type_name = "Google Data Manager Credentials"
    _block_type_slug = "google-data-manager-credentials"
    _description = "OAuth refresh credentials of the Google Data Manager API."

    client_id: str = Field(description="OAuth client id.")
    client_secret: SecretStr = Field(description="OAuth client secret.")
    refresh_token: SecretStr = Field(description="OAuth refresh token (datamanager scope).")

    def to_settings(self, **overrides: Any) -> GoogleDataManagerSettings:
        """Build connector settings from these credentials (``overrides``: other fields)."""
        return GoogleDataManagerSettings(
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            **overrides,
        )
