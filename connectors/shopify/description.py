"""Shopify: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="shopify",
    title="Shopify",
    role="source",
    connector="ShopifyConnector",
    settings="ShopifySettings",
    credentials_block="ShopifyCredentials",
    live_base_url="https://{shop}.myshopify.com",
    quota_scope="account",  # the cost bucket is per app and shop; one shop = one account
    max_lookback_days=400,  # orders change whenever someone edits them (refunds, edits)
    order=60,
    chart_color="#5E8E3E",
)
