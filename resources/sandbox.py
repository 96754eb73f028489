"""The sandbox branch of the composition root: the emulators, their market and people.

One seeded market and one population per process, so every platform's emulator tells the
same story (a person's click, session, lead and order agree). The only module of
``resources`` that imports ``emulators``, always lazily: a live run never loads them. The
``*_settings(base_url)`` functions give each connector the sandbox's credentials.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resources.errors import EnvironmentConfigError

if TYPE_CHECKING:
    from connectors.ga4 import Ga4Settings
    from connectors.google_ads import GoogleAdsSettings
    from connectors.google_data_manager import GoogleDataManagerSettings
    from connectors.hubspot import HubSpotSettings
    from connectors.linkedin_ads import LinkedInAdsSettings
    from connectors.meta_ads import MetaAdsSettings
    from connectors.shopify import ShopifySettings
    from emulators._base import Emulator
    from emulators.market import Market
    from emulators.population import Population

__all__ = [
    "data_manager_settings",
    "export_offline_deals",
    "fix_sandbox_day",
    "ga4_settings",
    "google_ads_settings",
    "hubspot_settings",
    "linkedin_settings",
    "meta_settings",
    "sandbox_clock",
    "sandbox_emulator",
    "sandbox_market",
    "sandbox_population",
    "shopify_settings",
    "use_sandbox_emulator",
]


def meta_settings(base_url: str) -> MetaAdsSettings:
    """Return Meta's sandbox settings: its token, report runs polled fast."""
    from pydantic import SecretStr

    from connectors.meta_ads import MetaAdsSettings
    from emulators.meta_ads.auth import SANDBOX_TOKEN

    # The sandbox answers in milliseconds: poll report runs fast, keep every other default.
    return MetaAdsSettings(
        base_url=base_url,
        access_token=SecretStr(SANDBOX_TOKEN),
        report_poll_initial_seconds=0.05,
        report_poll_max_seconds=0.5,
    )


def linkedin_settings(base_url: str) -> LinkedInAdsSettings:
    """Return the settings of LinkedIn's sandbox token, its OAuth host the same server."""
    from pydantic import SecretStr

    from connectors.linkedin_ads import LinkedInAdsSettings
    from emulators.linkedin_ads import SANDBOX_TOKEN

    return LinkedInAdsSettings(
        base_url=base_url, oauth_base_url=base_url, access_token=SecretStr(SANDBOX_TOKEN)
    )


def google_ads_settings(base_url: str) -> GoogleAdsSettings:
    """Return the settings of Google Ads' sandbox OAuth client, tokens and manager account."""
    from pydantic import SecretStr

    from connectors.google_ads import GoogleAdsSettings
    from emulators import google_ads as sandbox

    return GoogleAdsSettings(
        base_url=base_url,
        token_url=f"{base_url}/token",
        developer_token=SecretStr(sandbox.DEVELOPER_TOKEN),
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.SANDBOX_ACCESS_TOKEN),
        login_customer_id=sandbox.MANAGER_ID,
    )


def hubspot_settings(base_url: str) -> HubSpotSettings:
    """Return the settings of HubSpot's sandbox private-app token."""
    from pydantic import SecretStr

    from connectors.hubspot import HubSpotSettings
    from emulators.hubspot import PRIVATE_APP_TOKEN

    return HubSpotSettings(base_url=base_url, access_token=SecretStr(PRIVATE_APP_TOKEN))


def ga4_settings(base_url: str) -> Ga4Settings:
    """Return GA4's sandbox settings: OAuth client and properties, one host for all."""
    from pydantic import SecretStr

    from connectors.ga4 import Ga4Settings
    from emulators import ga4 as sandbox

    # One host serves the Data API, the Admin API and the token endpoint.
    return Ga4Settings(
        base_url=base_url,
        admin_base_url=base_url,
        token_url=f"{base_url}/token",
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.ACCESS_TOKEN),
        property_ids=tuple(p.id for p in sandbox.DEFAULT_PROPERTIES),
    )


def shopify_settings(base_url: str) -> ShopifySettings:
    """Return the settings of Shopify's sandbox shop and token."""
    from pydantic import SecretStr

    from connectors.shopify import ShopifySettings
    from emulators.shopify import SANDBOX_SHOP, SANDBOX_TOKEN

    # In process: the live template (https://{shop}.myshopify.com) filled with the sandbox
    # shop; on loopback: the server URL, which serves the sandbox shop.
    return ShopifySettings(
        base_url=base_url, shop=SANDBOX_SHOP, access_token=SecretStr(SANDBOX_TOKEN)
    )


