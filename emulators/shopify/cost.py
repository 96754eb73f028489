"""Calculated query cost, the way Shopify's Admin API charges it.

Static (requested) cost, before execution:

* a scalar or enum field costs 0;
* an object field costs 1 plus what is selected inside it;
* a connection (a type named ``...Connection``) costs 2 plus ``first`` (or ``last``) times the
  cost of one element: the ``node`` object under ``edges`` plus the objects under ``nodes``
  (``pageInfo``, ``cursor`` and the edge itself are free);
* fragments and inline fragments add their selections.

The actual cost is the same sum over the *returned* data: a connection costs 2 plus the cost
of each element it really returned, a null object costs nothing. Shopify deducts the requested
cost up front and refunds the difference, so what the bucket loses is the actual cost.

Example: ``orders(first: 10) { edges { node { id totalPriceSet { shopMoney { amount } } } } }``
requests ``2 + 10 * (1 + 1 + 1) = 32`` points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

__all__ = ["CostError", "actual_cost", "requested_cost"]


class CostError(ValueError):
    """A connection without a usable size (``first``/``last``), as Shopify refuses it."""

    def __init__(self, message: str, node: FieldNode) -> None:
        super().__init__(message)
        self.node = node


Fragments = Mapping[str, FragmentDefinitionNode]


def _fields(
    selection_set: SelectionSetNode | None, fragments: Fragments
) -> list[FieldNode]:
    """Flatten a selection set (fragments included) into its field nodes."""
    found: list[FieldNode] = []
    if selection_set is None:
        return found
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments))
    return found


def _size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    for name in ("first", "last"):
        arg = next((a for a in field.arguments or () if a.name.value == name), None)
        if arg is None:
            continue
        value = value_from_ast_untyped(arg.value, dict(variables))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise CostError(f"{name} must be an integer", field)
        return value
    raise CostError("you must provide one of first or last", field)


def _is_connection(type_: Any) -> bool:
    return isinstance(type_, GraphQLObjectType) and type_.name.endswith("Connection")


class _Costing:
    def __init__(
        self, schema: GraphQLSchema, fragments: Fragments, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection(self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for field in _fields(selection_set, self.fragments):
            total += self.field(parent, field)
        return total

    def field(self, parent: GraphQLObjectType, node: FieldNode) -> int:
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename and friends
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
            return 0
        if _is_connection(named):
            return 2 + _size(node, self.variables) * self.element(named, node.selection_set)
        return 1 + self.selection(named, node.selection_set)

    def element(self, connection: GraphQLObjectType, selection_set: SelectionSetNode | None) -> int:
        """Cost of one element of a connection (its node object and what is inside)."""
        total = 0
        for field in _fields(selection_set, self.fragments):
            name = field.name.value
            if name == "nodes":
                node_type = get_named_type(connection.fields["nodes"].type)
                assert isinstance(node_type, GraphQLObjectType)
                total += 1 + self.selection(node_type, field.selection_set)
            elif name == "edges":
                edge_type = get_named_type(connection.fields["edges"].type)
                assert isinstance(edge_type, GraphQLObjectType)
                for inner in _fields(field.selection_set, self.fragments):
                    if inner.name.value == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        assert isinstance(node_type, GraphQLObjectType)
                        total += 1 + self.selection(node_type, inner.selection_set)
        return total

    # ------------------------------------------------------------------ actual

    def actual_selection(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode | None, data: Any
    ) -> int:
        if not isinstance(data, Mapping):
            return 0
        total = 0
        for field in _fields(selection_set, self.fragments):
            key = field.alias.value if field.alias else field.name.value
            total += self.actual_field(parent, field, data.get(key))
        return total

    def actual_field(self, parent: GraphQLObjectType, node: FieldNode, value: Any) -> int:
        definition = parent.fields.get(node.name.value)
        if definition is None or value is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
            return 0
        if _is_connection(named):
            return 2 + self.actual_elements(named, node.selection_set, value)
        if isinstance(value, list):
            return sum(1 + self.actual_selection(named, node.selection_set, v) for v in value)
        return 1 + self.actual_selection(named, node.selection_set, value)

    def actual_elements(
        self, connection: GraphQLObjectType, selection_set: SelectionSetNode | None, value: Any
    ) -> int:
        if not isinstance(value, Mapping):
            return 0
        total = 0
        for field in _fields(selection_set, self.fragments):
            key = field.alias.value if field.alias else field.name.value
            items = value.get(key)
            if not isinstance(items, list):
                continue
            name = field.name.value
            if name == "nodes":
                node_type = get_named_type(connection.fields["nodes"].type)
                assert isinstance(node_type, GraphQLObjectType)
                total += sum(
                    1 + self.actual_selection(node_type, field.selection_set, item)
                    for item in items
                )
            elif name == "edges":
                edge_type = get_named_type(connection.fields["edges"].type)
                assert isinstance(edge_type, GraphQLObjectType)
                node_type = get_named_type(edge_type.fields["node"].type)
                assert isinstance(node_type, GraphQLObjectType)
                for inner in _fields(field.selection_set, self.fragments):
                    if inner.name.value != "node":
                        continue
                    key = inner.alias.value if inner.alias else "node"
                    total += sum(
                        1 + self.actual_selection(node_type, inner.selection_set, edge.get(key))
                        for edge in items
                        if isinstance(edge, Mapping) and edge.get(key) is not None
                    )
        return total


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
) -> int:
    """Return the requested (worst-case) cost of a validated query operation.

    Raises:
        CostError: a connection has neither ``first`` nor ``last``.

    """
    root = schema.query_type
    assert root is not None
    return _Costing(schema, fragments, variables).selection(root, operation.selection_set)


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: Mapping[str, Any],
    data: Any,
) -> int:
    """Return the cost of what a query really returned (``data`` of the answer)."""
    root = schema.query_type
    assert root is not None
    return _Costing(schema, fragments, variables).actual_selection(
        root, operation.selection_set, data
    )
