"""Google Data Manager: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="google_data_manager",
    title="Google Data Manager",
    role="destination",
    connector="GoogleDataManagerConnector",
    settings="GoogleDataManagerSettings",
    credentials_block="GoogleDataManagerCredentials",
    live_base_url="https://datamanager.googleapis.com",
    quota_scope="app",  # IngestionService quotas are per Cloud project
    max_lookback_days=0,  # a destination: nothing is read back
    order=80,
)