def data_manager_settings(base_url: str) -> GoogleDataManagerSettings:
    """Return the settings of Data Manager on the Google Ads sandbox OAuth client and tokens."""
    from pydantic import SecretStr

    from connectors.google_data_manager import GoogleDataManagerSettings
    from emulators.google_ads import auth as sandbox

    # The Data Manager emulator accepts the Google Ads sandbox OAuth client and tokens.
    return GoogleDataManagerSettings(
        base_url=base_url,
        token_url=f"{base_url}/token",
        client_id=sandbox.CLIENT_ID,
        client_secret=SecretStr(sandbox.CLIENT_SECRET),
        refresh_token=SecretStr(sandbox.REFRESH_TOKEN),
        access_token=SecretStr(sandbox.SANDBOX_ACCESS_TOKEN),
    )


def _data_manager_emulator(market: Market) -> Emulator:
    from emulators.google_data_manager import GoogleDataManagerEmulator

    return GoogleDataManagerEmulator(market)



_DESTINATION_EMULATORS: dict[str, Callable[[Market], Emulator]] = {
    "google_data_manager": _data_manager_emulator,
}



_emulators: dict[str, Emulator] = {}
_market: Market | None = None
_market_today: dt.date | None = None
_population: Population | None = None
_emulators_lock = threading.RLock()  # re-entered: emulator -> population -> market


def sandbox_emulator(platform: str) -> Emulator:
    """Return the in-process emulator of `platform`, one per process (state lives as long)."""
    from emulators.registry import EMULATORS

    market = sandbox_market()
    with _emulators_lock:
        if platform not in _emulators and platform in _DESTINATION_EMULATORS:
            _emulators[platform] = _DESTINATION_EMULATORS[platform](market)
        if platform not in _emulators:
            options = {} if platform in market.platforms else {"population": sandbox_population()}
            options.update(_sandbox_options(platform))
            _emulators[platform] = EMULATORS[platform](market=market, **options)
        return _emulators[platform]


def _sandbox_options(platform: str) -> dict[str, Any]:
    """Per-platform settings of the in-process sandbox (beyond the shared market and people)."""
    if platform == "shopify":
        from emulators.shopify.bucket import ShopifyQuota

        # The sandbox shop is on Shopify Plus query limits (10x the standard restore rate), so
        # the demo is not mostly waiting on the cost bucket; tests and the bench cover the
        # standard 2,000-point bucket restoring 100 points a second.
        return {"quota": ShopifyQuota(maximum_available=20_000, restore_rate=1_000)}
    return {}


def sandbox_market() -> Market:
    """Return the sandbox's one seeded company on every ad platform (one per process)."""
    from emulators.entities import LAYOUTS
    from emulators.market import Market

    global _market
    with _emulators_lock:
        if _market is None:
            # One seeded company on every platform, so cross-channel numbers agree.
            _market = Market(seed=7, today=_market_today, platforms=tuple(LAYOUTS))
        return _market


def fix_sandbox_day(day: dt.date | None) -> None:
    """Freeze the sandbox market at noon UTC of ``day`` (None: it follows the wall clock).

    A seeded sandbox on a fixed day gives the same warehouse on every run: the demo's digest
    test relies on it.

    Raises:
        EnvironmentConfigError: the market already runs on another day in this process.

    """
    global _market_today
    with _emulators_lock:
        if _market is not None and day != _market_today:
            raise EnvironmentConfigError(
                f"CAMPAIGN_OPS_SANDBOX_TODAY={day} comes after the sandbox started on "
                f"{_market_today or 'the wall clock'}")
        _market_today = day


def sandbox_population() -> Population:
    """Return the people behind the sandbox market (one per process).

    The CRM, GA4, the shop and the offline exports all render this one population, so a
    person's click, session, lead and order agree.
    """
    from emulators.population import SANDBOX_PEOPLE, Population

    global _population
    market = sandbox_market()
    with _emulators_lock:
        if _population is None:
            _population = Population(market, size=SANDBOX_PEOPLE)
        return _population


@contextlib.contextmanager
def use_sandbox_emulator(platform: str, emulator: Emulator) -> Iterator[Emulator]:
    """Make `emulator` the in-process sandbox of `platform` for a while (tests, demo faults)."""
    with _emulators_lock:
        previous = _emulators.get(platform)
        _emulators[platform] = emulator
    try:
        yield emulator
    finally:
        with _emulators_lock:
            if previous is None:
                _emulators.pop(platform, None)
            else:
                _emulators[platform] = previous


def sandbox_clock(platform: str) -> dt.datetime:
    """Return the instant as `platform`'s in-process emulator sees it.

    A source without an emulator (the drop folder) reads the market's clock.
    """
    from emulators.registry import EMULATORS

    # The platform's own emulator: tests swap in one with a controlled clock.
    if platform in EMULATORS or platform in _DESTINATION_EMULATORS:
        return sandbox_emulator(platform).market.now()
    return sandbox_market().now()


def export_offline_deals(folder: Path) -> None:
    """Write the sandbox CRM's closed deals of today into the drop folder, once a day."""
    from emulators.offline_conversions import export_closed_deals

    now = sandbox_market().now()
    if not (folder / f"deals-{now.date().isoformat()}.csv").exists():
        export_closed_deals(sandbox_population(), folder, as_of=now)
