"""Shopify webhooks: ``orders/create`` becomes an offline-conversions event (kind ``order``).

The delivery id is ``X-Shopify-Event-Id`` (Shopify's guidance for duplicates: the same value
on several webhooks is one event), else ``X-Shopify-Webhook-Id``. The order's landing URL
gives its UTM tags and click ids (``gclid``, ``fbclid``...), which is what lets the order be
uploaded to the ad platforms as a conversion. Other topics are ``ignored``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import InvalidPayload
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
    "SHOPIFY_EVENT_ID",
    "SHOPIFY_SHOP_DOMAIN",
    "SHOPIFY_TOPIC",
    "SHOPIFY_WEBHOOK_ID",
    "ShopifyOrder",
    "parse",
]

ORDERS_CREATE = "orders/create"
SHOPIFY_TOPIC = "X-Shopify-Topic"
SHOPIFY_SHOP_DOMAIN = "X-Shopify-Shop-Domain"
SHOPIFY_EVENT_ID = "X-Shopify-Event-Id"
SHOPIFY_WEBHOOK_ID = "X-Shopify-Webhook-Id"
_ID_HEADER_MAX = 255


class ShopifyCustomer(BaseModel):
    """The order's customer (fields we use)."""

    model_config = ConfigDict(extra="ignore")

    id: Id | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=64)


class ShopifyOrder(BaseModel):
    """An ``orders/create`` body (the fields we use; Shopify sends many more)."""

    model_config = ConfigDict(extra="ignore")

    id: Id = Field(max_length=64)
    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=64)
    created_at: datetime | None = None
    total_price: str | int | float | None = None
    currency: str | None = Field(default=None, max_length=3)
    landing_site: str | None = Field(default=None, max_length=4096)
    customer: ShopifyCustomer | None = None


def delivery_id(event_id: str | None, webhook_id: str | None) -> str:
    """Return the dedupe key of a Shopify delivery.

    Raises:
        InvalidPayload: neither id header is present (such a delivery cannot be deduplicated).

    """
    for name, value in ((SHOPIFY_EVENT_ID, event_id), (SHOPIFY_WEBHOOK_ID, webhook_id)):
        if value is not None and value.strip():
            if len(value) > _ID_HEADER_MAX:
                raise InvalidPayload(f"the {name} header is too long", location=f"header:{name}")
            return value.strip()
    raise InvalidPayload(
        f"the {SHOPIFY_EVENT_ID} (or {SHOPIFY_WEBHOOK_ID}) header is missing",
        location=f"header:{SHOPIFY_EVENT_ID}",
    )


def parse(
    body: bytes,
    *,
    topic: str | None,
    shop_domain: str | None,
    delivery: str,
    received_at: datetime,
) -> Parsed:
    """Map a verified Shopify delivery to its conversion (or to nothing for other topics)."""
    if not topic:
        raise InvalidPayload(f"the {SHOPIFY_TOPIC} header is missing",
                             location=f"header:{SHOPIFY_TOPIC}")
    data = load_json(body)
    if topic != ORDERS_CREATE:
        return Parsed(ignored=1)
    try:
        order = ShopifyOrder.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None
    customer = order.customer or ShopifyCustomer()
    conversion = OfflineConversionReceived(
        source="shopify",
        delivery_id=delivery,
        topic=topic,
        received_at=iso(received_at),
        occurred_at=iso(order.created_at) if order.created_at else None,
        kind="order",
        conversion_id=order.id,
        value=decimal_text(order.total_price),
        currency=order.currency,
        email=order.email or customer.email,
        phone=order.phone or customer.phone,
        order_name=order.name,
        shop_domain=(shop_domain or "")[:255] or None,
        shopify_customer_id=customer.id,
        landing_site=order.landing_site,
        **attribution_from_url(order.landing_site),
    )
    return Parsed([Mapped(delivery, topic[:255], OFFLINE_CONVERSIONS_RECEIVED, conversion,
                          body.decode())])
