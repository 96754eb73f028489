"""Shopify webhooks: ``orders/create`` becomes an offline-conversions event (kind ``order``).

Shopify signs the body only (``X-Shopify-Hmac-Sha256``); ``X-Shopify-Topic``,
``-Shop-Domain``, ``-Event-Id`` and ``-Triggered-At`` are not signed, so anyone holding one
captured delivery could re-send it with new headers. Everything that decides what a delivery
is therefore comes from the signed body or is checked against it:

* the delivery id is the order (``orders/create:<order id>``): an order is created once, so a
  re-sent order, with whatever event id, is a ``duplicate``;
* an ``orders/create`` body must be an order (id, ``created_at``, ``line_items``, total and
  currency), and its signed ``created_at`` must be recent (``shopify_max_age_seconds``): an old
  order announced as new is a replay, refused as a stale timestamp;
* the shop domain must be one of the configured shops.

The order's landing URL gives its UTM tags and click ids (``gclid``, ``fbclid``...), which is
what lets the order be uploaded to the ad platforms as a conversion. Other topics are
``ignored``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError

from gateway.errors import FutureRequest, InvalidPayload, StaleRequest, UnknownShop
from gateway.events import OFFLINE_CONVERSIONS_RECEIVED, OfflineConversionReceived
from gateway.sources._common import (
    Id,
    Mapped,
    Parsed,
    attribution_from_url,
    decimal_text,
    invalid,
    iso,
    load_json,
)

__all__ = [
    "ORDERS_CREATE",
    "SHOPIFY_SHOP_DOMAIN",
    "SHOPIFY_TOPIC",
    "ShopifyOrder",
    "order_delivery_id",
    "parse",
]

ORDERS_CREATE = "orders/create"
SHOPIFY_TOPIC = "X-Shopify-Topic"
SHOPIFY_SHOP_DOMAIN = "X-Shopify-Shop-Domain"
_MAX_LINE_ITEMS = 5000


class ShopifyCustomer(BaseModel):
    """The order's customer (fields we use)."""

    model_config = ConfigDict(extra="ignore")

    id: Id | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=64)


class ShopifyOrder(BaseModel):
    """An ``orders/create`` body (the fields we use or check; Shopify sends many more).

    The required fields are what makes a body an order rather than the customer, product or
    checkout that another topic carries.
    """

    model_config = ConfigDict(extra="ignore")

    id: Id = Field(max_length=64)
    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=64)
    created_at: datetime
    updated_at: datetime | None = None
    total_price: Annotated[str, Field(max_length=32)] | StrictInt | StrictFloat
    currency: str = Field(min_length=3, max_length=3)
    line_items: list[dict[str, Any]] = Field(max_length=_MAX_LINE_ITEMS)
    landing_site: str | None = Field(default=None, max_length=4096)
    customer: ShopifyCustomer | None = None


def order_delivery_id(order_id: str) -> str:
    """Return the dedupe key of an order's creation: one per order, whatever the headers say."""
    return f"{ORDERS_CREATE}:{order_id}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _check_recent(created: datetime, now: datetime, max_age: timedelta,
                  tolerance: timedelta) -> None:
    created = _aware(created)
    if now - created > max_age:
        raise StaleRequest(
            f"the order was created more than {max_age} ago: an {ORDERS_CREATE} delivery that "
            "old is a replay (Shopify stops retrying well before)",
            location="body.created_at",
        )
    if created - now > tolerance:
        raise FutureRequest("the order's created_at lies in the future",
                            location="body.created_at")


def _shop(shop_domain: str | None, shops: Collection[str]) -> str:
    domain = (shop_domain or "").strip().lower()
    if not domain:
        raise InvalidPayload(f"the {SHOPIFY_SHOP_DOMAIN} header is missing",
                             location=f"header:{SHOPIFY_SHOP_DOMAIN}")
    if domain not in shops:
        raise UnknownShop(f"the {SHOPIFY_SHOP_DOMAIN} header names a shop that is not "
                          "configured", location=f"header:{SHOPIFY_SHOP_DOMAIN}")
    return domain


def parse(
    body: bytes,
    *,
    topic: str | None,
    shop_domain: str | None,
    shops: Collection[str],
    received_at: datetime,
    max_age: timedelta,
    tolerance: timedelta,
) -> Parsed:
    """Map a verified Shopify delivery to its conversion (or to nothing for other topics).

    Args:
        body: the signed body.
        topic: ``X-Shopify-Topic`` (unsigned: only chooses how the body is read).
        shop_domain: ``X-Shopify-Shop-Domain`` (unsigned: must be one of ``shops``).
        shops: the configured ``*.myshopify.com`` domains, lower case.
        received_at: now (aware).
        max_age: how old an order's ``created_at`` may be.
        tolerance: how far ``created_at`` may lie in the future (clock skew).

    Raises:
        InvalidPayload: a missing header, or a body that is not an order for ``orders/create``.
        UnknownShop: the shop is not configured.
        StaleRequest: an order created longer ago than ``max_age`` (a replay).
        FutureRequest: an order created in the future.

    """
    if not topic or not topic.strip():
        raise InvalidPayload(f"the {SHOPIFY_TOPIC} header is missing",
                             location=f"header:{SHOPIFY_TOPIC}")
    domain = _shop(shop_domain, shops)
    data = load_json(body)
    if topic.strip() != ORDERS_CREATE:
        return Parsed(ignored=1)
    try:
        order = ShopifyOrder.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None
    _check_recent(order.created_at, received_at, max_age, tolerance)
    customer = order.customer or ShopifyCustomer()
    delivery = order_delivery_id(order.id)
    conversion = OfflineConversionReceived(
        source="shopify",
        delivery_id=delivery,
        topic=ORDERS_CREATE,
        received_at=iso(received_at),
        occurred_at=iso(order.created_at),
        kind="order",
        conversion_id=order.id,
        value=decimal_text(order.total_price),
        currency=order.currency,
        email=order.email or customer.email,
        phone=order.phone or customer.phone,
        order_name=order.name,
        shop_domain=domain,
        shopify_customer_id=customer.id,
        landing_site=order.landing_site,
        **attribution_from_url(order.landing_site),
    )
    return Parsed([Mapped(delivery, ORDERS_CREATE, OFFLINE_CONVERSIONS_RECEIVED,
                          conversion, body.decode())])
