"""Pydantic models of GA4 records: the API edge (``Ga4*``) and the output rows (``*Row``).

The Data API answers a report as header lists and positional value lists, every value a
string: dimension ``date`` is ``YYYYMMDD``, ``dateHourMinute`` ``YYYYMMDDHHMM`` in the
property's time zone, metrics are decimal strings (``"12"``, ``"1234.5"``). The ``Ga4*``
models parse that; the ``*Row`` models are the warehouse columns and each stream's
``StreamSpec.model``.

Sample report (``rows`` and ``rowCount`` are omitted when there are none)::

    {"dimensionHeaders": [{"name": "date"}, {"name": "sessionSource"}],
     "metricHeaders": [{"name": "sessions", "type": "TYPE_INTEGER"},
                       {"name": "totalRevenue", "type": "TYPE_CURRENCY"}],
     "rows": [{"dimensionValues": [{"value": "20260105"}, {"value": "google"}],
               "metricValues": [{"value": "123"}, {"value": "456.7"}]}],
     "rowCount": 1, "metadata": {"currencyCode": "EUR", "timeZone": "Europe/Berlin"},
     "kind": "analyticsData#runReport"}
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "CustomDimensionRow",
    "Ga4CustomDimension",
    "Ga4Header",
    "Ga4Property",
    "Ga4Quota",
    "Ga4QuotaStatus",
    "Ga4Report",
    "Ga4ReportRow",
    "Ga4Value",
    "PropertyRow",
    "SessionRow",
    "TrafficDailyRow",
    "parse_count",
    "parse_date",
    "parse_decimal",
    "parse_minute",
]

PropertyId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=20)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
FiniteDecimal = Annotated[Decimal, Field(allow_inf_nan=False)]
_DIGITS = re.compile(r"^\d+$")


def _known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZone = Annotated[str, AfterValidator(_known_zone)]


class _Edge(BaseModel):
    # Google adds fields over time; ignore what we did not ask for, parse what we did.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- value parsers


def parse_date(value: str) -> date:
    """Parse the ``date`` dimension (``YYYYMMDD``).

    Raises:
        ValueError: not a date of that shape.

    """
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"date {value!r} is not YYYYMMDD")
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))


def parse_minute(value: str, zone: ZoneInfo) -> datetime:
    """Parse ``dateHourMinute`` (``YYYYMMDDHHMM`` in the property's zone) into UTC.

    Raises:
        ValueError: not a minute of that shape.

    """
    if len(value) != 12 or not value.isdigit():
        raise ValueError(f"dateHourMinute {value!r} is not YYYYMMDDHHMM")
    local = datetime(
        int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:]),
        tzinfo=zone,
    )
    return local.astimezone(UTC)


def parse_count(value: str, name: str) -> int:
    """Parse an integer metric sent as a string (``"12"``).

    Raises:
        ValueError: not a whole non-negative number.

    """
    if not _DIGITS.match(value):
        raise ValueError(f"metric {name} {value!r} is not a whole number")
    return int(value)


def parse_decimal(value: str, name: str) -> Decimal:
    """Parse a decimal metric sent as a string (``"1234.5"``, may be negative: refunds).

    Raises:
        ValueError: not a finite number.

    """
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"metric {name} {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"metric {name} {value!r} is not a finite number")
    return number


# ---------------------------------------------------------------- edge models


class Ga4Property(_Edge):
    """Admin API property: ``{"name": "properties/123", "displayName", "timeZone", ...}``."""

    name: Annotated[str, StringConstraints(pattern=r"^properties/\d+$")]
    displayName: str = ""
    timeZone: TimeZone
    currencyCode: Currency
    propertyType: str | None = None
    serviceLevel: str | None = None
    parent: str | None = None
    createTime: datetime | None = None
    updateTime: datetime | None = None

    @property
    def id(self) -> str:
        """The bare property number."""
        return self.name.removeprefix("properties/")


class Ga4CustomDimension(_Edge):
    """Admin API custom dimension: ``{"name": "properties/1/customDimensions/2", ...}``."""

    name: Annotated[str, StringConstraints(pattern=r"^properties/\d+/customDimensions/\d+$")]
    parameterName: Annotated[str, StringConstraints(min_length=1)]
    displayName: str = ""
    description: str = ""
    scope: Annotated[str, StringConstraints(pattern=r"^(EVENT|USER|ITEM)$")]

    @property
    def api_name(self) -> str:
        """The Data API name: ``customEvent:<parameter>`` (``customUser``, ``customItem``)."""
        prefix = {"EVENT": "customEvent", "USER": "customUser", "ITEM": "customItem"}
        return f"{prefix[self.scope]}:{self.parameterName}"


class Ga4Value(_Edge):
    """``{"value": "..."}`` (GA4 sends every dimension and metric value as a string)."""

    value: str


class Ga4ReportRow(_Edge):
    """One report row: positional dimension and metric values."""

    dimensionValues: list[Ga4Value] = Field(default_factory=list)
    metricValues: list[Ga4Value] = Field(default_factory=list)


class Ga4Header(_Edge):
    """A dimension or metric header (``type`` for metrics only)."""

    name: str
    type: str | None = None


class Ga4QuotaStatus(_Edge):
    """``{"consumed": n, "remaining": n}``."""

    consumed: int = 0
    remaining: int = 0


class Ga4Quota(_Edge):
    """``propertyQuota`` (present when the request set ``returnPropertyQuota``)."""

    tokensPerDay: Ga4QuotaStatus | None = None
    tokensPerHour: Ga4QuotaStatus | None = None
    concurrentRequests: Ga4QuotaStatus | None = None
    serverErrorsPerProjectPerHour: Ga4QuotaStatus | None = None
    potentiallyThresholdedRequestsPerHour: Ga4QuotaStatus | None = None
    tokensPerProjectPerHour: Ga4QuotaStatus | None = None


class Ga4Report(_Edge):
    """A ``runReport`` answer; rows stay raw here (each is validated on its own)."""

    dimensionHeaders: list[Ga4Header] = Field(default_factory=list)
    metricHeaders: list[Ga4Header] = Field(default_factory=list)
    rows: list[object] = Field(default_factory=list)
    rowCount: int = Field(default=0, ge=0)
    propertyQuota: Ga4Quota | None = None


# ---------------------------------------------------------------- output rows


class PropertyRow(_Row):
    """``ga4.properties``: one row per property."""

    property_id: PropertyId
    name: str
    currency: Currency
    timezone_name: TimeZone
    property_type: str | None
    service_level: str | None
    account: str | None
    create_time: datetime | None
    update_time: datetime | None


class CustomDimensionRow(_Row):
    """``ga4.custom_dimensions``: the property's registered custom dimensions."""

    property_id: PropertyId
    custom_dimension_id: Annotated[str, StringConstraints(pattern=r"^\d+$")]
    api_name: str
    parameter_name: str
    display_name: str
    scope: str
    description: str


class TrafficDailyRow(_Row):
    """``ga4.traffic_daily``: sessions, key events and revenue by day, source and page."""

    property_id: PropertyId
    date: date
    source: str
    medium: str
    campaign_name: str
    landing_page: str
    currency: Currency
    sessions: NonNegativeInt
    key_events: NonNegativeDecimal
    total_revenue: FiniteDecimal


class SessionRow(_Row):
    """``ga4.sessions``: one row per client id, session start minute and traffic source.

    ``session_key`` is a digest of the dimension values, so a restated row keeps its key;
    ``client_id`` is None where the custom dimension was ``(not set)``.
    """

    property_id: PropertyId
    date: date
    session_key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{20}$")]
    client_id: str | None
    session_start: datetime
    source: str
    medium: str
    campaign_name: str
    landing_page_plus_query: str
    currency: Currency
    sessions: NonNegativeInt
    key_events: NonNegativeDecimal
    total_revenue: FiniteDecimal
