"""The shared connector contract against the GA4 emulator (until it is wired centrally)."""

from __future__ import annotations

import pytest

from tests.connectors.contract import ConnectorContract, ContractTarget
from tests.connectors.ga4.contract_target import GA4_TARGET


@pytest.fixture
def target() -> ContractTarget:
    return GA4_TARGET


class TestGa4Contract(ConnectorContract):
    """The contract, for GA4 only."""
