"""Fixtures: a gateway on loopback (real uvicorn) over a SQLite inbox in tmp_path."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from gateway.serve import serve_in_thread
from gateway.settings import GatewaySettings
from store.schema import inbox
from tests.gateway.senders import settings_kwargs


def inbox_rows(engine_or_url) -> list[dict]:
    engine = sa.create_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        with engine.connect() as con:
            return [dict(r) for r in con.execute(sa.select(inbox).order_by(inbox.c.id)).mappings()]
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def metric(base_url: str, name: str) -> float:
    """Read one unlabelled sample from the gateway's /metrics."""
    for line in httpx.get(f"{base_url}/metrics").text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


@pytest.fixture
def store_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/data/store.sqlite"


@pytest.fixture
def make_gateway(store_url):
    """Start gateways with settings overrides; every one is stopped after the test."""
    servers = []

    def start(**overrides):
        settings = GatewaySettings(**settings_kwargs(**{"store_url": store_url, **overrides}))
        server = serve_in_thread(settings).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def gateway(make_gateway):
    return make_gateway()


@pytest.fixture
def client(gateway):
    with httpx.Client(base_url=gateway.base_url, timeout=10) as c:
        yield c
