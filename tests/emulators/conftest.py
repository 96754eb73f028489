"""Fixtures for the emulator tests: a fixed-clock market and clients bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import httpx
import pytest

from emulators.market import Market
from emulators.meta_ads import SANDBOX_TOKEN, MetaAdsEmulator

TODAY = date(2026, 11, 26)
GRAPH = "https://graph.facebook.com"


class MovableClock:
    """A clock tests can move forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))


@pytest.fixture
def market(clock: MovableClock) -> Market:
    return Market(seed=7, clock=clock)


@pytest.fixture
def emulator(market: Market) -> MetaAdsEmulator:
    return MetaAdsEmulator(market)


def graph_client(emulator: MetaAdsEmulator, token: str | None = SANDBOX_TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(transport=emulator.transport(), base_url=GRAPH, headers=headers)


@pytest.fixture
def client(emulator: MetaAdsEmulator) -> Iterator[httpx.Client]:
    with graph_client(emulator) as c:
        yield c
