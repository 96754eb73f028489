"""Shopify's error answers, as the emulator renders them.

Two families:

* HTTP errors with a plain ``{"errors": "..."}`` body: 401 (bad token), 404 (unknown shop,
  path or API version handle), 400 (no ``query`` in the body), 5xx;
* GraphQL errors inside an HTTP 200: ``{"errors": [{"message", "locations", "path",
  "extensions": {"code": ...}}]}``, with no ``data`` when the query could not run at all.
  Static validation errors are worded as Shopify's GraphQL server words them (``Field 'foo'
  doesn't exist on type 'Order'``, code ``undefinedField``); graphql-core finds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

__all__ = [
    "RATE_LIMITS_DOC",
    "graphql_error",
    "invalid_token",
    "max_cost_exceeded",
    "not_found",
    "throttled",
    "translate",
]

RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"

_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\."),
        "Field '{field}' doesn't exist on type '{type}'",
        "undefinedField",
    ),
    (
        re.compile(r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\."),
        "Field '{field}' doesn't accept argument '{arg}'",
        "argumentNotAccepted",
    ),
    (
        re.compile(
            r"^Field '(?P<field>\w+)' argument '(?P<arg>\w+)' of type '[^']+' is required"
        ),
        "Field '{field}' is missing required arguments: {arg}",
        "missingRequiredArguments",
    ),
    (
        re.compile(
            r"^Field '(?P<field>\w+)' of type '(?P<type>[^']+)' must have a selection of subfields"
        ),
        "Field must have selections (field '{field}' returns {type} but has no selections. "
        "Did you mean '{field} {{ ... }}'?)",
        "selectionMismatch",
    ),
    (
        re.compile(
            r"^Field '(?P<field>\w+)' must not have a selection since type '(?P<type>[^']+)'"
        ),
        "Selections can't be made on scalars (field '{field}' returns {type} but has selections "
        "[...])",
        "selectionMismatch",
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' of type '(?P<type>[^']+)' used in position "
                   r"expecting type '(?P<expected>[^']+)'"),
        "Type mismatch on variable ${var} and argument (expected {expected}, got {type})",
        "variableMismatch",
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is not defined"),
        "Variable ${var} is used but not declared",
        "variableNotDefined",
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is never used"),
        "Variable ${var} is declared but not used",
        "variableNotUsed",
    ),
)


def not_found() -> dict[str, Any]:
    """Body of a 404 (unknown shop, path or version handle)."""
    return {"errors": "Not Found"}


def invalid_token() -> dict[str, Any]:
    """Body of a 401 (missing, unknown or expired access token)."""
    return {"errors": INVALID_TOKEN}


def graphql_error(
    message: str,
    *,
    code: str | None = None,
    locations: list[dict[str, int]] | None = None,
    path: list[Any] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """One entry of a GraphQL ``errors`` list."""
    error: dict[str, Any] = {"message": message}
    if locations:
        error["locations"] = locations
    if path:
        error["path"] = path
    ext = dict(extensions)
    if code is not None:
        ext = {"code": code, **ext}
    if ext:
        error["extensions"] = ext
    return error


def throttled(cost: Mapping[str, Any]) -> dict[str, Any]:
    """Build the THROTTLED answer (HTTP 200, no ``data``)."""
    return {
        "errors": [
            graphql_error("Throttled", code="THROTTLED", documentation=RATE_LIMITS_DOC)
        ],
        "extensions": {"cost": dict(cost)},
    }


def max_cost_exceeded(cost: int, max_cost: int) -> dict[str, Any]:
    """Build the answer to a query whose requested cost is over the single-query limit."""
    message = (
        f"Query cost is {cost}, which exceeds the single query max cost limit ({max_cost}).\n\n"
        f"See {RATE_LIMITS_DOC} for more information on how the\ncost of a query is calculated."
        "\n\nTo query larger amounts of data with fewer limits, bulk operations should be used "
        "instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api "
        "for usage details.\n"
    )
    return {
        "errors": [
            graphql_error(
                message,
                code="MAX_COST_EXCEEDED",
                cost=cost,
                maxCost=max_cost,
                documentation=RATE_LIMITS_DOC,
            )
        ]
    }


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def _field_paths(document: DocumentNode) -> dict[int, list[str]]:
    """Map ``id(field node)`` -> its static path (``["query Orders", "orders", "edges"]``)."""
    paths: dict[int, list[str]] = {}

    def walk(selection_set: SelectionSetNode | None, prefix: list[str]) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                here = [*prefix, selection.name.value]
                paths[id(selection)] = here
                walk(selection.selection_set, here)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                label = f"... on {condition.name.value}" if condition else "..."
                walk(selection.selection_set, [*prefix, label])

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            head = definition.operation.value
            if definition.name is not None:
                head += f" {definition.name.value}"
            walk(definition.selection_set, [head])
        elif isinstance(definition, FragmentDefinitionNode):
            walk(definition.selection_set, [f"fragment {definition.name.value}"])
    return paths


def translate(errors: list[GraphQLError], document: DocumentNode | None) -> list[dict[str, Any]]:
    """Render graphql-core validation errors in Shopify's words, codes and static paths."""
    paths = _field_paths(document) if document is not None else {}
    out: list[dict[str, Any]] = []
    for error in errors:
        message, code, extra = error.message, None, {}
        for pattern, template, rule_code in _RULES:
            found = pattern.match(error.message)
            if found:
                message = template.format(**found.groupdict())
                code = rule_code
                names = found.groupdict()
                if "type" in names and rule_code == "undefinedField":
                    extra = {"typeName": names["type"], "fieldName": names["field"]}
                break
        path = None
        for node in error.nodes or ():
            if id(node) in paths:
                path = paths[id(node)]
                break
        out.append(
            graphql_error(message, code=code, locations=_locations(error), path=path, **extra)
        )
    return out
