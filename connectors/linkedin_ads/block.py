"""The Prefect credentials block of linkedin_ads (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.linkedin_ads.config import LinkedInAdsSettings

__all__ = ["LinkedInAdsCredentials"]


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
