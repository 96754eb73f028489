"""Runs the shared connector contract against every registered platform's emulator.

Each platform declares its ``ContractTarget`` as ``TARGET`` in
``tests/connectors/<platform>/contract_target.py``; ``discover_targets`` finds them, so a new
platform joins without a line here.
"""

from __future__ import annotations

import pytest

from connectors.registry import CONNECTORS
from emulators.registry import EMULATORS
from tests.connectors.contract import ConnectorContract, ContractTarget, discover_targets

CONTRACT_TARGETS: dict[str, ContractTarget] = discover_targets()


def test_every_registered_connector_is_under_contract():
    assert set(CONTRACT_TARGETS) == set(CONNECTORS)
    assert set(CONNECTORS) <= set(EMULATORS)


@pytest.fixture(params=sorted(CONTRACT_TARGETS))
def target(request) -> ContractTarget:
    return CONTRACT_TARGETS[request.param]


class TestConnectorContract(ConnectorContract):
    """The contract, once per registered platform."""
