"""HubSpot: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="hubspot",
    title="HubSpot",
    role="source",
    connector="HubSpotConnector",
    settings="HubSpotSettings",
    credentials_block="HubSpotCredentials",
    live_base_url="https://api.hubapi.com",
    quota_scope="account",  # limits per portal (the account), shared by its apps
    max_lookback_days=400,  # CRM records change whenever someone edits them
    order=40,
    chart_color="#FF7A59",
)
