"""The gateway's FastAPI application: one route per sender, plus health and metrics.

Every webhook route does the same steps (``_Receiver.receive``): check the body is declared
JSON, read it under the size limit, verify the sender's signature, map the body to deliveries
(``gateway.sources``), store them in the inbox *before* answering, then wake the forwarder.
The answer is 200 with a receipt saying, per delivery, ``accepted`` or ``duplicate`` (a
delivery id already stored is not stored again), or ``ignored`` when nothing in the body maps
to an event. Refusals are ``gateway.errors`` rendered as ``ErrorBody`` JSON.

Request bodies are read raw (a signature covers the exact bytes), so their JSON schemas are
added to the OpenAPI document by hand (``_document_bodies``). Anything a sender controls is
answered 4xx, never 5xx: malformed parameters are ``ErrorBody`` 400s, a wrong method is 405
with every method of the path in ``Allow`` (``OPTIONS`` answers 204 with it), and only an
unavailable inbox or an unconfigured source is 503. ``/healthz`` says healthy or not;
``/metrics`` and the docs take a bearer token when ``admin_token`` is set.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, TypeAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from gateway import signatures
from gateway.body import read_body, require_json
from gateway.errors import (
    AdminTokenRequired,
    ErrorBody,
    GatewayError,
    RequestRejected,
    SignatureError,
    SourceNotConfigured,
    VerifyTokenMismatch,
)
from gateway.events import event_id
from gateway.forwarder import EventSink, Forwarder, PrefectEventSink
from gateway.inbox import Inbox, SqlInbox
from gateway.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.settings import GatewaySettings
from gateway.sources import hubspot, meta, shopify, webform
from gateway.sources._common import Parsed
from store import NewDelivery, StoreError

__all__ = ["DeliveryResult", "Health", "Receipt", "create_app"]

logger = logging.getLogger("gateway")

_CHALLENGE_RE = re.compile(r"^[\x21-\x7e]{1,256}$")


def _utcnow() -> datetime:
    return datetime.now(UTC)


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


class Health(BaseModel):
    """The answer of ``GET /healthz``: the inbox answers (``ok``) or not (``unavailable``).

    Nothing else: the backlog and forwarding failures are on ``/metrics`` and in the log,
    not on an open route.
    """

    status: Literal["ok", "unavailable"]


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request (e.g. Content-Length)"},
    401: {"model": ErrorBody, "description": "Signature missing, malformed, wrong or expired"},
    413: {"model": ErrorBody, "description": "Body larger than the configured limit"},
    415: {"model": ErrorBody, "description": "Body not declared as application/json (UTF-8)"},
    422: {"model": ErrorBody, "description": "Verified, but not the JSON this source sends "
          "(or deeper, longer or larger than the gateway reads)"},
    503: {"model": ErrorBody, "description": "Source not configured, or inbox unavailable"},
}
_SHOPIFY_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    403: {"model": ErrorBody, "description": "The shop domain is not a configured shop"},
}
_ADMIN_PATHS = ("/openapi.json", "/docs", "/redoc")


def _json_error(description: str) -> dict[str, Any]:
    # Explicit JSON content: on a plain-text route FastAPI would document "model" as text.
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


class _Receiver:
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


_BEARER = HTTPBearer(auto_error=False, description="The gateway's admin token")


class _AdminGuard:
    """A dependency that lets a request through only with ``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]
    ) -> None:
        if credentials is None or not hmac.compare_digest(
            credentials.credentials.encode(), self._token
        ):
            raise AdminTokenRequired("this route needs Authorization: Bearer <admin token>",
                                     location="header:Authorization")


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
    receiver = _Receiver(settings, inbox, metrics, clock)
    tolerance = timedelta(seconds=settings.tolerance_seconds)
    hubspot_keys = tuple(s.get_secret_value().encode() for s in settings.hubspot_client_secrets)
    meta_keys = tuple(s.get_secret_value().encode() for s in settings.meta_app_secrets)
    shopify_keys = tuple(s.get_secret_value().encode() for s in settings.shopify_secrets)
    webform_keys = settings.webform_keys()
    shopify_shops = frozenset(settings.shopify_shop_domains)
    max_age = timedelta(seconds=settings.shopify_max_age_seconds)
    # Only a gateway with a token documents (and enforces) it, so the document never claims
    # an auth that is not there.
    admin: dict[str, Any] = (
        {"dependencies": [Depends(_AdminGuard(settings.admin_token.get_secret_value()))],
         "responses": {401: _json_error("Missing or wrong admin token")}}
        if settings.admin_token is not None else {"responses": {}}
    )

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

    app = FastAPI(
        title="campaign-ops webhook gateway",
        version="1",
        description=(
            "Verifies HubSpot, Meta, Shopify and web-form (Standard Webhooks) signatures, "
            "stores each delivery in the inbox before answering, and forwards it to Prefect "
            "as an event whose id is derived from the delivery id."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.inbox = inbox
    app.state.metrics = metrics
    app.state.receiver = receiver

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

    @app.post(
        "/webhooks/hubspot",
        response_model=Receipt,
        responses=_ERRORS,
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
                hubspot_keys, method=request.method, uri=uri, body=body, signature=signature,
                timestamp=timestamp, now=now, tolerance=tolerance,
            )

        return await receiver.receive(
            request, "hubspot", bool(hubspot_keys), verify,
            lambda body, now: hubspot.parse(body, received_at=now),
        )

    @app.get(
        "/webhooks/meta",
        response_class=PlainTextResponse,
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                  "description": "The challenge, echoed"},
            400: _json_error("Not a subscription handshake (or a parameter missing)"),
            403: _json_error("Wrong verify token"),
            503: _json_error("No verify token configured"),
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

    @app.post(
        "/webhooks/meta",
        response_model=Receipt,
        responses=_ERRORS,
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
            signatures.verify_meta(meta_keys, body=body, signature=signature)

        return await receiver.receive(
            request, "meta", bool(meta_keys), verify,
            lambda body, now: meta.parse(body, received_at=now),
        )

    @app.post(
        "/webhooks/shopify",
        response_model=Receipt,
        responses=_SHOPIFY_ERRORS,
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
                shopify_keys, body=body, signature=signature, triggered_at=triggered_at,
                now=now, max_age=max_age, tolerance=tolerance,
            )

        def parse(body: bytes, now: datetime) -> Parsed:
            return shopify.parse(body, topic=topic, shop_domain=shop_domain, shops=shopify_shops,
                                 received_at=now, max_age=max_age, tolerance=tolerance)

        return await receiver.receive(request, "shopify", bool(shopify_keys), verify, parse)

    @app.post(
        "/webhooks/forms",
        response_model=Receipt,
        responses=_ERRORS,
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
                webform_keys, body=body, webhook_id=webhook_id, timestamp=webhook_timestamp,
                signature=webhook_signature, now=now, tolerance=tolerance,
            )

        def parse(body: bytes, now: datetime) -> Parsed:
            assert webhook_id is not None  # verify() refused a request without it
            return webform.parse(body, webhook_id=webhook_id.strip(), received_at=now)

        return await receiver.receive(request, "webform", bool(webform_keys), verify, parse)

    @app.get(
        "/healthz",
        response_model=Health,
        responses={503: {"model": Health, "description": "The inbox is unavailable"}},
        tags=["operations"],
        summary="Health of the gateway and its inbox",
    )
    def healthz() -> Response:
        """Say whether the gateway can take deliveries (its inbox answers)."""
        try:
            inbox.check()
        except StoreError as exc:
            logger.error("health check: inbox unavailable: %s", exc)
            return JSONResponse(Health(status="unavailable").model_dump(), status_code=503)
        return JSONResponse(Health(status="ok").model_dump())

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}},
                         "description": "Prometheus text exposition"},
                   **admin["responses"]},
        dependencies=admin.get("dependencies"),
        tags=["operations"],
        summary="Prometheus metrics",
    )
    def prometheus_metrics() -> Response:
        """Expose deliveries, signature failures, inbox backlog and forward latency."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    @app.get(_ADMIN_PATHS[0], include_in_schema=False, dependencies=admin.get("dependencies"))
    def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get(_ADMIN_PATHS[1], include_in_schema=False, dependencies=admin.get("dependencies"))
    def swagger_docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=_ADMIN_PATHS[0], title=f"{app.title} - docs")

    @app.get(_ADMIN_PATHS[2], include_in_schema=False, dependencies=admin.get("dependencies"))
    def redoc_docs() -> HTMLResponse:
        return get_redoc_html(openapi_url=_ADMIN_PATHS[0], title=f"{app.title} - ReDoc")

    _document_bodies(
        app,
        {
            "/webhooks/hubspot": TypeAdapter(list[hubspot.HubSpotEvent]),
            "/webhooks/meta": TypeAdapter(meta.MetaNotification),
            "/webhooks/shopify": TypeAdapter(shopify.ShopifyOrder),
            "/webhooks/forms": TypeAdapter(webform.FormSubmission),
        },
    )
    return app


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
        for operations in document["paths"].values():
            for operation in operations.values():
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
