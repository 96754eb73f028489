"""Property-based API testing with schemathesis: no generated request gets a 5xx.

Every generated case is sent twice to a real gateway on loopback: as generated (random or
missing signature headers, so the refusal paths are explored) and signed with the configured
secret over the exact bytes sent (so the parsing and storing paths are explored too). Each
answer is checked against the OpenAPI document (status code, content type, response schema).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.app import create_app
from gateway.serve import GatewayServer
from gateway.settings import GatewaySettings
from tests.gateway import senders as s

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


# The app is built at import so schemathesis can read its OpenAPI document while collecting;
# the module fixture serves this same app on loopback.
_STORE = Path(tempfile.mkdtemp(prefix="gateway-schemathesis-"))
APP = create_app(GatewaySettings(**s.settings_kwargs(store_url=f"sqlite:///{_STORE}/s.sqlite")))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def gateway_server():
    with GatewayServer(APP) as server:
        yield server
    shutil.rmtree(_STORE, ignore_errors=True)


@pytest.fixture(scope="module")
def http():
    with httpx.Client(timeout=10) as client:
        yield client


def _signed(path: str, content: bytes, base_url: str) -> dict[str, str]:
    if path == "/webhooks/forms":
        return s.sign_webform_bytes(content)
    if path == "/webhooks/hubspot":
        return s.sign_hubspot_bytes(content, f"{base_url}{path}")
    if path == "/webhooks/meta":
        return s.sign_meta(content)
    if path == "/webhooks/shopify":
        return s.sign_shopify(content)
    return {}


@schema.parametrize()
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_generated_request_gets_a_server_error(case, gateway_server, http):
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url=gateway_server.base_url)
    kwargs.pop("cookies", None)
    content: bytes | None = None
    if "json" in kwargs:
        content = json.dumps(kwargs.pop("json")).encode()
    elif isinstance(kwargs.get("data"), str | bytes):
        raw = kwargs.pop("data")
        content = raw.encode() if isinstance(raw, str) else raw
    if content is not None:
        kwargs["content"] = content
    response = http.request(**kwargs)
    case.validate_response(response, checks=CHECKS)
    if content is not None and case.method == "POST":
        headers = {**kwargs["headers"], **_signed(case.path, content, gateway_server.base_url)}
        signed = http.request(**{**kwargs, "headers": headers})
        assert signed.status_code < 500, signed.text
        case.validate_response(signed, checks=CHECKS)
