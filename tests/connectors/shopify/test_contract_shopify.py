"""The shared connector contract, run against the Shopify emulator.

Scratch wiring until ``SHOPIFY_TARGET`` joins ``CONTRACT_TARGETS`` in
``tests/connectors/test_contract.py`` (then this file can go).
"""

from __future__ import annotations

import pytest

from tests.connectors.contract import ConnectorContract, ContractTarget
from tests.connectors.shopify.contract_target import SHOPIFY_TARGET


@pytest.fixture
def target() -> ContractTarget:
    return SHOPIFY_TARGET


class TestShopifyContract(ConnectorContract):
    """The contract, for Shopify."""
