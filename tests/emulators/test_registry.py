from __future__ import annotations

import asyncio
from datetime import date

import httpx

from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.meta_ads import SANDBOX_TOKEN, MetaAdsEmulator
from emulators.registry import EMULATORS
from emulators.serve import build


def test_registry_builds_the_meta_emulator():
    market = Market(seed=3, today=date(2026, 11, 26))
    em = EMULATORS["meta_ads"](market=market, faults=FaultConfig(), quota=None)
    assert isinstance(em, MetaAdsEmulator) and em.platform == "meta_ads" and em.market is market
    assert isinstance(em.transport(), httpx.MockTransport)


def test_build_as_the_cli_does():
    em = build("meta_ads", seed=5, faults="rate=0.5,kinds=http_500,seed=1",
               today=date(2026, 11, 26), accounts=20)
    assert len(em.market.accounts("meta_ads")) == 20
    assert em.faults.config.rate == 0.5


def test_async_clients_work_in_process():
    em = EMULATORS["meta_ads"](market=Market(seed=3, today=date(2026, 11, 26)))

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=em.transport(),
                                     base_url="https://graph.facebook.com",
                                     params={"access_token": SANDBOX_TOKEN}) as c:
            return await c.get("/v26.0/act_1001")

    assert asyncio.run(fetch()).json() == {"id": "act_1001"}


def test_serve_forever_as_the_cli_runs_it(tmp_path):
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = ("from emulators.serve import serve_forever; "
            f"serve_forever('meta_ads', port={port}, seed=7, fault_rate=0.0)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/v26.0/me/adaccounts"
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.get(url, params={"access_token": SANDBOX_TOKEN}, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert [a["id"] for a in r.json()["data"]] == ["act_1001", "act_1002", "act_1003"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
