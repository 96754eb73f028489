"""``POST /webhooks/shopify``: Shopify webhooks; ``orders/create`` becomes a conversion."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from gateway import signatures
from gateway.errors import ErrorBody
from gateway.routes.webhook import WEBHOOK_ERRORS, Receipt, Receiver
from gateway.settings import GatewaySettings
from gateway.sources import shopify
from gateway.sources._common import Parsed

__all__ = ["BODY", "PATH", "add_routes"]

PATH = "/webhooks/shopify"
BODY = shopify.ShopifyOrder

_ERRORS: dict[int | str, dict[str, Any]] = {
    **WEBHOOK_ERRORS,
    403: {"model": ErrorBody, "description": "The shop domain is not a configured shop"},
}


def add_routes(routes: APIRouter, settings: GatewaySettings, receiver: Receiver) -> None:
    """Add the Shopify route to ``routes``, for the shops in ``settings.shopify_shop_domains``."""
    keys = tuple(s.get_secret_value().encode() for s in settings.shopify_secrets)
    shops = frozenset(settings.shopify_shop_domains)
    max_age = timedelta(seconds=settings.shopify_max_age_seconds)
    tolerance = timedelta(seconds=settings.tolerance_seconds)

    @routes.post(
        PATH,
        response_model=Receipt,
        responses=_ERRORS,
        tags=["webhooks"],
        summary="Shopify webhooks (orders/create)",
    )
    async def shopify_webhook(
        request: Request,
        signature: Annotated[
            str | None,
            Header(alias=signatures.SHOPIFY_HMAC,
                   description="base64 HMAC-SHA256(client secret, body)"),
        ] = None,
        triggered_at: Annotated[
            str | None, Header(alias=signatures.SHOPIFY_TRIGGERED_AT, description="ISO 8601")
        ] = None,
        topic: Annotated[
            str | None, Header(alias=shopify.SHOPIFY_TOPIC, max_length=255,
                               description="orders/create (others are ignored)")
        ] = None,
        shop_domain: Annotated[
            str | None, Header(alias=shopify.SHOPIFY_SHOP_DOMAIN, max_length=255,
                               description="must be a configured shop")
        ] = None,
    ) -> Receipt:
        """Receive a Shopify webhook; ``orders/create`` becomes an offline conversion.

        The delivery is deduplicated on the order id in the signed body (one conversion per
        order, whatever ``X-Shopify-Event-Id`` says).
        """

        def verify(body: bytes, now: datetime) -> None:
            signatures.verify_shopify(
                keys, body=body, signature=signature, triggered_at=triggered_at,
                now=now, max_age=max_age, tolerance=tolerance,
            )

        def parse(body: bytes, now: datetime) -> Parsed:
            return shopify.parse(body, topic=topic, shop_domain=shop_domain, shops=shops,
                                 received_at=now, max_age=max_age, tolerance=tolerance)

        return await receiver.receive(request, "shopify", bool(keys), verify, parse)
