"""How the sandbox serves GA4: Data, Admin and token endpoints on one host."""

from __future__ import annotations

from typing import Any

from emulators.ga4.emulator import ACCESS_TOKEN, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, ga4
from emulators.ga4.properties import DEFAULT_PROPERTIES
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "admin_base_url": base_url, "token_url": f"{base_url}/token",
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN, "access_token": ACCESS_TOKEN,
            "property_ids": tuple(p.id for p in DEFAULT_PROPERTIES)}


SANDBOX = SandboxPlatform("ga4", "source", ga4, _settings, renders_population=True)
