"""The Prefect credentials block of hubspot (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.hubspot.config import HubSpotSettings

__all__ = ["HubSpotCredentials"]


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
