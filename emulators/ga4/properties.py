"""The GA4 properties the emulator serves, their custom dimensions, and revenue currencies.

A property is what the Admin API ``GET /v1beta/properties/{id}`` answers: a display name, the
time zone its days are reported in and the currency its revenue is reported in. People of the
population are spread over the properties (person ``i`` browses property ``i mod n``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_CUSTOM_DIMENSIONS",
    "DEFAULT_PROPERTIES",
    "RATES_TO_USD",
    "CustomDimension",
    "Ga4Property",
    "convert",
]

# Units of USD per unit of currency: the same reference values the market and the warehouse's
# seeded core.fx_rates use, so revenue converted here converts back there.
RATES_TO_USD: dict[str, Decimal] = {
    "USD": Decimal("1.00"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CAD": Decimal("0.73"),
    "AUD": Decimal("0.66"),
    "SEK": Decimal("0.095"),
    "CHF": Decimal("1.13"),
    "NZD": Decimal("0.60"),
    "BRL": Decimal("0.18"),
    "SGD": Decimal("0.74"),
    "MXN": Decimal("0.055"),
}


@dataclass(frozen=True)
class Ga4Property:
    """One GA4 property.

    Attributes:
        id: the numeric property id (``properties/{id}``).
        display_name: its display name.
        time_zone: IANA zone of its reporting days.
        currency: ISO code of its revenue.
        account: the parent account id (``accounts/{account}``).

    """

    id: str
    display_name: str
    time_zone: str
    currency: str
    account: str = "200100"

    def __post_init__(self) -> None:
        if not self.id.isdigit():
            raise ValueError(f"a GA4 property id is a number, got {self.id!r}")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.time_zone!r}") from None
        if self.currency not in RATES_TO_USD:
            raise ValueError(
                f"currency {self.currency!r} has no emulator rate (known: {sorted(RATES_TO_USD)})"
            )

    @property
    def tz(self) -> ZoneInfo:
        """The property's time zone."""
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class CustomDimension:
    """A registered custom dimension (Admin API ``customDimensions``).

    Attributes:
        id: numeric id within the property.
        parameter_name: the event (or user) parameter it reads.
        display_name: its display name.
        scope: ``EVENT``, ``USER`` or ``ITEM``.
        description: free text.

    """

    id: str
    parameter_name: str
    display_name: str
    scope: str = "EVENT"
    description: str = ""

    @property
    def api_name(self) -> str:
        """Its Data API name: ``customEvent:<param>``, ``customUser:<param>``..."""
        prefix = {"EVENT": "customEvent", "USER": "customUser", "ITEM": "customItem"}[self.scope]
        return f"{prefix}:{self.parameter_name}"


DEFAULT_PROPERTIES: tuple[Ga4Property, ...] = (
    Ga4Property("310000001", "Northwind Web EU", "Europe/Berlin", "EUR"),
    Ga4Property("310000002", "Northwind Web US", "America/New_York", "USD"),
)

# The client id dimension first (its parameter name is an emulator option), then the usual
# clutter of a real property. Only the client id one carries values; the others are
# "(not set)" for every session.
DEFAULT_CUSTOM_DIMENSIONS: tuple[CustomDimension, ...] = (
    CustomDimension("1101", "page_type", "Page type", description="template of the page"),
    CustomDimension("1102", "logged_in", "Logged in"),
    CustomDimension("1103", "plan", "Plan", scope="USER"),
    CustomDimension("1104", "experiment_variant", "Experiment variant"),
    CustomDimension("1105", "content_group", "Content group"),
    CustomDimension("1106", "item_brand", "Item brand", scope="ITEM"),
)


def convert(amount: Decimal, source: str, target: str) -> Decimal:
    """Convert ``amount`` from ``source`` to ``target`` currency at the reference rates."""
    if source == target:
        return amount
    return (amount * RATES_TO_USD[source] / RATES_TO_USD[target]).quantize(Decimal("0.01"))
