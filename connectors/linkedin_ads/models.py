"""Pydantic models of LinkedIn records: the API edge (``Li*``) and the output rows (``*Row``).

LinkedIn sends ids as numbers (accounts, campaigns) or URNs (creatives, and every reference:
``"account": "urn:li:sponsoredAccount:508001001"``), money as decimal strings in major units
(``"costInLocalCurrency": "34.56"``, ``"dailyBudget": {"amount": "75.00", ...}``), counts as
numbers and times as epoch milliseconds. The edge models turn all ids into bare decimal
strings. The ``*Row`` models are the warehouse columns and each stream's ``StreamSpec.model``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from connectors.linkedin_ads import settings as C

__all__ = [
    "AccountRow",
    "AnalyticsDailyRow",
    "CampaignGroupRow",
    "CampaignRow",
    "CreativeRow",
    "LiAccount",
    "LiAnalyticsElement",
    "LiCampaign",
    "LiCampaignGroup",
    "LiCreative",
    "LiMoney",
    "bare_id",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def bare_id(value: Any, prefix: str = "") -> str:
    """Return the decimal id of a number, a decimal string or a URN with ``prefix``.

    Raises:
        ValueError: anything else (a URN of another type, a float, garbage).

    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected an id, got {type(value).__name__}")
    text = str(value)
    if prefix and text.startswith("urn:"):
        if not text.startswith(prefix):
            raise ValueError(f"expected a {prefix}N URN, got {text!r}")
        text = text[len(prefix) :]
    if not text.isdigit():
        raise ValueError(f"not a numeric id: {text!r}")
    return text


def _id(prefix: str) -> BeforeValidator:
    return BeforeValidator(lambda v: bare_id(v, prefix))


