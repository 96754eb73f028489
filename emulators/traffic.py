"""The market's traffic channels: what a touch in each looks like to every emulator.

A person's journey touches channels: one per ad platform, declared by that platform's emulator
package (``TRAFFIC`` in ``emulators/<platform>/sandbox.py``, beside its ``SANDBOX``), and the non-ad
ones the population owns (organic search, email, direct; ``emulators.population``). A channel
carries every fact the shared emulators render it by (UTM tags, referrer, the Shopify visit
source, the GA4 default channel group, an ad platform's click id and account layout) and the
facts the population plants (how often touches fall in it, its lift on converting).
The shared modules (``population``, ``entities``, the Shopify, GA4 and HubSpot emulators)
derive their maps from these declarations, so adding an ad platform edits none of them.

This module imports no emulator package (they import it): the declared ad channels are
collected by walking the packages on first use (:func:`declared_ad_channels`), once they have
all loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from emulators._discover import platform_modules

__all__ = ["AdChannel", "Channel", "PlatformLayout", "declared_ad_channels", "in_market_order"]

C = TypeVar("C", bound="Channel")


@dataclass(frozen=True)
class PlatformLayout:
    """How a platform names its accounts and objects (ids are decimal strings)."""

    account_prefix: str  # "act_" on Meta
    first_account: int  # native number of the first account
    id_prefix: str  # leading digits of object ids
    timezone: str | None = None  # every account's zone (LinkedIn: UTC); None: the locales'


@dataclass(frozen=True, kw_only=True)
class Channel:
    """One traffic channel of the market.

    Attributes:
        name: the channel's name (``Touch.channel``); an ad channel's is its platform's.
        order: its position in the market's channel order. The population draws a touch's
            channel by walking the channels in this order, so it fixes the seeded journeys;
            numbers are spaced (10, 20, ...) so a new channel can slot in between.
        weight: how often a touch falls in the channel, relative to the other channels.
        lift: the planted effect of touching the channel at least once, on the log-odds of
            converting (what data-driven attribution has to recover).
        utm_source: ``utm_source`` (GA4's session source).
        utm_medium: ``utm_medium`` (GA4's session medium).
        utm_tagged: its landing URLs carry ``utm_*`` parameters.
        referrer: the referrer a shop visit from it shows, if any.
        shopify_source: Shopify's ``CustomerVisit.source``.
        shopify_source_type: Shopify's ``CustomerVisit.sourceType`` (``AD``, ``SEO``...).
        shopify_source_description: Shopify's ``CustomerVisit.sourceDescription``.
        ga4_channel_group: GA4's ``sessionDefaultChannelGroup``.

    """

    name: str
    order: int
    weight: float
    lift: float
    utm_source: str
    utm_medium: str
    utm_tagged: bool = False
    referrer: str | None = None
    shopify_source: str
    shopify_source_type: str
    shopify_source_description: str
    ga4_channel_group: str

    @property
    def platform(self) -> str | None:
        """The ad platform whose ads a touch in this channel shows (None: not an ad channel)."""
        return None


@dataclass(frozen=True, kw_only=True)
class AdChannel(Channel):
    """The channel of an ad platform: its touches are clicks on (or views of) its ads.

    Attributes:
        click_id_param: the query parameter its clicks add to the landing URL (``gclid``).
        layout: how the platform names its accounts and objects (``Market`` builds them so).
        view_share: the share of its touches that are ad views without a click.
        auto_tagged: GA4 reads its clicks' campaign from the click id (Google Ads
            auto-tagging), so GA4's landing URLs carry the click id and no UTM parameters
            (the shop's still carry them).

    """

    utm_tagged: bool = True
    shopify_source_type: str = "AD"
    click_id_param: str
    layout: PlatformLayout
    view_share: float = 0.0
    auto_tagged: bool = False

    @property
    def platform(self) -> str:
        """The ad platform (the channel's name)."""
        return self.name


def in_market_order(channels: Iterable[C]) -> tuple[C, ...]:
    """Return ``channels`` sorted by ``order``; names and positions must be unique."""
    ordered = tuple(sorted(channels, key=lambda c: c.order))
    for what, values in (("name", [c.name for c in ordered]),
                         ("order", [c.order for c in ordered])):
        if len(set(values)) != len(values):
            raise ValueError(f"two channels share a {what}: {values}")
    return ordered


@cache
def declared_ad_channels() -> tuple[AdChannel, ...]:
    """Return the ad channels the emulator packages declare, in market order (cached).

    Each ad platform's ``emulators/<platform>/sandbox.py`` sets ``TRAFFIC``, named after the
    platform (``emulators.registry`` checks that every ad platform, and only an ad platform,
    does).
    """
    found = [getattr(module, "TRAFFIC", None) for _, module in platform_modules("sandbox")]
    return in_market_order(c for c in found if isinstance(c, AdChannel))
