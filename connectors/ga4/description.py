"""Google Analytics 4: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="ga4",
    title="Google Analytics 4",
    role="source",
    connector="Ga4Connector",
    settings="Ga4Settings",
    credentials_block="Ga4Credentials",
    live_base_url="https://analyticsdata.googleapis.com",
    quota_scope="account",  # token quotas are counted per property
    max_lookback_days=30,  # GA4 settles within days
    order=50,
)
