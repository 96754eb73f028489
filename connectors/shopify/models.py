"""Pydantic models of Shopify records: the API edge (``Sh*``) and the output rows (``*Row``).

Shopify sends global ids (``"gid://shopify/Order/5100000423967"``), money as ``MoneyBag``
objects whose amounts are decimal strings (``{"shopMoney": {"amount": "95.23",
"currencyCode": "EUR"}}``), ``UnsignedInt64`` counts as strings and times as ISO 8601 UTC
strings. The edge models turn ids into their bare numbers and amounts into ``Decimal``; the
``*Row`` models are the warehouse columns and each stream's ``StreamSpec.model``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from connectors.description import click_id_params

__all__ = [
    "CustomerRow",
    "LineItemRow",
    "OrderRow",
    "ShCustomer",
    "ShLineItem",
    "ShOrder",
    "ShShop",
    "ShVisit",
    "ShopRow",
    "click_id",
    "gid_number",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonNegativeDecimal = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0)]


def gid_number(value: Any, kind: str) -> str:
    """Return N of ``gid://shopify/<kind>/N``.

    Raises:
        ValueError: not a global id of that kind.

    """
    prefix = f"gid://shopify/{kind}/"
    if not isinstance(value, str) or not value.startswith(prefix):
        raise ValueError(f"expected a {prefix}N id, got {value!r}")
    number = value[len(prefix) :].split("?", 1)[0]
    if not number.isdigit():
        raise ValueError(f"expected a {prefix}N id, got {value!r}")
    return number


def _gid(kind: str) -> BeforeValidator:
    return BeforeValidator(lambda v: gid_number(v, kind))


def _amount(value: Any) -> Any:
    # Decimal scalars are strings on the wire; a float has already lost precision.
    if not isinstance(value, str):
        raise ValueError("amount must be a decimal string")
    return value


def _utc(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date-time: {value!r}") from None
        if parsed.utcoffset() is None:
            raise ValueError("date-time without a time zone")
        return parsed.astimezone(UTC)
    raise ValueError("expected an ISO 8601 date-time string")


def _count(value: Any) -> Any:
    # UnsignedInt64 is a string on the wire.
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


Amount = Annotated[NonNegativeDecimal, BeforeValidator(_amount)]
UtcDateTime = Annotated[datetime, BeforeValidator(_utc)]


def click_id(url: str | None) -> tuple[str, str] | None:
    """Return (click id type, value) carried by a landing page URL, if any (the first)."""
    if not url:
        return None
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    known = set(click_id_params())  # the ad platforms' declared click ids
    for name, value in parse_qsl(query):  # the first in the URL, as the warehouse reads GA4's
        if name in known and value:
            return name, value
    return None


class _Edge(BaseModel):
    # Shopify adds fields across versions; ignore what we did not ask for.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- edge models


class ShMoney(_Edge):
    """``{"amount": "95.23", "currencyCode": "EUR"}``."""

    amount: Amount
    currencyCode: Currency


class ShMoneyBag(_Edge):
    """``{"shopMoney": {...}}`` (amounts in the shop's currency)."""

    shopMoney: ShMoney


class ShShop(_Edge):
    """``shop { id name currencyCode ianaTimezone myshopifyDomain }``."""

    id: Annotated[NumericId, _gid("Shop")]
    name: str
    currencyCode: Currency
    ianaTimezone: str
    myshopifyDomain: str


class ShUtm(_Edge):
    """``utmParameters``."""

    source: str | None = None
    medium: str | None = None
    campaign: str | None = None


class ShVisit(_Edge):
    """A ``CustomerVisit`` of the order's journey."""

    occurredAt: UtcDateTime | None = None
    landingPage: str | None = None
    referrerUrl: str | None = None
    utmParameters: ShUtm | None = None


class ShJourney(_Edge):
    """``customerJourneySummary``."""

    firstVisit: ShVisit | None = None
    lastVisit: ShVisit | None = None


class ShRef(_Edge):
    """``{"id": "gid://shopify/Customer/N"}``."""

    id: Annotated[NumericId, _gid("Customer")]


class ShOrder(_Edge):
    """An ``Order`` node of the orders query."""

    id: Annotated[NumericId, _gid("Order")]
    name: str
    createdAt: UtcDateTime
    updatedAt: UtcDateTime
    processedAt: UtcDateTime | None = None
    cancelledAt: UtcDateTime | None = None
    email: str | None = None
    phone: str | None = None
    currencyCode: Currency
    displayFinancialStatus: str | None = None
    displayFulfillmentStatus: str | None = None
    totalPriceSet: ShMoneyBag
    subtotalPriceSet: ShMoneyBag | None = None
    currentTotalPriceSet: ShMoneyBag
    totalRefundedSet: ShMoneyBag
    totalTaxSet: ShMoneyBag | None = None
    customer: ShRef | None = None
    customerJourneySummary: ShJourney | None = None


class ShLineItem(_Edge):
    """A ``LineItem`` node."""

    id: Annotated[NumericId, _gid("LineItem")]
    sku: str | None = None
    title: str
    quantity: NonNegativeInt
    currentQuantity: NonNegativeInt | None = None
    originalUnitPriceSet: ShMoneyBag


class ShConsent(_Edge):
    """``emailMarketingConsent`` / ``smsMarketingConsent``."""

    marketingState: str
    marketingOptInLevel: str | None = None
    consentUpdatedAt: UtcDateTime | None = None


class ShCustomer(_Edge):
    """A ``Customer`` node."""

    id: Annotated[NumericId, _gid("Customer")]
    email: str | None = None
    phone: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    createdAt: UtcDateTime
    updatedAt: UtcDateTime
    numberOfOrders: Annotated[NonNegativeInt, BeforeValidator(_count)]
    state: str | None = None
    amountSpent: ShMoney
    emailMarketingConsent: ShConsent | None = None
    smsMarketingConsent: ShConsent | None = None


# ---------------------------------------------------------------- rows


class ShopRow(_Row):
    """``shopify.shops``: the shop (the account)."""

    account_id: str
    shop_id: NumericId
    name: str
    currency: Currency
    timezone_name: str


class OrderRow(_Row):
    """``shopify.orders``: one row per order; the cursor is ``updated_date`` (shop time zone).

    ``landing_page``, ``referrer_url`` and the ``utm_*`` columns describe the visit that
    placed the order (``lastVisit``), the ``first_*`` columns the first visit of the journey;
    ``click_id`` comes from the landing URL (``gclid``, ``fbclid``, ``li_fat_id``).
    """

    account_id: str
    order_id: NumericId
    updated_date: date
    name: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None
    cancelled_at: datetime | None
    currency: Currency
    total_price: NonNegativeDecimal
    subtotal_price: NonNegativeDecimal | None
    current_total_price: NonNegativeDecimal
    total_refunded: NonNegativeDecimal
    total_tax: NonNegativeDecimal | None
    customer_id: NumericId | None
    email: str | None
    phone: str | None
    financial_status: str | None
    fulfillment_status: str | None
    landing_page: str | None
    referrer_url: str | None
    visit_at: datetime | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    click_id_type: str | None
    click_id: str | None
    first_landing_page: str | None
    first_visit_at: datetime | None
    first_utm_source: str | None
    first_utm_medium: str | None
    first_utm_campaign: str | None
    first_click_id_type: str | None
    first_click_id: str | None


class LineItemRow(_Row):
    """``shopify.order_line_items``: one row per line; cursor = the order's ``updated_date``."""

    account_id: str
    order_id: NumericId
    line_item_id: NumericId
    updated_date: date
    order_updated_at: datetime
    sku: str | None
    title: str
    quantity: NonNegativeInt
    current_quantity: NonNegativeInt | None
    unit_price: NonNegativeDecimal
    currency: Currency


class CustomerRow(_Row):
    """``shopify.customers``: one row per customer."""

    account_id: str
    customer_id: NumericId
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    created_at: datetime
    updated_at: datetime
    number_of_orders: NonNegativeInt
    amount_spent: NonNegativeDecimal
    currency: Currency
    state: str | None
    email_marketing_state: str | None
    accepts_email_marketing: bool
    email_consent_updated_at: datetime | None
    sms_marketing_state: str | None
    accepts_sms_marketing: bool
