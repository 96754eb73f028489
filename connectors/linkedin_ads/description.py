"""LinkedIn Ads: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="linkedin_ads",
    title="LinkedIn Ads",
    role="ads",
    connector="LinkedInAdsConnector",
    settings="LinkedInAdsSettings",
    credentials_block="LinkedInAdsCredentials",
    live_base_url="https://api.linkedin.com",
    quota_scope="app",  # daily limits per app (and member), not per ad account
    max_lookback_days=90,  # conversion windows of up to 90 days
    order=30,
    channel="linkedin_ads",
    click_id_param="li_fat_id",
    chart_color="#0D9488",
    traffic_sources=("%linkedin%",),
    paid_mediums=("cpc", "ppc", "paid_social", "paidsocial", "paid"),
)
