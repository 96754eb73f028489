"""The registry factory of the Google Ads emulator (wired into ``emulators.registry``)."""

from __future__ import annotations

from typing import Any

from emulators._base import Emulator
from emulators.faults import FaultConfig
from emulators.google_ads.emulator import GoogleAdsEmulator
from emulators.google_ads.resources import PLATFORM
from emulators.market import Market
from emulators.quota import QuotaConfig


def google_ads(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> Emulator:
    """Build the Google Ads emulator (options: see ``GoogleAdsEmulator``).

    A market without ``google_ads`` accounts (the default ``Market()`` holds Meta only) is
    replaced by one with the same seed, clock, account count and history that holds both.
    """
    if market is not None and PLATFORM not in market.platforms:
        count = len(market.accounts(market.platforms[0])) if market.platforms else 3
        market = Market(
            market.seed,
            clock=market.clock,
            accounts_per_platform=count,
            history_days=(market.clock().date() - market.history_start).days,
            platforms=(*market.platforms, PLATFORM),
        )
    return GoogleAdsEmulator(market, faults, quota, **options)
