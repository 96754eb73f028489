"""The Prefect credentials block of shopify (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.shopify.config import ShopifySettings

__all__ = ["ShopifyCredentials"]


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
