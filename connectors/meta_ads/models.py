"""Pydantic models of Meta records: the API edge (``Graph*``) and the output rows (``*Row``).

Graph sends every number as a string (``"spend": "12.34"``, ``"impressions": "1000"``); the
``Graph*`` models parse them into ``Decimal``/``int`` and reject what does not parse. The
``*Row`` models are the warehouse columns and the ``StreamSpec.model`` of each stream: a
row is always ``Row.model_validate(...).model_dump()``, so rows match their model by
construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
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
    model_validator,
)

__all__ = [
    "AccountRow",
    "AdRow",
    "AdSetRow",
    "CampaignRow",
    "GraphAccount",
    "GraphAction",
    "GraphAd",
    "GraphAdSet",
    "GraphCampaign",
    "GraphInsight",
    "InsightDailyRow",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
AccountId = Annotated[str, StringConstraints(pattern=r"^act_\d+$")]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
# Attribution window keys of an action entry: 1d_click, 7d_click, 28d_click, 1d_view, 1d_ev.
_WINDOW_KEY = re.compile(r"^\d+d_[a-z]+$")
VIEW_SUFFIX = "_view"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class _Edge(BaseModel):
    # Graph adds fields over time; ignore what we did not ask for, parse what we did.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- edge models


class GraphAccount(_Edge):
    """An ``AdAccount`` node: ``{"id": "act_1001", "account_id": "1001", ...}``."""

    id: AccountId
    name: str
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    timezone_name: Annotated[str, AfterValidator(_known_zone)]
    account_status: int | None = None


class GraphCampaign(_Edge):
    """A ``Campaign`` node; budgets are minor-unit strings."""

    id: NumericId
    name: str
    status: str
    effective_status: str | None = None
    objective: str | None = None
    daily_budget: NonNegativeInt | None = None
    lifetime_budget: NonNegativeInt | None = None
    created_time: UtcDatetime
    updated_time: UtcDatetime

    @field_validator("daily_budget", "lifetime_budget", mode="before")
    @classmethod
    def _zero_budget_is_none(cls, value: Any) -> Any:
        # Graph sends "0" for "no budget at this level".
        return None if value in ("0", 0, "") else value


class GraphAdSet(_Edge):
    """An ``AdSet`` node."""

    id: NumericId
    campaign_id: NumericId
    name: str
    status: str
    effective_status: str | None = None
    daily_budget: NonNegativeInt | None = None
    created_time: UtcDatetime
    updated_time: UtcDatetime

    @field_validator("daily_budget", mode="before")
    @classmethod
    def _zero_budget_is_none(cls, value: Any) -> Any:
        return None if value in ("0", 0, "") else value


class GraphAd(_Edge):
    """An ``Ad`` node; ``creative`` is ``{"id": "..."}``."""

    id: NumericId
    campaign_id: NumericId
    adset_id: NumericId
    name: str
    status: str
    effective_status: str | None = None
    creative_id: NumericId | None = None
    created_time: UtcDatetime
    updated_time: UtcDatetime

    @model_validator(mode="before")
    @classmethod
    def _creative(cls, data: Any) -> Any:
        if isinstance(data, dict) and "creative" in data:
            creative = data.get("creative")
            data = {
                **data,
                "creative_id": creative.get("id") if isinstance(creative, dict) else None,
            }
        return data


class GraphAction(_Edge):
    """One entry of ``actions``/``action_values``: ``{"action_type", "value", "7d_click", ...}``.

    ``value`` is the total; ``windows`` holds the per-window keys Graph adds for each
    requested ``action_attribution_windows`` entry (``{"7d_click": 12, "1d_view": 3}``),
    empty when the response carries none.
    """

    action_type: str
    value: NonNegativeDecimal
    windows: dict[str, NonNegativeDecimal] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _window_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = {k: v for k, v in data.items() if _WINDOW_KEY.match(str(k))}
            data = {**data, "windows": found}
        return data


class GraphInsight(_Edge):
    """A daily ad-level insights row (every number a string)."""

    account_id: NumericId
    account_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    campaign_id: NumericId
    adset_id: NumericId
    ad_id: NumericId
    date_start: date
    date_stop: date
    spend: NonNegativeDecimal
    impressions: NonNegativeInt
    clicks: NonNegativeInt
    actions: list[GraphAction] = Field(default_factory=list)
    action_values: list[GraphAction] = Field(default_factory=list)
    attribution_setting: str | None = None

    @field_validator("impressions", "clicks", mode="before")
    @classmethod
    def _integral_string(cls, value: Any) -> Any:
        # "12.0" or 12.5 are not counts; only integral strings/ints pass.
        if isinstance(value, float):
            raise ValueError("count must be an integer")
        return value

    @field_validator("actions", "action_values", mode="before")
    @classmethod
    def _null_list(cls, value: Any) -> Any:
        return [] if value is None else value

    @model_validator(mode="after")
    def _one_day(self) -> GraphInsight:
        if self.date_start != self.date_stop:
            raise ValueError(
                f"expected a daily row, got {self.date_start}..{self.date_stop} (time_increment=1)"
            )
        return self

    @staticmethod
    def total(entries: Iterable[GraphAction], action_types: Iterable[str]) -> Decimal:
        """Sum the ``value`` of the entries whose action type is wanted."""
        wanted = set(action_types)
        return sum((e.value for e in entries if e.action_type in wanted), Decimal(0))

    @staticmethod
    def view_total(
        entries: Iterable[GraphAction], action_types: Iterable[str], windows: Iterable[str]
    ) -> Decimal | None:
        """Sum the view-through part of the wanted entries, or None where it is unknown.

        The view windows are those of ``windows`` ending in ``_view``. An entry's view part is
        its widest view window's value: view windows nest (``7d_view`` holds ``1d_view``),
        so adding them would count a conversion twice. Unknown (None): no view window asked
        for, or a wanted entry without any view window key. No wanted entry at all is 0
        (nothing converted, through views or not).
        """
        views = [w for w in windows if w.endswith(VIEW_SUFFIX)]
        if not views:
            return None
        wanted = set(action_types)
        total = Decimal(0)
        for entry in entries:
            if entry.action_type not in wanted:
                continue
            parts = [entry.windows[w] for w in views if w in entry.windows]
            if not parts:
                return None
            total += max(parts)
        return total


# ---------------------------------------------------------------- output rows


class AccountRow(_Row):
    """Row of ``meta_ads.accounts``."""

    account_id: AccountId
    name: str
    currency: str
    timezone_name: str
    account_status: int | None


class CampaignRow(_Row):
    """Row of ``meta_ads.campaigns``; budgets in minor units of the account currency."""

    account_id: AccountId
    campaign_id: NumericId
    name: str
    status: str
    effective_status: str | None
    objective: str | None
    daily_budget: int | None
    lifetime_budget: int | None
    created_time: datetime
    updated_time: datetime


class AdSetRow(_Row):
    """Row of ``meta_ads.ad_sets``."""

    account_id: AccountId
    campaign_id: NumericId
    ad_set_id: NumericId
    name: str
    status: str
    effective_status: str | None
    daily_budget: int | None
    created_time: datetime
    updated_time: datetime


class AdRow(_Row):
    """Row of ``meta_ads.ads``."""

    account_id: AccountId
    campaign_id: NumericId
    ad_set_id: NumericId
    ad_id: NumericId
    name: str
    status: str
    effective_status: str | None
    creative_id: str | None
    created_time: datetime
    updated_time: datetime


class InsightDailyRow(_Row):
    """Row of ``meta_ads.ad_insights_daily``: one ad, one day, in the account's currency.

    ``view_conversions``/``view_conversion_value`` are the view-through part of
    ``conversions``/``conversion_value`` (None: unknown, see :meth:`GraphInsight.view_total`).
    """

    account_id: AccountId
    campaign_id: NumericId
    ad_set_id: NumericId
    ad_id: NumericId
    date: date
    currency: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: Decimal
    conversion_value: Decimal
    attribution_setting: str
    view_conversions: Decimal | None
    view_conversion_value: Decimal | None
