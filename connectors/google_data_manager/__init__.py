"""Google Data Manager API connector: offline conversions to Google Ads (write only).

Endpoint: ``POST https://datamanager.googleapis.com/v1/events:ingest`` -
:meth:`GoogleDataManagerConnector.ingest_conversions`. OAuth2 refresh-token auth.
"""

from __future__ import annotations

from connectors.google_data_manager.client import GoogleDataManagerConnector
from connectors.google_data_manager.config import GoogleDataManagerSettings
from connectors.google_data_manager.models import (
    Consent,
    ConversionEvent,
    Destination,
    IngestRejected,
    IngestResult,
)

__all__ = ["Consent", "ConversionEvent", "Destination", "GoogleDataManagerConnector",
           "GoogleDataManagerSettings", "IngestRejected", "IngestResult"]
