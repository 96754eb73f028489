"""Run the gateway: the CLI edge (settings -> ``GatewaySettings``) and uvicorn.

``settings_from_environ`` builds the gateway's settings from campaign-ops' one settings model
(``config.load_settings``: the ``CAMPAIGN_OPS_GATEWAY_*`` variables, the store URL with the
same default as the flows', Prefect's ``PREFECT_API_URL``/``_AUTH_STRING``/``_KEY``), so an
unknown ``CAMPAIGN_OPS_*`` name is refused here as everywhere.

``run`` serves until interrupted (``campaign-ops gateway``); ``serve_in_thread`` serves on
loopback in a background thread (tests); ``python -m gateway.serve --port N`` runs it as a
process from the environment (the kill-and-restart test).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

import uvicorn
from pydantic import ValidationError
from starlette.types import ASGIApp

from config import Settings, SettingsError, load_settings, variable_name
from gateway.app import create_app
from gateway.settings import GatewaySettings
from loopback.server import LoopbackServer

__all__ = [
    "DEFAULT_PORT",
    "GatewayConfigError",
    "GatewayServer",
    "gateway_settings",
    "main",
    "run",
    "serve_in_thread",
    "settings_from_environ",
]

DEFAULT_PORT = 8787
# GatewaySettings field -> the field of config.Settings it is read from.
_FROM_CONFIG = {
    "prefect_api_url": "prefect_api_url",
    "prefect_api_auth_string": "prefect_api_auth_string",
    "prefect_api_key": "prefect_api_key",
    "hubspot_client_secrets": "gateway_hubspot_secrets",
    "meta_app_secrets": "gateway_meta_secrets",
    "meta_verify_token": "gateway_meta_verify_token",
    "shopify_secrets": "gateway_shopify_secrets",
    "shopify_shop_domains": "gateway_shopify_shops",
    "webform_secrets": "gateway_webform_secrets",
    "public_base_url": "gateway_public_url",
    "max_body_bytes": "gateway_max_body_bytes",
    "admin_token": "gateway_admin_token",
    "store_url": "store_url",
}


class GatewayConfigError(ValueError):
    """The environment describes no usable gateway (the message names the variable)."""


def settings_from_environ(
    environ: Mapping[str, str] | None = None, **overrides: Any
) -> GatewaySettings:
    """Build ``GatewaySettings`` from the settings in ``environ`` (default ``os.environ``).

    Args:
        environ: the variables.
        overrides: gateway settings given explicitly (CLI options), winning over the
            environment.

    Raises:
        GatewayConfigError: a variable is unknown or holds an invalid value; the message
            names it and the problem, never a secret.

    """
    try:
        settings = load_settings(environ)
    except SettingsError as exc:
        raise GatewayConfigError(str(exc)) from None
    return gateway_settings(settings, **overrides)


def gateway_settings(settings: Settings, **overrides: Any) -> GatewaySettings:
    """Return the gateway's part of campaign-ops' settings.

    Raises:
        GatewayConfigError: a value the gateway cannot use (named by its variable).

    """
    values: dict[str, Any] = {}
    for field, source in _FROM_CONFIG.items():
        value = getattr(settings, source)
        if value is not None and value != ():
            values[field] = value
    values["store_url"] = settings.store  # the same default as the flows'
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return GatewaySettings(**values)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        # A check across settings names its field first: say the variable instead.
        field = str(first["loc"][0]) if first["loc"] else message.partition(": ")[0]
        if not first["loc"]:
            message = message.partition(": ")[2]
        where = variable_name(_FROM_CONFIG[field]) if field in _FROM_CONFIG else field
        raise GatewayConfigError(f"{where}: {message}") from None


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
