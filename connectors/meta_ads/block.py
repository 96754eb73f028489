"""The Prefect credentials block of meta_ads (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.meta_ads.config import MetaAdsSettings

__all__ = ["MetaAdsCredentials"]


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
