"""How the sandbox serves LinkedIn: the Marketing API emulator and its token."""

from __future__ import annotations

from typing import Any

from emulators.linkedin_ads.auth import SANDBOX_TOKEN
from emulators.linkedin_ads.emulator import linkedin_ads
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "oauth_base_url": base_url, "access_token": SANDBOX_TOKEN}


SANDBOX = SandboxPlatform("linkedin_ads", "ads", linkedin_ads, _settings)
