"""The Prefect credentials block of google_data_manager (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.google_data_manager.config import GoogleDataManagerSettings

__all__ = ["GoogleDataManagerCredentials"]


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
