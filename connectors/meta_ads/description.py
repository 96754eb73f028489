"""Meta Ads: its description (see ``connectors.description``)."""

from __future__ import annotations

from connectors.description import PlatformDescription

PLATFORM = PlatformDescription(
    name="meta_ads",
    title="Meta Ads",
    role="ads",
    connector="MetaAdsConnector",
    settings="MetaAdsSettings",
    credentials_block="MetaAdsCredentials",
    live_base_url="https://graph.facebook.com",
    quota_scope="account",  # business use case limits per ad account
    max_lookback_days=28,  # Meta restates up to its 28-day attribution windows
    order=10,
    channel="meta_ads",
    click_id_param="fbclid",
    chart_color="#7B61FF",
    click_id_on_organic=True,  # fbclid rides on organic posts' links too
    traffic_sources=("facebook", "fb", "instagram", "ig", "meta"),
    paid_mediums=("cpc", "ppc", "paid_social", "paidsocial", "paid"),
)
