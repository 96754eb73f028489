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
