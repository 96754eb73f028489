"""The Prefect credentials block of acme_ads (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from .config import AcmeAdsSettings

__all__ = ["AcmeAdsCredentials"]


class AcmeAdsCredentials(Block):
    """Credentials of the Acme Ads API.

    Attributes:
        access_token: OAuth access token.
        client_id: OAuth client id (with secret and refresh token: refresh is possible).
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token.

    """

    _block_type_name = "Acme Ads Credentials"
    _block_type_slug = "acme-ads-credentials"
    _description = "Access token (and optional refresh credentials) of the Acme Ads API."

    access_token: SecretStr = Field(description="OAuth access token.")
    client_id: str | None = Field(default=None, description="OAuth client id.")
    client_secret: SecretStr | None = Field(default=None, description="OAuth client secret.")
    refresh_token: SecretStr | None = Field(default=None, description="OAuth refresh token.")

    def to_settings(self, **overrides: Any) -> AcmeAdsSettings:
        """Build connector settings from these credentials (``overrides``: other fields)."""
        return AcmeAdsSettings(
            access_token=self.access_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            refresh_token=self.refresh_token,
            **overrides,
        )
