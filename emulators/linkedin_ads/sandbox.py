"""How the sandbox serves LinkedIn: the Marketing API emulator and its token."""

from __future__ import annotations

from typing import Any

from emulators.linkedin_ads.auth import SANDBOX_TOKEN
from emulators.linkedin_ads.emulator import linkedin_ads
from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel, PlatformLayout

__all__ = ["SANDBOX", "TRAFFIC"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "oauth_base_url": base_url, "access_token": SANDBOX_TOKEN}


# Paid social for B2B.
TRAFFIC = AdChannel(
    name="linkedin_ads", order=30, weight=0.1, lift=0.5,
    utm_source="linkedin", utm_medium="paid_social", click_id_param="li_fat_id",
    referrer="https://www.linkedin.com/", shopify_source="linkedin",
    shopify_source_description="LinkedIn Ads", ga4_channel_group="Paid Social",
    # Sponsored accounts: numeric ids (the emulator builds the URNs).
    # LinkedIn reports UTC days: its accounts have no time zone of their own.
    layout=PlatformLayout(account_prefix="", first_account=508001001, id_prefix="6",
                          timezone="UTC"),
)

SANDBOX = SandboxPlatform("linkedin_ads", "ads", linkedin_ads, _settings)
