"""How the sandbox serves HubSpot: the CRM emulator (the seeded people) and its token."""

from __future__ import annotations

from typing import Any

from emulators.hubspot.auth import PRIVATE_APP_TOKEN
from emulators.hubspot.emulator import hubspot
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    return {"base_url": base_url, "access_token": PRIVATE_APP_TOKEN}


SANDBOX = SandboxPlatform("hubspot", "source", hubspot, _settings, renders_population=True)
