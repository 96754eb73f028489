"""Serve any emulator over loopback HTTP: an ASGI adapter run by uvicorn.

``serve_in_thread`` is for tests and ``campaign-ops up`` (a ``loopback.server.LoopbackServer``:
a context manager with ``.base_url``);
``serve_forever`` is what ``campaign-ops sandbox serve --platform X --port N`` runs.
Both call ``Emulator.respond``, so a ``timeout`` fault makes the server wait
``FaultConfig.timeout_delay`` seconds before answering instead of raising.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from emulators._base import Emulator
from emulators.entities import LAYOUTS
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.population import SANDBOX_PEOPLE, Population
from emulators.quota import QuotaConfig
from emulators.registry import EMULATORS
from loopback.server import LoopbackServer

_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})


class EmulatorApp:
    """ASGI application answering every HTTP request with an emulator."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope (HTTP only; lifespan is acknowledged)."""
        if scope["type"] == "lifespan":
            while True:
                event = (await receive())["type"]
                if event == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        request = _to_httpx(scope, body)
        loop = asyncio.get_running_loop()
        reply = await loop.run_in_executor(None, self.emulator.respond, request)
        if reply.delay > 0:
            await asyncio.sleep(reply.delay)
        content = reply.response.content
        headers = [
            (k.encode("latin-1"), v.encode("latin-1"))
            for k, v in reply.response.headers.items()
            if k.lower() not in _HOP_HEADERS
        ]
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": reply.response.status_code,
                    "headers": headers})
        await send({"type": "http.response.body", "body": content})


def _to_httpx(scope: Scope, body: bytes) -> httpx.Request:
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
    host = next((v for k, v in headers if k.lower() == "host"), None)
    if host is None:
        server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server_host}:{server_port}"
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string", b"")
    url = f"{scope.get('scheme', 'http')}://{host}{path.decode('latin-1')}"
    if query:
        url += "?" + query.decode("latin-1")
    return httpx.Request(scope["method"], url, headers=headers, content=body)


def serve_in_thread(emulator: Emulator, port: int = 0, host: str = "127.0.0.1") -> LoopbackServer:
    """Serve ``emulator`` on loopback in a thread (use as a context manager)."""
    return LoopbackServer(EmulatorApp(emulator), port, host, name="emulator")


def build(
    platform: str,
    *,
    seed: int = 0,
    faults: FaultConfig | str | None = None,
    quota: QuotaConfig | None = None,
    today: date | None = None,
    accounts: int = 3,
) -> Emulator:
    """Build the emulator of ``platform`` over a fresh market."""
    if platform not in EMULATORS:
        raise KeyError(f"no emulator for {platform!r}; known: {sorted(EMULATORS)}")
    if isinstance(faults, str):
        faults = FaultConfig.parse(faults)
    # The same seeded company on every ad platform, and the same people behind it, so
    # loopback sandboxes served by separate processes agree with each other.
    market = Market(seed=seed, today=today, accounts_per_platform=accounts,
                    platforms=tuple(LAYOUTS))
    options: dict[str, Any] = {}
    if platform not in LAYOUTS:
        options["population"] = Population(market, size=SANDBOX_PEOPLE)
    return EMULATORS[platform](market=market, faults=faults, quota=quota, **options)


def serve_forever(
    platform: str,
    port: int,
    host: str = "127.0.0.1",
    seed: int = 0,
    faults: FaultConfig | str | None = None,
    quota: QuotaConfig | None = None,
    today: date | None = None,
    accounts: int = 3,
    fault_rate: float = 0.0,
) -> None:
    """Serve one platform's emulator until interrupted (the CLI ``sandbox serve``).

    ``fault_rate`` is a shortcut for ``FaultConfig(rate=fault_rate, seed=seed)`` (all kinds);
    ``faults`` (a ``FaultConfig`` or its CLI string) wins when both are given.
    """
    if faults is None and fault_rate > 0:
        faults = FaultConfig(rate=fault_rate, seed=seed)
    emulator = build(platform, seed=seed, faults=faults, quota=quota, today=today,
                     accounts=accounts)
    uvicorn.run(EmulatorApp(emulator), host=host, port=port, log_level="info", lifespan="off")
