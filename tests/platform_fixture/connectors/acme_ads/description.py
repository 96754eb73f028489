"""Acme Ads: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="acme_ads",
    title="Acme Ads",
    role="ads",
    connector="AcmeAdsConnector",
    settings="AcmeAdsSettings",
    credentials_block="AcmeAdsCredentials",
    live_base_url="https://api.acme-ads.example",
    quota_scope="account",  # the rate quota is counted per ad account
    max_lookback_days=28,  # conversions are credited up to 28 days after the click
    order=33,
    channel="acme_ads",
    click_id_param="acmeclid",
    chart_color="#B45309",
    traffic_sources=("%acme%",),
    paid_mediums=("cpc", "ppc", "paid"),
)
