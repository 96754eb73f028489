"""The operations routes: ``/healthz`` (open), ``/metrics`` and the docs (admin token if set).

Only a gateway with an admin token documents (and enforces) it, so the OpenAPI document never
claims an auth that is not there.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, SecretStr

from gateway.errors import AdminTokenRequired
from gateway.inbox import Inbox
from gateway.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.routes.webhook import json_error
from store import StoreError

__all__ = ["ADMIN_PATHS", "Health", "add_routes"]

logger = logging.getLogger("gateway")

ADMIN_PATHS = ("/openapi.json", "/docs", "/redoc")
"""The OpenAPI document and the two pages rendering it (behind the admin token)."""

_BEARER = HTTPBearer(auto_error=False, description="The gateway's admin token")


class Health(BaseModel):
    """The answer of ``GET /healthz``: the inbox answers (``ok``) or not (``unavailable``).

    Nothing else: the backlog and forwarding failures are on ``/metrics`` and in the log,
    not on an open route.
    """

    status: Literal["ok", "unavailable"]


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


def add_routes(
    routes: APIRouter, inbox: Inbox, metrics: GatewayMetrics, admin_token: SecretStr | None
) -> None:
    """Add the health, metrics and docs routes to ``routes`` (the last two: ``admin_token``)."""
    admin: dict[str, Any] = (
        {"dependencies": [Depends(_AdminGuard(admin_token.get_secret_value()))],
         "responses": {401: json_error("Missing or wrong admin token")}}
        if admin_token is not None else {"responses": {}}
    )

    @routes.get(
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

    @routes.get(
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

    @routes.get(ADMIN_PATHS[0], include_in_schema=False, dependencies=admin.get("dependencies"))
    def openapi_document(request: Request) -> JSONResponse:
        return JSONResponse(request.app.openapi())

    @routes.get(ADMIN_PATHS[1], include_in_schema=False, dependencies=admin.get("dependencies"))
    def swagger_docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=ADMIN_PATHS[0],
                                   title=f"{request.app.title} - docs")

    @routes.get(ADMIN_PATHS[2], include_in_schema=False, dependencies=admin.get("dependencies"))
    def redoc_docs(request: Request) -> HTMLResponse:
        return get_redoc_html(openapi_url=ADMIN_PATHS[0], title=f"{request.app.title} - ReDoc")
