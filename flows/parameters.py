"""Typed, validated flow parameters: a bad parameter is rejected before any API call."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from resources.platforms import lookback_limits
from resources.platforms import names as platform_names

PLATFORMS: tuple[str, ...] = platform_names("ads")
"""Ad platforms the `extract_ads` flow can read (connector packages of role ``ads``)."""

SOURCE_PLATFORMS: tuple[str, ...] = platform_names("source")
"""CRM, analytics, commerce and offline sources the `extract_sources` flow can read."""

if TYPE_CHECKING:
    Platform = str
    SourcePlatform = str
else:  # the Prefect UI offers these as choices
    Platform = Literal[PLATFORMS]
    SourcePlatform = Literal[SOURCE_PLATFORMS]

MAX_LOOKBACK_DAYS: dict[str, int] = lookback_limits()
"""The furthest back each platform restates data, as its description declares it (Meta:
28-day attribution windows; Google Ads and LinkedIn: conversion windows of up to 90 days; GA4
settles within days; CRM records, orders and offline exports change whenever someone edits
them, so a longer re-read is allowed)."""


EARLIEST_DATE = dt.date(2000, 1, 1)
"""No run reads or reports a day before this one. No platform we read holds data that old
(Google's ad platform opened in late 2000, the others later), so an earlier date is a typo;
and the floor keeps every lookback subtraction (at most 730 days) far from ``date.min``,
which ``0001-01-01`` reached with an OverflowError inside a run."""

MAX_ATTRIBUTION_PERIOD_DAYS = 3 * 366
"""The longest attribution period, about three years: enough for a year-over-year comparison
with room to spare. A report stitches every journey of its period (plus its lookback) in
memory at once, so a longer period (``--end 9999-12-31``) is a typo, not a report."""

DEFAULT_ATTRIBUTION_PERIOD_DAYS = 30
"""Days of conversions an attribution report covers when no ``period_start`` is given."""


class ParameterError(ValueError):
    """A flow parameter is invalid; the message names the parameter and what was wrong."""


def _today() -> dt.date:
    """Return the current UTC day: no run may ask for a later one."""
    return dt.datetime.now(dt.UTC).date()


def _check_day(name: str, value: dt.date) -> dt.date:
    """Refuse a day before ``EARLIEST_DATE`` or after today (UTC).

    The message leaves the parameter out: pydantic puts the field's name in front of it.
    """
    if value < EARLIEST_DATE:
        raise ValueError(f"{value} is before {EARLIEST_DATE}, the earliest day accepted")
    if value > _today():
        hint = " (reports end at yesterday)" if name in ("end_date", "period_end") else ""
        raise ValueError(f"{value} is in the future{hint}")
    return value


class ExtractRequest(BaseModel):
    """What one extract run (`extract_ads` or `extract_sources`) is asked to do."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platforms: tuple[Platform | SourcePlatform, ...] = Field(default=PLATFORMS, min_length=1)
    accounts: tuple[str, ...] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    lookback_days: int | None = Field(default=None, ge=0)
    full_refresh: bool = False

    @field_validator("platforms")
    @classmethod
    def _unique_platforms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each platform may be named once")
        return value

    @field_validator("accounts")
    @classmethod
    def _clean_accounts(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        cleaned = tuple(a.strip() for a in value)
        if not cleaned or any(not a for a in cleaned):
            raise ValueError("account ids must be non-empty (leave the list out for all accounts)")
        return cleaned

    @field_validator("start_date", "end_date")
    @classmethod
    def _day_in_range(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return None if value is None else _check_day(str(info.field_name), value)

    @model_validator(mode="after")
    def _coherent_dates(self) -> ExtractRequest:
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError(f"start_date {self.start_date} is after end_date {self.end_date}")
        if self.full_refresh and self.start_date is None:
            raise ValueError("full_refresh needs start_date: the first day to reload")
        if self.lookback_days is not None:
            for platform in self.platforms:
                limit = MAX_LOOKBACK_DAYS[platform]
                if self.lookback_days > limit:
                    raise ValueError(
                        f"lookback_days {self.lookback_days} exceeds {platform}'s "
                        f"maximum of {limit}"
                    )
        return self


def parse_extract_request(flow: str = "extract_ads", **parameters: object) -> ExtractRequest:
    """Validate raw flow parameters into an `ExtractRequest`, or raise a readable ParameterError."""
    try:
        return ExtractRequest.model_validate(parameters)
    except ValidationError as exc:
        raise parameter_error(flow, exc) from None


def parameter_error(flow: str, exc: ValidationError) -> ParameterError:
    """Say every problem of a parameter set in one line, each naming its parameter."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "parameters"
        problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return ParameterError(f"invalid {flow} parameters: " + "; ".join(problems))


ConversionKind = Literal["lead", "deal", "order", "key_event", "store_sale"]
"""Conversion kinds in `core.conversions` an attribution report can be limited to."""


class AttributionRequest(BaseModel):
    """What one `build_attribution_report` run is asked to do (validated before any work)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period_start: dt.date
    period_end: dt.date
    models: tuple[str, ...] = Field(min_length=1)
    lookback_days: int = Field(ge=1, le=365)
    acquisition_lookback_days: int = Field(ge=1, le=365)
    conversion_kinds: tuple[ConversionKind, ...] | None = None

    @field_validator("models")
    @classmethod
    def _known_models(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from marketing.attribution.model_set import MODEL_NAMES

        unknown = [m for m in value if m not in MODEL_NAMES]
        if unknown:
            raise ValueError(f"unknown models {unknown}; known: {', '.join(MODEL_NAMES)}")
        if len(set(value)) != len(value):
            raise ValueError("each model may be named once")
        return value

    @field_validator("period_start", "period_end")
    @classmethod
    def _day_in_range(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        return _check_day(str(info.field_name), value)

    @model_validator(mode="after")
    def _coherent_period(self) -> AttributionRequest:
        # Runs only when both days passed their own bounds, so no date arithmetic can overflow.
        if self.period_start > self.period_end:
            raise ValueError(
                f"period_start {self.period_start} is after period_end {self.period_end}")
        days = (self.period_end - self.period_start).days + 1
        if days > MAX_ATTRIBUTION_PERIOD_DAYS:
            raise ValueError(
                f"period_start {self.period_start} to period_end {self.period_end} is {days:,} "
                f"days; the longest period is {MAX_ATTRIBUTION_PERIOD_DAYS:,} days (about "
                "three years)")
        if self.acquisition_lookback_days > self.lookback_days:
            raise ValueError(
                f"acquisition_lookback_days {self.acquisition_lookback_days} exceeds "
                f"lookback_days {self.lookback_days}")
        return self


def default_period(
    period_start: dt.date | None, period_end: dt.date | None, yesterday: dt.date
) -> tuple[dt.date, dt.date]:
    """Fill in a report's missing days: the period ends at yesterday and covers 30 days.

    An end out of bounds is returned as given for ``parse_attribution_request`` to name, and
    the default start is then counted back from yesterday instead: from ``0001-01-01`` the
    subtraction would overflow, and from ``2099-12-31`` it would name a start nobody gave.
    """
    end = period_end or yesterday
    if period_start is not None:
        return period_start, end
    in_bounds = EARLIEST_DATE <= end <= yesterday + dt.timedelta(days=1)
    anchor = end if in_bounds else yesterday
    return anchor - dt.timedelta(days=DEFAULT_ATTRIBUTION_PERIOD_DAYS - 1), end


def parse_attribution_request(**parameters: object) -> AttributionRequest:
    """Validate raw report parameters into an `AttributionRequest`, or raise ParameterError."""
    try:
        return AttributionRequest.model_validate(parameters)
    except ValidationError as exc:
        raise parameter_error("build_attribution_report", exc) from None
