"""The gateway's FastAPI application: one router per sender, plus health and metrics.

Every webhook route does the same steps (``gateway.routes.webhook.Receiver.receive``): check
the body is declared JSON, read it under the size limit, verify the sender's signature, map
the body to deliveries (``gateway.sources``), store them in the inbox *before* answering, then
wake the forwarder. The answer is 200 with a receipt saying, per delivery, ``accepted`` or
``duplicate`` (a delivery id already stored is not stored again), or ``ignored`` when nothing
in the body maps to an event. Refusals are ``gateway.errors`` rendered as ``ErrorBody`` JSON.
The routes are in ``gateway.routes``, one module per sender and one for operations; this
module assembles them with the store, the forwarder and the error handlers.

Request bodies are read raw (a signature covers the exact bytes), so their JSON schemas are
added to the OpenAPI document by hand (``_document_bodies``). Anything a sender controls is
answered 4xx, never 5xx: malformed parameters are ``ErrorBody`` 400s, a wrong method is 405
with every method of the path in ``Allow`` (``OPTIONS`` answers 204 with it), and only an
unavailable inbox or an unconfigured source is 503. ``/healthz`` says healthy or not;
``/metrics`` and the docs take a bearer token when ``admin_token`` is set.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from gateway.errors import AdminTokenRequired, ErrorBody, GatewayError
from gateway.forwarder import EventSink, Forwarder, PrefectEventSink
from gateway.inbox import Inbox, SqlInbox
from gateway.metrics import GatewayMetrics
from gateway.routes import forms, hubspot, meta, operations, shopify
from gateway.routes.operations import Health
from gateway.routes.webhook import DeliveryResult, Receipt, Receiver
from gateway.settings import GatewaySettings
from store import StoreError

__all__ = ["DeliveryResult", "Health", "Receipt", "create_app"]

logger = logging.getLogger("gateway")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: GatewaySettings,
    *,
    inbox: Inbox | None = None,
    sink: EventSink | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> FastAPI:
    """Build the gateway application.

    The store's tables are created and the forwarder started when the app starts (ASGI
    lifespan); both stop with it.

    Args:
        settings: secrets, limits, store URL and Prefect API (see ``GatewaySettings``).
        inbox: where deliveries are stored (default: ``SqlInbox`` at ``settings.store_url``).
        sink: where events go (default: ``PrefectEventSink`` at ``settings.prefect_api_url``,
            or no forwarding when that is None).
        clock: current UTC time (tests pass a fake to move through time).

    """
    inbox = inbox if inbox is not None else SqlInbox.from_url(settings.store_url)
    metrics = GatewayMetrics(inbox.backlog)
    receiver = Receiver(settings, inbox, metrics, clock)

    app = FastAPI(
        title="campaign-ops webhook gateway",
        version="1",
        description=(
            "Verifies HubSpot, Meta, Shopify and web-form (Standard Webhooks) signatures, "
            "stores each delivery in the inbox before answering, and forwards it to Prefect "
            "as an event whose id is derived from the delivery id."
        ),
        lifespan=_lifespan(receiver, sink),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.inbox = inbox
    app.state.metrics = metrics
    app.state.receiver = receiver

    _answer_errors(app)
    # Added to the app's own router, not included as routers: FastAPI keeps an included
    # router as one nested entry of app.routes, and _allowed_methods reads the flat list.
    for add_routes in (hubspot.add_routes, meta.add_routes, shopify.add_routes,
                       forms.add_routes):
        add_routes(app.router, settings, receiver)
    operations.add_routes(app.router, inbox, metrics, settings.admin_token)
    _document_bodies(
        app,
        {
            hubspot.PATH: TypeAdapter(hubspot.BODY),
            meta.PATH: TypeAdapter(meta.BODY),
            shopify.PATH: TypeAdapter(shopify.BODY),
            forms.PATH: TypeAdapter(forms.BODY),
        },
    )
    return app


def _lifespan(
    receiver: Receiver, sink: EventSink | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Return the app's lifespan: open the inbox and run the forwarder while the app runs."""
    settings, inbox = receiver.settings, receiver.inbox
    metrics, clock = receiver.metrics, receiver.clock

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(inbox.open)
        event_sink = sink
        if event_sink is None and settings.prefect_api_url:
            event_sink = PrefectEventSink(
                settings.prefect_api_url,
                auth_string=settings.prefect_api_auth_string,
                api_key=settings.prefect_api_key,
                timeout=settings.forward_timeout_seconds,
            )
        task: asyncio.Task[None] | None = None
        if event_sink is not None:
            receiver.forwarder = Forwarder(inbox, event_sink, settings, metrics, clock)
            task = asyncio.create_task(receiver.forwarder.run(), name="gateway-forwarder")
        else:
            logger.warning("no Prefect API configured: deliveries are stored, not forwarded")
        try:
            yield
        finally:
            if receiver.forwarder is not None and task is not None:
                receiver.forwarder.stop()
                await task
                receiver.forwarder = None
            if event_sink is not None and sink is None:
                await event_sink.aclose()
            inbox.close()

    return lifespan


def _answer_errors(app: FastAPI) -> None:
    """Answer every refusal as an ``ErrorBody`` (405 with ``Allow``; OPTIONS 204)."""

    @app.exception_handler(GatewayError)
    async def _refused(_request: Request, exc: GatewayError) -> JSONResponse:
        logger.info("refused %s: %s", exc.code, exc.message)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AdminTokenRequired) else None
        return JSONResponse(exc.error_body().model_dump(), status_code=exc.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = [str(part) for part in first.get("loc", ())]
        location = f"{where[0]}:{'.'.join(where[1:])}" if len(where) > 1 else "request"
        body = ErrorBody(error="bad_request", message=f"{location}: {first.get('msg')}",
                         location=location)
        return JSONResponse(body.model_dump(), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            allow = ", ".join(_allowed_methods(app, request.scope))
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": allow})
            body = ErrorBody(error="method_not_allowed",
                             message=f"{request.method} is not allowed here; use {allow}")
            return JSONResponse(body.model_dump(), status_code=405, headers={"Allow": allow})
        code = "not_found" if exc.status_code == 404 else "http_error"
        return JSONResponse(ErrorBody(error=code, message=str(exc.detail)).model_dump(),
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(StoreError)
    async def _store_down(_request: Request, exc: StoreError) -> JSONResponse:
        logger.error("inbox unavailable: %s", exc)
        body = ErrorBody(error="store_unavailable", message="the inbox is unavailable; retry")
        return JSONResponse(body.model_dump(), status_code=503)


def _allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Return every method some route of ``scope``'s path answers, plus OPTIONS."""
    methods = {"OPTIONS"}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _document_bodies(app: FastAPI, bodies: dict[str, TypeAdapter[Any]]) -> None:
    """Add the raw-read request bodies' JSON schemas to the app's OpenAPI document.

    FastAPI also documents a 422 ``HTTPValidationError`` for every route with parameters;
    the gateway answers those as ``ErrorBody`` 400s instead, so that entry is removed.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = document.setdefault("components", {}).setdefault("schemas", {})
        validation = "#/components/schemas/HTTPValidationError"
        for path_item in document["paths"].values():
            for operation in path_item.values():
                answer = operation.get("responses", {}).get("422", {})
                if validation in json.dumps(answer):
                    del operation["responses"]["422"]
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        for path, adapter in bodies.items():
            schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
            components.update(schema.pop("$defs", {}))
            document["paths"][path]["post"]["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema}},
            }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
