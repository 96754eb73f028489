"""``POST /webhooks/forms``: our web forms, signed as Standard Webhooks; each is a lead."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request

from gateway import signatures
from gateway.routes.webhook import WEBHOOK_ERRORS, Receipt, Receiver
from gateway.settings import GatewaySettings
from gateway.sources import webform
from gateway.sources._common import Parsed

__all__ = ["BODY", "PATH", "add_routes"]

PATH = "/webhooks/forms"
BODY = webform.FormSubmission


def add_routes(routes: APIRouter, settings: GatewaySettings, receiver: Receiver) -> None:
    """Add the web form route to ``routes``, verifying with ``settings.webform_secrets``."""
    keys = settings.webform_keys()
    tolerance = timedelta(seconds=settings.tolerance_seconds)

    @routes.post(
        PATH,
        response_model=Receipt,
        responses=WEBHOOK_ERRORS,
        tags=["webhooks"],
        summary="Web form submissions (Standard Webhooks)",
    )
    async def form_webhook(
        request: Request,
        webhook_id: Annotated[
            str | None, Header(alias=signatures.WEBHOOK_ID, description="message id")
        ] = None,
        webhook_timestamp: Annotated[
            str | None, Header(alias=signatures.WEBHOOK_TIMESTAMP, description="epoch seconds")
        ] = None,
        webhook_signature: Annotated[
            str | None,
            Header(alias=signatures.WEBHOOK_SIGNATURE,
                   description="space-separated 'v1,<base64>' signatures"),
        ] = None,
    ) -> Receipt:
        """Receive a web form submission; ``form.submitted`` becomes a lead."""

        def verify(body: bytes, now: datetime) -> None:
            signatures.verify_standard_webhook(
                keys, body=body, webhook_id=webhook_id, timestamp=webhook_timestamp,
                signature=webhook_signature, now=now, tolerance=tolerance,
            )

        def parse(body: bytes, now: datetime) -> Parsed:
            assert webhook_id is not None  # verify() refused a request without it
            return webform.parse(body, webhook_id=webhook_id.strip(), received_at=now)

        return await receiver.receive(request, "webform", bool(keys), verify, parse)
