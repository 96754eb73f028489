"""Run the gateway: the CLI edge (environment -> settings) and uvicorn.

``settings_from_environ`` is the only place the gateway reads environment variables:

==========================================  ============================================
variable                                    setting
==========================================  ============================================
``CAMPAIGN_OPS_STORE_URL``                  ``store_url`` (default
                                            ``sqlite:///data/store.sqlite``)
``PREFECT_API_URL``                         ``prefect_api_url`` (unset: store only)
``PREFECT_API_AUTH_STRING``                 ``prefect_api_auth_string``
``PREFECT_API_KEY``                         ``prefect_api_key``
``CAMPAIGN_OPS_GATEWAY_HUBSPOT_SECRETS``    ``hubspot_client_secrets`` (comma-separated)
``CAMPAIGN_OPS_GATEWAY_META_SECRETS``       ``meta_app_secrets``
``CAMPAIGN_OPS_GATEWAY_META_VERIFY_TOKEN``  ``meta_verify_token``
``CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS``    ``shopify_secrets``
``CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS``       ``shopify_shop_domains`` (comma-separated)
``CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS``    ``webform_secrets`` (``whsec_...``)
``CAMPAIGN_OPS_GATEWAY_PUBLIC_URL``         ``public_base_url``
``CAMPAIGN_OPS_GATEWAY_MAX_BODY_BYTES``     ``max_body_bytes``
``CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN``         ``admin_token`` (bearer token of ``/metrics``
                                            and the docs)
==========================================  ============================================

``run`` serves until interrupted (``campaign-ops gateway``); ``serve_in_thread`` serves on
loopback in a background thread (tests); ``python -m gateway.serve --port N`` runs it as a
process from the environment (the kill-and-restart test).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from typing import Any

import uvicorn
from pydantic import SecretStr, ValidationError
from starlette.types import ASGIApp

from gateway.app import create_app
from gateway.settings import GatewaySettings
from loopback.server import LoopbackServer
from store.engine import DEFAULT_STORE_URL

__all__ = [
    "DEFAULT_PORT",
    "GatewayConfigError",
    "GatewayServer",
    "main",
    "run",
    "serve_in_thread",
    "settings_from_environ",
]

DEFAULT_PORT = 8787
_LISTS = {
    "CAMPAIGN_OPS_GATEWAY_HUBSPOT_SECRETS": "hubspot_client_secrets",
    "CAMPAIGN_OPS_GATEWAY_META_SECRETS": "meta_app_secrets",
    "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": "shopify_secrets",
    "CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS": "webform_secrets",
}
_PLAIN_LISTS = {
    "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS": "shopify_shop_domains",
}
_SINGLES = {
    "CAMPAIGN_OPS_STORE_URL": "store_url",
    "PREFECT_API_URL": "prefect_api_url",
    "PREFECT_API_AUTH_STRING": "prefect_api_auth_string",
    "PREFECT_API_KEY": "prefect_api_key",
    "CAMPAIGN_OPS_GATEWAY_META_VERIFY_TOKEN": "meta_verify_token",
    "CAMPAIGN_OPS_GATEWAY_PUBLIC_URL": "public_base_url",
    "CAMPAIGN_OPS_GATEWAY_MAX_BODY_BYTES": "max_body_bytes",
    "CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN": "admin_token",
}

_VARIABLES = {field: variable for table in (_SINGLES, _LISTS, _PLAIN_LISTS)
              for variable, field in table.items()}


class GatewayConfigError(ValueError):
    """The environment describes no usable gateway (the message names the variable)."""


def settings_from_environ(
    environ: Mapping[str, str] | None = None, **overrides: Any
) -> GatewaySettings:
    """Build ``GatewaySettings`` from environment variables (table in the module docstring).

    Args:
        environ: the variables (default ``os.environ``).
        overrides: settings given explicitly (CLI options), winning over the environment.

    Raises:
        GatewayConfigError: a variable holds an invalid value; the message names it and the
            problem, never a secret.

    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {"store_url": DEFAULT_STORE_URL}
    names: dict[str, str] = {}
    for variable, field in _SINGLES.items():
        if environ.get(variable, "").strip():
            values[field] = environ[variable].strip()
            names[field] = variable
    for variable, field in _LISTS.items():
        raw = environ.get(variable, "")
        if raw.strip():
            values[field] = tuple(SecretStr(p.strip()) for p in raw.split(",") if p.strip())
            names[field] = variable
    for variable, field in _PLAIN_LISTS.items():
        raw = environ.get(variable, "")
        if raw.strip():
            values[field] = tuple(p.strip() for p in raw.split(",") if p.strip())
            names[field] = variable
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return GatewaySettings(**values)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["loc"]:
            field = str(first["loc"][0])
            raise GatewayConfigError(f"{names.get(field, field)}: {message}") from None
        # A check across settings names its field first: say the variable instead.
        named, _, rest = message.partition(": ")
        env_name = _VARIABLES.get(named)
        raise GatewayConfigError(f"{env_name}: {rest}" if env_name else message) from None


def run(
    host: str = "127.0.0.1", port: int = DEFAULT_PORT, settings: GatewaySettings | None = None
) -> None:
    """Serve the gateway until interrupted (``campaign-ops gateway [--port N]``).

    Args:
        host: interface to bind; loopback by default (put a TLS proxy in front to expose it).
        port: TCP port.
        settings: the gateway settings (default: ``settings_from_environ()``).

    """
    settings = settings if settings is not None else settings_from_environ()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                access_log=False, timeout_graceful_shutdown=10)


class GatewayServer(LoopbackServer):
    """The gateway (or any ASGI app) served on loopback in a background thread."""

    def __init__(self, app: ASGIApp, port: int = 0, host: str = "127.0.0.1") -> None:
        super().__init__(app, port, host, name="gateway")


def serve_in_thread(
    settings: GatewaySettings, port: int = 0, host: str = "127.0.0.1", **app_kwargs: Any
) -> GatewayServer:
    """Serve a gateway built from ``settings`` on loopback in a thread (a context manager)."""
    return GatewayServer(create_app(settings, **app_kwargs), port, host)


def main(argv: Sequence[str] | None = None) -> None:
    """Run ``python -m gateway.serve [--host H] [--port N]`` with settings from the environment."""
    parser = argparse.ArgumentParser(prog="python -m gateway.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    try:
        settings = settings_from_environ()
    except GatewayConfigError as exc:
        parser.exit(2, f"gateway: {exc}\n")
    run(args.host, args.port, settings)


if __name__ == "__main__":
    main()
