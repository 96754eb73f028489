"""How the sandbox serves Google Ads: the emulator, its OAuth client and manager account."""

from __future__ import annotations

from typing import Any

from emulators.google_ads import auth
from emulators.google_ads.factory import google_ads
from emulators.google_ads.resources import MANAGER_ID
from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel, PlatformLayout

__all__ = ["SANDBOX", "TRAFFIC"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "token_url": f"{base_url}/token",
            "developer_token": auth.DEVELOPER_TOKEN, "client_id": auth.CLIENT_ID,
            "client_secret": auth.CLIENT_SECRET, "refresh_token": auth.REFRESH_TOKEN,
            "access_token": auth.SANDBOX_ACCESS_TOKEN, "login_customer_id": MANAGER_ID}


# Search ads: tagged clicks (gclid), which GA4 reads by auto-tagging rather than UTM.
TRAFFIC = AdChannel(
    name="google_ads", order=10, weight=0.26, lift=1.2,
    utm_source="google", utm_medium="cpc", click_id_param="gclid", auto_tagged=True,
    referrer="https://www.google.com/", shopify_source="google",
    shopify_source_description="Google Ads", ga4_channel_group="Paid Search",
    # Customer ids: 10 digits, written without dashes.
    layout=PlatformLayout(account_prefix="", first_account=5550001001, id_prefix="8"),
)

SANDBOX = SandboxPlatform("google_ads", "ads", google_ads, _settings)
