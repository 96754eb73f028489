"""The Prefect credentials block of ga4 (found through ``connectors.blocks``).

Deployments load the block and turn it into the connector's settings; the secret values stay
``SecretStr`` all the way into the auth object.
"""

from __future__ import annotations

from typing import Any

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from connectors.ga4.config import Ga4Settings

__all__ = ["Ga4Credentials"]


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
