"""Pydantic models of Google Ads records: the API edge (``Ads*``) and the output rows (``*Row``).

The REST API sends ``GoogleAdsRow`` objects in lowerCamelCase, int64 values (ids, micros,
impressions, clicks) as strings and doubles (conversions) as numbers, and - proto3 JSON -
omits fields at their default (``0``, ``false``, ``""``). The ``Ads*`` models parse that;
the ``*Row`` models are the warehouse columns and each stream's ``StreamSpec.model``.

Sample row (``FROM ad_group_ad`` with metrics)::

    {"campaign": {"resourceName": "customers/123/campaigns/456", "id": "456"},
     "adGroupAd": {"resourceName": "customers/123/adGroupAds/789~111", "ad": {"id": "111"}},
     "metrics": {"costMicros": "1230000", "impressions": "1000", "clicks": "12",
                 "conversions": 3.5, "conversionsValue": 120.0},
     "segments": {"date": "2026-01-05"}}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "AccountRow",
    "AdGroupRow",
    "AdPerformanceDailyRow",
    "AdRow",
    "AdsAd",
    "AdsAdGroup",
    "AdsAdGroupAd",
    "AdsBudget",
    "AdsCampaign",
    "AdsCustomer",
    "AdsCustomerClient",
    "AdsMetrics",
    "AdsRow",
    "AdsSegments",
    "CampaignRow",
    "required",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
CustomerId = Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
Int64 = Annotated[int, Field(ge=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZone = Annotated[str, AfterValidator(_known_zone)]


class _Edge(BaseModel):
    # Google adds fields over time; ignore what we did not ask for, parse what we did.
    model_config = ConfigDict(
        extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _int64(value: Any) -> Any:
    # int64 arrives as a string; a float or "12.5" is not an int64.
    if isinstance(value, float | bool):
        raise ValueError("expected an int64 (a string of digits)")
    return value


def _double(value: Any) -> Any:
    # Doubles arrive as JSON numbers: go through repr so 0.1 stays 0.1, not its binary value.
    if isinstance(value, bool):
        raise ValueError("expected a number")
    return Decimal(repr(value)) if isinstance(value, float) else value


# ---------------------------------------------------------------- edge models


class AdsCustomer(_Edge):
    """``customer``: ``{"id": "5550001001", "descriptiveName", "currencyCode", "timeZone"}``."""

    id: CustomerId | None = None
    descriptive_name: str = ""
    currency_code: Currency | None = None
    time_zone: TimeZone | None = None
    status: str | None = None
    manager: bool = False


class AdsCustomerClient(AdsCustomer):
    """``customer_client`` (a manager's view of a client account)."""

    level: Int64 = 0

    _int = field_validator("level", mode="before")(classmethod(lambda cls, v: _int64(v)))


class AdsCampaign(_Edge):
    """``campaign``."""

    id: NumericId
    name: str = ""
    status: str | None = None
    advertising_channel_type: str | None = None
    start_date: date | None = None


class AdsBudget(_Edge):
    """``campaign_budget`` (``amountMicros`` in micros of the account currency)."""

    id: NumericId
    amount_micros: Int64 | None = None

    _int = field_validator("amount_micros", mode="before")(classmethod(lambda cls, v: _int64(v)))


class AdsAdGroup(_Edge):
    """``ad_group``."""

    id: NumericId
    name: str = ""
    status: str | None = None
    type: str | None = None


class AdsAd(_Edge):
    """``ad_group_ad.ad``."""

    id: NumericId
    name: str | None = None
    type: str | None = None


class AdsAdGroupAd(_Edge):
    """``ad_group_ad``."""

    ad: AdsAd
    status: str | None = None


class AdsSegments(_Edge):
    """``segments``."""

    date: date


class AdsMetrics(_Edge):
    """``metrics``; absent values are zero (proto3 JSON omits defaults)."""

    cost_micros: Int64 = 0
    impressions: Int64 = 0
    clicks: Int64 = 0
    conversions: NonNegativeDecimal = Decimal(0)
    conversions_value: NonNegativeDecimal = Decimal(0)

    _ints = field_validator("cost_micros", "impressions", "clicks", mode="before")(
        classmethod(lambda cls, v: _int64(v))
    )
    _doubles = field_validator("conversions", "conversions_value", mode="before")(
        classmethod(lambda cls, v: _double(v))
    )


class AdsRow(_Edge):
    """One ``GoogleAdsRow``; every part is optional, the row builders require theirs."""

    customer: AdsCustomer | None = None
    customer_client: AdsCustomerClient | None = None
    campaign: AdsCampaign | None = None
    campaign_budget: AdsBudget | None = None
    ad_group: AdsAdGroup | None = None
    ad_group_ad: AdsAdGroupAd | None = None
    segments: AdsSegments | None = None
    metrics: AdsMetrics | None = None

    def need(self, part: str) -> Any:
        """Return part ``part`` (snake_case), or raise ``ValueError`` when it is absent."""
        value = getattr(self, part)
        if value is None:
            raise ValueError(f"row has no {to_camel(part)!r} object")
        return value


def required(value: Any, name: str) -> Any:
    """Return ``value``; raise ``ValueError`` naming ``name`` when it is None (omitted)."""
    if value is None:
        raise ValueError(f"{name} is missing")
    return value


# ---------------------------------------------------------------- output rows


class AccountRow(_Row):
    """Row of ``google_ads.accounts``."""

    account_id: CustomerId
    name: str
    currency: str
    timezone_name: str
    status: str | None
    is_manager: bool


class CampaignRow(_Row):
    """Row of ``google_ads.campaigns``; the budget in micros of the account currency."""

    account_id: CustomerId
    campaign_id: NumericId
    name: str
    status: str
    channel_type: str | None
    start_date: date | None
    budget_id: str | None
    daily_budget_micros: int | None


class AdGroupRow(_Row):
    """Row of ``google_ads.ad_groups``."""

    account_id: CustomerId
    campaign_id: NumericId
    ad_group_id: NumericId
    name: str
    status: str | None
    type: str | None


class AdRow(_Row):
    """Row of ``google_ads.ads`` (an ``ad_group_ad``)."""

    account_id: CustomerId
    campaign_id: NumericId
    ad_group_id: NumericId
    ad_id: NumericId
    name: str | None
    type: str | None
    status: str | None


class AdPerformanceDailyRow(_Row):
    """Row of ``google_ads.ad_performance_daily``: one ad, one day, in the account currency.

    ``spend`` is ``cost_micros / 1e6``; ``conversions`` and ``conversion_value`` are
    Google's ``metrics.conversions`` / ``conversions_value`` (fractional with data-driven
    attribution), restated as late conversions arrive.
    """

    account_id: CustomerId
    campaign_id: NumericId
    ad_group_id: NumericId
    ad_id: NumericId
    date: date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: Decimal
    conversion_value: Decimal
