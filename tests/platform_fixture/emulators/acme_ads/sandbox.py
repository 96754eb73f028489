"""How the sandbox serves Acme Ads: the API emulator, its token and its traffic."""

from __future__ import annotations

from typing import Any

from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel, PlatformLayout

from .auth import SANDBOX_TOKEN
from .emulator import acme_ads

__all__ = ["SANDBOX", "TRAFFIC"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "access_token": SANDBOX_TOKEN}


# A small search-and-display network; its clicks carry acmeclid and utm tags.
TRAFFIC = AdChannel(
    name="acme_ads", order=33, weight=0.05, lift=0.4,
    utm_source="acme", utm_medium="cpc", click_id_param="acmeclid",
    referrer="https://www.acme-ads.example/", shopify_source="acme",
    shopify_source_description="Acme Ads", ga4_channel_group="Paid Other",
    # Accounts and objects: plain decimal ids.
    layout=PlatformLayout(account_prefix="", first_account=7700001, id_prefix="77"),
)

SANDBOX = SandboxPlatform("acme_ads", "ads", acme_ads, _settings)
