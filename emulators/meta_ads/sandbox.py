"""How the sandbox serves Meta: the Graph API emulator and the token that reaches it."""

from __future__ import annotations

from typing import Any

from emulators._base import Emulator
from emulators.meta_ads.auth import SANDBOX_TOKEN
from emulators.meta_ads.emulator import MetaAdsEmulator
from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel, PlatformLayout

__all__ = ["SANDBOX", "TRAFFIC", "meta_ads"]


def meta_ads(market: Any = None, faults: Any = None, quota: Any = None,
             **options: Any) -> Emulator:
    """Build the Meta Graph API emulator (options: see ``MetaAdsEmulator``)."""
    return MetaAdsEmulator(market, faults, quota, **options)


def _settings(base_url: str) -> dict[str, Any]:
    # The sandbox answers in milliseconds: poll report runs fast, keep every other default.
    return {"base_url": base_url, "access_token": SANDBOX_TOKEN,
            "report_poll_initial_seconds": 0.05, "report_poll_max_seconds": 0.5}


# Paid social; three in ten of its touches are impressions nobody clicked.
TRAFFIC = AdChannel(
    name="meta_ads", order=20, weight=0.24, lift=0.8, view_share=0.3,
    utm_source="facebook", utm_medium="paid_social", click_id_param="fbclid",
    referrer="https://l.facebook.com/", shopify_source="facebook",
    shopify_source_description="Facebook Ads", ga4_channel_group="Paid Social",
    layout=PlatformLayout(account_prefix="act_", first_account=1001, id_prefix="238"),
)

SANDBOX = SandboxPlatform("meta_ads", "ads", meta_ads, _settings)
