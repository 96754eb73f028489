"""The Prefect credentials block of google_ads (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.google_ads.config import GoogleAdsSettings

__all__ = ["GoogleAdsCredentials"]


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
