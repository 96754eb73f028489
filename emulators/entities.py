"""The objects of the simulated market: platforms' account layouts, entities, ground truth.

Plain frozen dataclasses shared by ``emulators.market`` (which creates and evolves them) and
the platform emulators (which render them). ``Market`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class PlatformLayout:
    """How a platform names its accounts and objects (ids are decimal strings)."""

    account_prefix: str  # "act_" on Meta
    first_account: int  # native number of the first account
    id_prefix: str  # leading digits of object ids


# A new platform (issue 3: google_ads with 10-digit customer ids and no prefix, linkedin_ads)
# adds its layout here and an emulator package that renders the same market.
LAYOUTS: dict[str, PlatformLayout] = {
    "meta_ads": PlatformLayout(account_prefix="act_", first_account=1001, id_prefix="238"),
    # Google Ads customer ids: 10 digits, written without dashes.
    "google_ads": PlatformLayout(account_prefix="", first_account=5550001001, id_prefix="8"),
    # LinkedIn sponsored accounts: numeric ids (URNs are built by the emulator).
    "linkedin_ads": PlatformLayout(account_prefix="", first_account=508001001, id_prefix="6"),
}


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
