"""``POST /webhooks/hubspot``: HubSpot app webhooks, signed with the v3 signature."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request

from gateway import signatures
from gateway.routes.webhook import WEBHOOK_ERRORS, Receipt, Receiver
from gateway.settings import GatewaySettings
from gateway.sources import hubspot

__all__ = ["BODY", "PATH", "add_routes"]

PATH = "/webhooks/hubspot"
BODY = list[hubspot.HubSpotEvent]


def add_routes(routes: APIRouter, settings: GatewaySettings, receiver: Receiver) -> None:
    """Add the HubSpot route to ``routes``, verifying with ``settings.hubspot_client_secrets``."""
    keys = tuple(s.get_secret_value().encode() for s in settings.hubspot_client_secrets)
    tolerance = timedelta(seconds=settings.tolerance_seconds)

    @routes.post(
        PATH,
        response_model=Receipt,
        responses=WEBHOOK_ERRORS,
        tags=["webhooks"],
        summary="HubSpot app webhooks (v3 signature)",
    )
    async def hubspot_webhook(
        request: Request,
        signature: Annotated[
            str | None,
            Header(alias=signatures.HUBSPOT_SIGNATURE,
                   description="base64 HMAC-SHA256(client secret, method+URI+body+timestamp)"),
        ] = None,
        timestamp: Annotated[
            str | None,
            Header(alias=signatures.HUBSPOT_TIMESTAMP, description="epoch milliseconds"),
        ] = None,
    ) -> Receipt:
        """Receive a batch of HubSpot events (``contact.creation``, property changes...)."""
        base = settings.public_base_url or f"{request.url.scheme}://{request.url.netloc}"
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        uri = signatures.hubspot_v3_uri(
            base, raw_path.decode("latin-1"), request.scope.get("query_string", b"").decode(
                "latin-1")
        )

        def verify(body: bytes, now: datetime) -> None:
            signatures.verify_hubspot_v3(
                keys, method=request.method, uri=uri, body=body, signature=signature,
                timestamp=timestamp, now=now, tolerance=tolerance,
            )

        return await receiver.receive(
            request, "hubspot", bool(keys), verify,
            lambda body, now: hubspot.parse(body, received_at=now),
        )
