"""Platform name -> connector class and settings class (CLI, contract tests, deployments)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from connectors._base import BaseConnector
from connectors.errors import ConfigurationError
from connectors.ga4 import Ga4Connector, Ga4Settings
from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.shopify import ShopifyConnector, ShopifySettings

__all__ = ["CONNECTORS", "ConnectorEntry", "get_connector"]


@dataclass(frozen=True)
class ConnectorEntry:
    """One registered platform.

    Attributes:
        platform: platform name (same as the emulator and warehouse schema).
        connector_cls: the connector class.
        settings_cls: its settings model.

    """

    platform: str
    connector_cls: type[BaseConnector]
    settings_cls: type[BaseModel]


CONNECTORS: dict[str, ConnectorEntry] = {
    "meta_ads": ConnectorEntry("meta_ads", MetaAdsConnector, MetaAdsSettings),
    "linkedin_ads": ConnectorEntry("linkedin_ads", LinkedInAdsConnector, LinkedInAdsSettings),
    "google_ads": ConnectorEntry("google_ads", GoogleAdsConnector, GoogleAdsSettings),
    "hubspot": ConnectorEntry("hubspot", HubSpotConnector, HubSpotSettings),
    "ga4": ConnectorEntry("ga4", Ga4Connector, Ga4Settings),
    "shopify": ConnectorEntry("shopify", ShopifyConnector, ShopifySettings),
}


def get_connector(platform: str) -> ConnectorEntry:
    """Return the entry of ``platform``.

    Raises:
        ConfigurationError: unknown platform.

    """
    try:
        return CONNECTORS[platform]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise ConfigurationError(f"unknown platform {platform!r} (known: {known})") from None