def _epoch_ms(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    raise ValueError("expected epoch milliseconds")


def _money_text(value: Any) -> Any:
    # Money is a decimal string on the wire; a float would already have lost precision.
    if isinstance(value, float):
        raise ValueError("money must be a decimal string, not a float")
    return value


def _count(value: Any) -> Any:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("count must be an integer")
    return int(value) if isinstance(value, float) else value


EpochMs = Annotated[datetime, BeforeValidator(_epoch_ms)]
Money = Annotated[NonNegativeDecimal, BeforeValidator(_money_text)]
Count = Annotated[NonNegativeInt, BeforeValidator(_count)]


class _Edge(BaseModel):
    # LinkedIn adds fields across versions; ignore what we did not ask for.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- edge models


class LiMoney(_Edge):
    """``{"amount": "75.00", "currencyCode": "USD"}`` (major units)."""

    amount: Money
    currencyCode: Currency


class LiAccount(_Edge):
    """An ``adAccounts`` element: ``{"id": 508001001, "name", "currency", "status", ...}``."""

    id: Annotated[NumericId, _id(C.ACCOUNT_URN)]
    name: str
    currency: Currency
    status: str
    type: str | None = None


class _Stamped(_Edge):
    changeAuditStamps: dict[str, Any] | None = None

    def stamp(self, which: str) -> datetime | None:
        """Return ``changeAuditStamps.<which>.time`` as a UTC datetime, if present."""
        node = (self.changeAuditStamps or {}).get(which)
        when = node.get("time") if isinstance(node, dict) else None
        return _epoch_ms(when) if when is not None else None


class LiCampaignGroup(_Stamped):
    """An ``adCampaignGroups`` element: what Campaign Manager shows as a campaign.

    ``dailyBudget`` and ``totalBudget`` are both optional (a group may leave the budget to
    its campaigns); ``runSchedule`` holds epoch milliseconds.
    """

    id: Annotated[NumericId, _id(C.CAMPAIGN_GROUP_URN)]
    account: Annotated[NumericId, _id(C.ACCOUNT_URN)]
    name: str
    status: str
    objectiveType: str | None = None
    dailyBudget: LiMoney | None = None
    totalBudget: LiMoney | None = None
    runSchedule: dict[str, Any] | None = None

    def run(self, which: str) -> datetime | None:
        """Return ``runSchedule.<which>`` (``start`` or ``end``) as a UTC datetime, if set."""
        when = (self.runSchedule or {}).get(which)
        return _epoch_ms(when) if when is not None else None


class LiCampaign(_Stamped):
    """An ``adCampaigns`` element; references are URNs, times epoch milliseconds."""

    id: Annotated[NumericId, _id(C.CAMPAIGN_URN)]
    account: Annotated[NumericId, _id(C.ACCOUNT_URN)]
    campaignGroup: Annotated[NumericId, _id(C.CAMPAIGN_GROUP_URN)] | None = None
    name: str
    status: str
    type: str | None = None
    costType: str | None = None
    objectiveType: str | None = None
    dailyBudget: LiMoney | None = None


class LiCreative(_Edge):
    """A ``creatives`` element: ``{"id": "urn:li:sponsoredCreative:N", "campaign": urn, ...}``."""

    id: Annotated[NumericId, _id(C.CREATIVE_URN)]
    account: Annotated[NumericId, _id(C.ACCOUNT_URN)]
    campaign: Annotated[NumericId, _id(C.CAMPAIGN_URN)]
    name: str | None = None
    intendedStatus: str
    isServing: bool | None = None
    createdAt: EpochMs
    lastModifiedAt: EpochMs


class _Day(_Edge):
    year: int
    month: int
    day: int

    def as_date(self) -> date:
        return date(self.year, self.month, self.day)


class _DateRange(_Edge):
    start: _Day
    end: _Day


class LiAnalyticsElement(_Edge):
    """One ``adAnalytics`` element for ``pivots=List(CAMPAIGN,CREATIVE)``, one day."""

    pivotValues: tuple[str, str]
    dateRange: _DateRange
    impressions: Count = 0
    clicks: Count = 0
    costInLocalCurrency: Money = Decimal(0)
    externalWebsiteConversions: NonNegativeDecimal = Decimal(0)
    conversionValueInLocalCurrency: Money = Decimal(0)

    @property
    def day(self) -> date:
        """The element's day (a DAILY element starts and ends on the same day)."""
        start, end = self.dateRange.start.as_date(), self.dateRange.end.as_date()
        if start != end:
            raise ValueError(f"expected a daily element, got {start}..{end}")
        return start


# ---------------------------------------------------------------- output rows


class AccountRow(_Row):
    """Row of ``linkedin_ads.accounts``."""

    account_id: NumericId
    name: str
    currency: str
    timezone_name: str
    status: str
    type: str | None


class CampaignGroupRow(_Row):
    """Row of ``linkedin_ads.campaign_groups``; budgets in major units of ``currency``."""

    account_id: NumericId
    campaign_group_id: NumericId
    name: str
    status: str
    objective_type: str | None
    daily_budget: Decimal | None
    total_budget: Decimal | None
    currency: str
    run_start: datetime | None
    run_end: datetime | None
    created_time: datetime | None
    updated_time: datetime | None


class CampaignRow(_Row):
    """Row of ``linkedin_ads.campaigns``; ``daily_budget`` in major units of ``currency``."""

    account_id: NumericId
    campaign_id: NumericId
    campaign_group_id: str | None
    name: str
    status: str
    type: str | None
    cost_type: str | None
    objective_type: str | None
    daily_budget: Decimal | None
    currency: str
    created_time: datetime | None
    updated_time: datetime | None


class CreativeRow(_Row):
    """Row of ``linkedin_ads.creatives`` (the platform's ads)."""

    account_id: NumericId
    campaign_id: NumericId
    creative_id: NumericId
    name: str | None
    status: str
    is_serving: bool | None
    created_time: datetime
    updated_time: datetime


class AnalyticsDailyRow(_Row):
    """Row of ``linkedin_ads.ad_analytics_daily``: one creative, one UTC day."""

    account_id: NumericId
    campaign_id: NumericId
    creative_id: NumericId
    date: date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: Decimal
    conversion_value: Decimal
