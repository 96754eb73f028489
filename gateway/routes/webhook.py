"""What every webhook route shares: the receive steps, the receipt, the documented refusals.

``Receiver.receive`` checks the body is declared JSON, reads it under the size limit,
verifies the sender's signature, maps the body to deliveries (``gateway.sources``), stores
them in the inbox *before* answering, then wakes the forwarder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import anyio.to_thread
from fastapi import Request
from pydantic import BaseModel

from gateway.body import read_body, require_json
from gateway.errors import ErrorBody, GatewayError, SignatureError, SourceNotConfigured
from gateway.events import event_id
from gateway.forwarder import Forwarder
from gateway.inbox import Inbox
from gateway.metrics import GatewayMetrics
from gateway.settings import GatewaySettings
from gateway.sources._common import Parsed
from store import NewDelivery

__all__ = ["WEBHOOK_ERRORS", "DeliveryResult", "Receipt", "Receiver", "json_error"]


class DeliveryResult(BaseModel):
    """What became of one delivery of the request."""

    delivery_id: str
    event: str
    event_id: str
    status: Literal["accepted", "duplicate"]


class Receipt(BaseModel):
    """The 200 answer to a webhook: stored (``accepted``), seen before, or nothing to store."""

    status: Literal["accepted", "duplicate", "ignored"]
    deliveries: list[DeliveryResult]
    ignored: int


WEBHOOK_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request (e.g. Content-Length)"},
    401: {"model": ErrorBody, "description": "Signature missing, malformed, wrong or expired"},
    413: {"model": ErrorBody, "description": "Body larger than the configured limit"},
    415: {"model": ErrorBody, "description": "Body not declared as application/json (UTF-8)"},
    422: {"model": ErrorBody, "description": "Verified, but not the JSON this source sends "
          "(or deeper, longer or larger than the gateway reads)"},
    503: {"model": ErrorBody, "description": "Source not configured, or inbox unavailable"},
}
"""The refusals every webhook route documents."""


def json_error(description: str) -> dict[str, Any]:
    """Return an OpenAPI response answered with an ``ErrorBody`` as JSON."""
    # Explicit JSON content: on a plain-text route FastAPI would document "model" as text.
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


class Receiver:
    """The shared steps of every webhook route, bound to one app's settings and inbox."""

    def __init__(
        self,
        settings: GatewaySettings,
        inbox: Inbox,
        metrics: GatewayMetrics,
        clock: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.inbox = inbox
        self.metrics = metrics
        self.clock = clock
        self.forwarder: Forwarder | None = None

    async def receive(
        self,
        request: Request,
        source: str,
        configured: bool,
        verify: Callable[[bytes, datetime], None],
        parse: Callable[[bytes, datetime], Parsed],
    ) -> Receipt:
        """Verify, parse and store one request of ``source``; return its receipt.

        Raises:
            GatewayError: the request is refused (counted in the metrics first).

        """
        try:
            if not configured:
                raise SourceNotConfigured(f"no secret is configured for {source} webhooks")
            require_json(request)
            body = await read_body(request, self.settings.max_body_bytes)
            now = self.clock()
            verify(body, now)
            parsed = parse(body, now)
        except SignatureError as exc:
            self.metrics.signature_failures.labels(source, exc.code).inc()
            self.metrics.deliveries.labels(source, "rejected").inc()
            raise
        except GatewayError:
            self.metrics.deliveries.labels(source, "rejected").inc()
            raise
        deliveries = [
            NewDelivery(
                source=source,
                delivery_id=item.delivery_id,
                topic=item.topic,
                event_name=item.event_name,
                event_id=event_id(source, item.delivery_id),
                payload=item.payload.model_dump(mode="json"),
                body=item.body,
                received_at=now,
            )
            for item in parsed.deliveries
        ]
        outcomes = await anyio.to_thread.run_sync(self.inbox.add, deliveries) if deliveries else []
        results = [
            DeliveryResult(
                delivery_id=o.delivery.delivery_id,
                event=o.delivery.event_name,
                event_id=str(o.delivery.event_id),
                status="accepted" if o.inserted else "duplicate",
            )
            for o in outcomes
        ]
        for result in results:
            self.metrics.deliveries.labels(source, result.status).inc()
        if parsed.ignored:
            self.metrics.deliveries.labels(source, "ignored").inc(parsed.ignored)
        accepted = any(r.status == "accepted" for r in results)
        if accepted and self.forwarder is not None:
            self.forwarder.wake()
        status: Literal["accepted", "duplicate", "ignored"] = (
            "accepted" if accepted else "duplicate" if results else "ignored"
        )
        return Receipt(status=status, deliveries=results, ignored=parsed.ignored)
