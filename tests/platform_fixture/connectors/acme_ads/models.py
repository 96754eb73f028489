"""Pydantic models of Acme records: the API edge (``Acme*``) and the output rows (``*Row``).

Acme sends ids as decimal strings, money as decimal strings in major units
(``"spend": "34.56"``), counts as integers, days as ``YYYY-MM-DD`` in the account's time zone
and times as ISO 8601 with an offset. The ``*Row`` models are the warehouse columns and each
stream's ``StreamSpec.model``; their times are UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "AccountRow",
    "AcmeAccount",
    "AcmeAdStat",
    "AcmeCampaign",
    "AdStatsDailyRow",
    "CampaignRow",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _money_text(value: Any) -> Any:
    # Money is a decimal string on the wire; a float would already have lost precision.
    if not isinstance(value, str):
        raise ValueError("money must be a decimal string")
    return value


def _count(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("count must be an integer")
    return value


Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), BeforeValidator(_money_text)]
Count = Annotated[int, Field(ge=0), BeforeValidator(_count)]


class _Edge(BaseModel):
    # Acme adds fields over time; ignore what we do not read.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- edge models


class AcmeAccount(_Edge):
    """An account: ``{"id", "name", "currency", "timezone", "status"}``."""

    id: NumericId
    name: str
    currency: Currency
    timezone: str
    status: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class AcmeCampaign(_Edge):
    """A campaign; ``daily_budget`` is null when its ads hold the budgets."""

    id: NumericId
    account_id: NumericId
    name: str
    status: str
    objective: str | None = None
    daily_budget: Money | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class AcmeAdStat(_Edge):
    """One ad's delivery on one day (the account's day)."""

    date: date
    account_id: NumericId
    campaign_id: NumericId
    ad_id: NumericId
    spend: Money
    impressions: Count
    clicks: Count
    conversions: Count
    conversion_value: Money

    @model_validator(mode="after")
    def _clicks_within_impressions(self) -> AcmeAdStat:
        if self.clicks > self.impressions:
            raise ValueError("clicks exceed impressions")
        return self


# ---------------------------------------------------------------- output rows


class AccountRow(_Row):
    """Row of ``acme_ads.accounts``."""

    account_id: NumericId
    name: str
    currency: str
    timezone_name: str
    status: str


class CampaignRow(_Row):
    """Row of ``acme_ads.campaigns``; ``daily_budget`` in major units of ``currency``."""

    account_id: NumericId
    campaign_id: NumericId
    name: str
    status: str
    objective: str | None
    daily_budget: Decimal | None
    currency: str
    created_time: datetime
    updated_time: datetime


class AdStatsDailyRow(_Row):
    """Row of ``acme_ads.ad_stats_daily``: one ad, one day of its account."""

    account_id: NumericId
    campaign_id: NumericId
    ad_id: NumericId
    date: date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    conversion_value: Decimal


def utc(moment: datetime) -> datetime:
    """Return an aware datetime in UTC (the warehouse's times are UTC)."""
    return moment.astimezone(UTC)
