"""Google Ads: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="google_ads",
    title="Google Ads",
    role="ads",
    connector="GoogleAdsConnector",
    settings="GoogleAdsSettings",
    credentials_block="GoogleAdsCredentials",
    live_base_url="https://googleads.googleapis.com",
    quota_scope="account",  # operations are counted per customer
    max_lookback_days=90,  # conversion windows of up to 90 days
    order=20,
    channel="google_ads",
    click_id_param="gclid",
    chart_color="#4285F4",
    traffic_sources=("%google%",),
    paid_mediums=("cpc", "ppc", "paid_search", "paidsearch"),
)
