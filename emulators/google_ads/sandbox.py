"""How the sandbox serves Google Ads: the emulator, its OAuth client and manager account."""

from __future__ import annotations

from typing import Any

from emulators.google_ads import auth
from emulators.google_ads.factory import google_ads
from emulators.google_ads.resources import MANAGER_ID
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "token_url": f"{base_url}/token",
            "developer_token": auth.DEVELOPER_TOKEN, "client_id": auth.CLIENT_ID,
            "client_secret": auth.CLIENT_SECRET, "refresh_token": auth.REFRESH_TOKEN,
            "access_token": auth.SANDBOX_ACCESS_TOKEN, "login_customer_id": MANAGER_ID}


SANDBOX = SandboxPlatform("google_ads", "ads", google_ads, _settings)
