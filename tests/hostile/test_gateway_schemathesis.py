"""Property-based API testing with schemathesis: no generated request gets a 5xx.

The gateway's OpenAPI document drives two runs against a real gateway on loopback, and every
answer is checked against the document (status code, content type, headers, response
schema):

* as generated: random or missing signature headers, so the refusal paths are explored;
* signed: a ``before_call`` hook signs each generated body with the configured secret over
  the exact bytes the transport sends (``requests`` serialises ``json=`` with ``json.dumps``),
  so the parsing and storing paths are explored too; a signed request must never be refused
  for its signature, which proves the hook signs what is sent.

The number of cases and of 5xx answers is printed at the end of the module (``-s``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
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
EXAMPLES = 25

# The app is built at import so schemathesis can read its OpenAPI document while collecting;
# the module fixture serves this same app on loopback.
_STORE = Path(tempfile.mkdtemp(prefix="gateway-schemathesis-"))
APP = create_app(GatewaySettings(**s.settings_kwargs(store_url=f"sqlite:///{_STORE}/s.sqlite")))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

_SIGNING: dict[str, Any] = {"base_url": None}
_SEEN: Counter[str] = Counter()


def _has_body(case: Any) -> bool:
    return case.method.upper() == "POST" and case.body is not NOT_SET and case.body is not None


def _signature(path: str, content: bytes, base_url: str) -> dict[str, str]:
    if path == "/webhooks/forms":
        return s.sign_webform_bytes(content)
    if path == "/webhooks/hubspot":
        return s.sign_hubspot_bytes(content, f"{base_url}{path}")
    if path == "/webhooks/meta":
        return s.sign_meta(content)
    if path == "/webhooks/shopify":
        return s.sign_shopify(content)
    return {}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Sign the generated body of a webhook case when the signed run is on."""
    base_url = _SIGNING["base_url"]
    if base_url is None or not _has_body(case):
        return
    if isinstance(case.body, bytes):  # negative cases: sent as they are
        content = case.body
    else:  # any JSON value, a string included
        content = json.dumps(case.body, allow_nan=False).encode()
    signed = {k: v for k, v in _signature(case.path, content, base_url).items()
              if k.lower() != "content-type"}
    case.headers = {**(case.headers or {}), **signed}


@pytest.fixture(scope="module")
def gateway_server():
    with GatewayServer(APP) as server:
        yield server
    shutil.rmtree(_STORE, ignore_errors=True)
    print(f"\nschemathesis: {sum(_SEEN.values())} requests, answers {dict(sorted(_SEEN.items()))}")


def _count(response: Any) -> None:
    _SEEN[f"{response.status_code // 100}xx"] += 1


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_generated_request_gets_a_server_error(case, gateway_server):
    _SIGNING["base_url"] = None
    response = case.call(base_url=gateway_server.base_url)
    _count(response)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_signed_generated_request_gets_a_server_error(case, gateway_server):
    _SIGNING["base_url"] = gateway_server.base_url
    try:
        response = case.call(base_url=gateway_server.base_url)
    finally:
        _SIGNING["base_url"] = None
    _count(response)
    case.validate_response(response, checks=CHECKS)
    if _has_body(case) and response.status_code == 401:
        assert response.json()["error"] not in {"bad_signature", "missing_header"}, (
            "the hook did not sign the bytes sent", response.text)
