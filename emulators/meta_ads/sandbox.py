"""How the sandbox serves Meta: the Graph API emulator and the token that reaches it."""

from __future__ import annotations

from typing import Any

from emulators._base import Emulator
from emulators.meta_ads.auth import SANDBOX_TOKEN
from emulators.meta_ads.emulator import MetaAdsEmulator
from emulators.sandbox import SandboxPlatform

__all__ = ["SANDBOX", "meta_ads"]


def meta_ads(market: Any = None, faults: Any = None, quota: Any = None,
             **options: Any) -> Emulator:
    """Build the Meta Graph API emulator (options: see ``MetaAdsEmulator``)."""
    return MetaAdsEmulator(market, faults, quota, **options)


def _settings(base_url: str) -> dict[str, Any]:
    # The sandbox answers in milliseconds: poll report runs fast, keep every other default.
    return {"base_url": base_url, "access_token": SANDBOX_TOKEN,
            "report_poll_initial_seconds": 0.05, "report_poll_max_seconds": 0.5}


SANDBOX = SandboxPlatform("meta_ads", "ads", meta_ads, _settings)
