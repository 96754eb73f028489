"""Offline conversions: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="offline_conversions",
    title="Offline conversions",
    role="source",
    connector="OfflineConversionsConnector",
    settings="OfflineConversionsSettings",
    quota_scope="account",  # files in a folder: no quota
    max_lookback_days=730,  # offline exports restate whatever the partner re-exports
    order=70,
)
