"""The objects of the simulated market: platforms' account layouts, entities, ground truth.

Plain frozen dataclasses shared by ``emulators.market`` (which creates and evolves them) and
the platform emulators (which render them). ``Market`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from emulators._lazy import LazyMap
from emulators.traffic import AdChannel, PlatformLayout, declared_ad_channels

__all__ = [
    "LAYOUTS",
    "Account",
    "Ad",
    "AdGroup",
    "Campaign",
    "DayTruth",
    "Entity",
    "PlatformLayout",
    "declared_layouts",
    "layouts",
]


def layouts(ads: Iterable[AdChannel]) -> dict[str, PlatformLayout]:
    """Platform -> layout of the ad channels ``ads`` (each declares its ``layout``)."""
    return {channel.platform: channel.layout for channel in ads}


@cache
def declared_layouts() -> dict[str, PlatformLayout]:
    """Layouts of the ad platforms the emulator packages declare, in market order.

    A new ad platform declares its layout in its own package (``TRAFFIC`` in
    ``emulators/<platform>/sandbox.py``), not here. Resolved on first use: the emulator
    packages import this module.
    """
    return layouts(declared_ad_channels())


LAYOUTS: Mapping[str, PlatformLayout] = LazyMap(declared_layouts)
"""Platform -> layout of every declared ad platform (read on first use)."""


@dataclass(frozen=True)
class Account:
    """An ad account. ``id`` is the platform's spelling (``act_1001``), ``number`` bare."""

    platform: str
    id: str
    number: str
    name: str
    currency: str
    timezone: str
    created_time: datetime


@dataclass(frozen=True)
class Campaign:
    """A campaign; ``budget_level`` is ``campaign`` (Meta CBO) or ``ad_group``."""

    platform: str
    id: str
    account_id: str
    name: str
    objective: str
    budget_level: str
    start_day: date
    created_time: datetime


@dataclass(frozen=True)
class AdGroup:
    """An ad group (Meta: ad set)."""

    platform: str
    id: str
    account_id: str
    campaign_id: str
    name: str
    start_day: date
    created_time: datetime


@dataclass(frozen=True)
class Ad:
    """An ad."""

    platform: str
    id: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    name: str
    start_day: date
    created_time: datetime


Entity = Account | Campaign | AdGroup | Ad


@dataclass(frozen=True)
class DayTruth:
    """What the platform knows about one ad-day as of a date (the ground truth).

    ``conversions``/``value`` are credited under ``windows`` (default 7d_click + 1d_view);
    ``conversions_by_window``/``value_by_window`` hold each window on its own.
    """

    platform: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    ad_id: str
    day: date
    as_of: date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    value: Decimal
    conversions_by_window: dict[str, int] = field(default_factory=dict)
    value_by_window: dict[str, Decimal] = field(default_factory=dict)
    complete: bool = False

    @property
    def delivered(self) -> bool:
        """Whether the ad delivered that day (platforms return rows only for these)."""
        return self.impressions > 0
