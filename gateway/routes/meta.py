"""``/webhooks/meta``: Meta's subscription handshake (GET) and page webhooks (POST, leadgen)."""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse

from gateway import signatures
from gateway.errors import RequestRejected, SourceNotConfigured, VerifyTokenMismatch
from gateway.routes.webhook import WEBHOOK_ERRORS, Receipt, Receiver, json_error
from gateway.settings import GatewaySettings
from gateway.sources import meta

__all__ = ["BODY", "PATH", "add_routes"]

PATH = "/webhooks/meta"
BODY = meta.MetaNotification

_CHALLENGE_RE = re.compile(r"^[\x21-\x7e]{1,256}$")


def add_routes(routes: APIRouter, settings: GatewaySettings, receiver: Receiver) -> None:
    """Add the Meta routes to ``routes``: the handshake (``meta_verify_token``) and the webhook."""
    keys = tuple(s.get_secret_value().encode() for s in settings.meta_app_secrets)

    @routes.get(
        PATH,
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                  "description": "The challenge, echoed"},
            400: json_error("Not a subscription handshake (or a parameter missing)"),
            403: json_error("Wrong verify token"),
            503: json_error("No verify token configured"),
        },
        tags=["webhooks"],
        summary="Meta subscription handshake",
    )
    async def meta_handshake(
        mode: Annotated[str, Query(alias="hub.mode", max_length=64)],
        verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=512)],
        challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)],
    ) -> PlainTextResponse:
        """Answer Meta's ``hub.mode=subscribe`` handshake by echoing ``hub.challenge``."""
        expected = settings.meta_verify_token
        if expected is None:
            raise SourceNotConfigured("no verify token is configured for Meta webhooks")
        if mode != "subscribe":
            raise RequestRejected("hub.mode must be 'subscribe'", location="query:hub.mode")
        if not _CHALLENGE_RE.match(challenge):
            raise RequestRejected("hub.challenge must be 1-256 printable characters",
                                  location="query:hub.challenge")
        if not hmac.compare_digest(
            verify_token.encode(), expected.get_secret_value().encode()
        ):
            raise VerifyTokenMismatch("hub.verify_token does not match",
                                      location="query:hub.verify_token")
        return PlainTextResponse(challenge)

    @routes.post(
        PATH,
        response_model=Receipt,
        responses=WEBHOOK_ERRORS,
        tags=["webhooks"],
        summary="Meta page webhooks (leadgen)",
    )
    async def meta_webhook(
        request: Request,
        signature: Annotated[
            str | None,
            Header(alias=signatures.META_SIGNATURE,
                   description="sha256=<hex HMAC-SHA256(app secret, body)>"),
        ] = None,
    ) -> Receipt:
        """Receive a Meta page notification; each ``leadgen`` change is one delivery."""

        def verify(body: bytes, _now: datetime) -> None:
            signatures.verify_meta(keys, body=body, signature=signature)

        return await receiver.receive(
            request, "meta", bool(keys), verify,
            lambda body, now: meta.parse(body, received_at=now),
        )
