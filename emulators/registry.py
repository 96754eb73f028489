"""Platform name -> emulator factory (the CLI, tests and sandbox deployments use this)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulators._base import Emulator
from emulators.faults import FaultConfig
from emulators.ga4 import ga4
from emulators.google_ads.factory import google_ads
from emulators.hubspot import hubspot
from emulators.linkedin_ads import linkedin_ads
from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator
from emulators.quota import QuotaConfig
from emulators.shopify import shopify


def meta_ads(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> Emulator:
    """Build the Meta Graph API emulator (options: see ``MetaAdsEmulator``)."""
    return MetaAdsEmulator(market, faults, quota, **options)


EMULATORS: dict[str, Callable[..., Emulator]] = {
    "meta_ads": meta_ads,
    "linkedin_ads": linkedin_ads,
    "google_ads": google_ads,
    "hubspot": hubspot,
    "ga4": ga4,
    "shopify": shopify,
}
