"""The shared connector contract, run against the HubSpot emulator.

A local copy of the wiring in tests/connectors/test_contract.py until hubspot is registered
there (the lead adds HUBSPOT_TARGET to CONTRACT_TARGETS; then this file can go).
"""

from __future__ import annotations

import pytest

from tests.connectors.contract import ConnectorContract, ContractTarget
from tests.connectors.hubspot.contract_target import HUBSPOT_TARGET


@pytest.fixture
def target() -> ContractTarget:
    return HUBSPOT_TARGET


class TestHubSpotContract(ConnectorContract):
    """The contract, for hubspot."""
