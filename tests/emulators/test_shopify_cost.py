"""Calculated query cost: the requested cost follows Shopify's rules for any page sizes, and the
actual cost is what the answer really holds."""

from __future__ import annotations

from datetime import UTC, datetime

from graphql import FragmentDefinitionNode, get_operation_ast, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.shopify.cost import actual_cost, requested_cost
from emulators.shopify.schema import build_shop_schema

SCHEMA = build_shop_schema()
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)

QUERY = """
query($orders: Int!, $lines: Int!) {
  shop { id name }
  orders(first: $orders) {
    pageInfo { hasNextPage }
    edges { cursor node {
      id name
      totalPriceSet { shopMoney { amount } presentmentMoney { amount } }
      customer { id email }
      lineItems(first: $lines) { nodes { id originalUnitPriceSet { shopMoney { amount } } } }
    } }
  }
}
"""


def _costs(query: str, variables: dict, data: dict | None = None) -> tuple[int, int | None]:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    requested = requested_cost(SCHEMA, operation, fragments, variables)
    actual = None if data is None else actual_cost(SCHEMA, operation, fragments, variables, data)
    return requested, actual


@settings(max_examples=60, deadline=None)
@given(orders=st.integers(0, 250), lines=st.integers(0, 250))
def test_requested_cost_follows_the_connection_rule(orders, lines):
    requested, _ = _costs(QUERY, {"orders": orders, "lines": lines})
    # shop 1; orders 2 + n x (order 1 + MoneyBag 1 + 2 MoneyV2 + customer 1
    #                         + lineItems (2 + m x (line 1 + MoneyBag 1 + MoneyV2 1)))
    assert requested == 1 + 2 + orders * (1 + 3 + 1 + 2 + lines * 3)


@settings(max_examples=60, deadline=None)
@given(
    returned=st.lists(st.integers(0, 6), max_size=12),
    customer=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_actual_cost_counts_what_came_back(returned, customer):
    edges = [
        {"cursor": "c", "node": {
            "id": "gid://shopify/Order/1", "name": "#1",
            "totalPriceSet": {"shopMoney": {"amount": "1.00"}, "presentmentMoney": {"amount": "1"}},
            "customer": {"id": "gid://shopify/Customer/1", "email": "a@b.c"} if has else None,
            "lineItems": {"nodes": [{"id": "x", "originalUnitPriceSet": {
                "shopMoney": {"amount": "1.00"}}}] * n},
        }}
        for n, has in zip(returned, customer, strict=False)
    ]
    data = {"shop": {"id": "s", "name": "n"},
            "orders": {"pageInfo": {"hasNextPage": False}, "edges": edges}}
    requested, actual = _costs(QUERY, {"orders": 12, "lines": 6}, data)
    expected = 1 + 2 + sum(
        1 + 3 + (1 if has else 0) + 2 + n * 3
        for n, has in zip(returned, customer, strict=False)
    )
    assert actual is not None and actual == expected and actual <= requested
