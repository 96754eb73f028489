"""How the sandbox serves the Data Manager API (write only), on Google's sandbox OAuth client."""

from __future__ import annotations

from typing import Any

from emulators.google_ads import auth
from emulators.google_data_manager.emulator import GoogleDataManagerEmulator
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    # The Data Manager emulator accepts the Google Ads sandbox OAuth client and tokens.
    return {"base_url": base_url, "token_url": f"{base_url}/token",
            "client_id": auth.CLIENT_ID, "client_secret": auth.CLIENT_SECRET,
            "refresh_token": auth.REFRESH_TOKEN, "access_token": auth.SANDBOX_ACCESS_TOKEN}


SANDBOX = SandboxPlatform("google_data_manager", "destination", GoogleDataManagerEmulator,
                          _settings)
