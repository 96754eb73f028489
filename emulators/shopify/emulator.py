"""The Shopify Admin GraphQL emulator (``POST /admin/api/{version}/graphql.json``).

Order of checks for every request:

1. shop: the ``Host`` (``<handle>.myshopify.com``); an unknown handle answers 404. Any other
   host (a loopback server) is the emulator's first shop.
2. route: ``/admin/oauth/access_token`` (refresh grant) or ``/admin/api/{version}/graphql.json``;
   anything else 404. The version handle: a served one is used; a well-formed quarterly
   version older than the oldest served *falls forward* to the oldest served one, as Shopify
   does (``X-Shopify-API-Version`` names what was served); any other handle answers 404.
3. ``X-Shopify-Access-Token`` -> 401 ``[API] Invalid API key or access token``.
4. body: JSON ``{"query", "variables", "operationName"}`` (or ``application/graphql``);
   no query -> 400.
5. GraphQL parse and validation against the schema subset (graphql-core) -> errors in an
   HTTP 200, in Shopify's wording (``undefinedField`` ...), no ``data``.
6. injected fault (if any).
7. calculated cost (``emulators.shopify.cost``): over ``max_query_cost`` -> MAX_COST_EXCEEDED;
   more than the shop's bucket holds -> THROTTLED (HTTP 200, ``extensions.cost`` included).
8. execution; ``extensions.cost`` carries the requested and actual cost and the bucket.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    OperationDefinitionNode,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
    value_from_ast_untyped,
)
from graphql.error import GraphQLSyntaxError

from emulators import faults as fk
from emulators._base import Emulator, Reply, request_params
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.population import Population
from emulators.quota import QuotaConfig
from emulators.shopify import errors
from emulators.shopify.auth import OAuthError, TokenStore
from emulators.shopify.bucket import CostBucket, ShopifyQuota
from emulators.shopify.cost import CostError, actual_cost, requested_cost
from emulators.shopify.schema import build_shop_schema
from emulators.shopify.search import parse_search
from emulators.shopify.store import ShopConfig, ShopData

__all__ = [
    "MAX_PAGE_SIZE",
    "RELEASE_CANDIDATE",
    "SANDBOX_SHOP",
    "SERVED_VERSIONS",
    "ShopifyEmulator",
    "shopify",
]

PLATFORM = "shopify"
# Stable versions live on the market's "today" (late 2026): each is supported >= 12 months.
SERVED_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10")
RELEASE_CANDIDATE = "2027-01"
UNSTABLE = "unstable"
MAX_PAGE_SIZE = 250
SANDBOX_SHOP = "northwind-shop"
DEFAULT_SHOP = ShopConfig(SANDBOX_SHOP, "Northwind Shop", 61_234_567_891)

_GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")
_QUARTERLY = re.compile(r"^\d{4}-(01|04|07|10)$")
_ORDER_GID = re.compile(r"^gid://shopify/Order/(\d+)$")
_CUSTOMER_GID = re.compile(r"^gid://shopify/Customer/(\d+)$")
_ORDER_TIME_FIELDS = frozenset({"created_at", "updated_at", "processed_at"})
_ORDER_TEXT_FIELDS = frozenset(
    {"email", "name", "financial_status", "fulfillment_status", "customer_id"}
)
_CUSTOMER_TIME_FIELDS = frozenset({"created_at", "updated_at"})
_CUSTOMER_TEXT_FIELDS = frozenset({"email", "name"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


Info = GraphQLResolveInfo  # type: ignore[type-arg]  # generic only in newer graphql-core


@dataclass
class _Request:
    """What one GraphQL request's resolvers need."""

    data: ShopData
    now: datetime
    search: list[dict[str, Any]] = field(default_factory=list)


class ShopifyEmulator(Emulator):
    """Stateful Shopify Admin GraphQL emulator over the market's population.

    Args:
        market: the market (default: every ad platform, so journeys carry all click ids).
        faults: fault injection (default: none).
        quota: the calculated-cost limits (:class:`ShopifyQuota`: bucket 2000 points,
            restore 100/s, 1000 points per query). A ``QuotaConfig`` (call counts, which the
            GraphQL Admin API does not limit) is accepted and means the default limits.
        shops: the shops served; people are dealt to them round-robin.
        population_size: people in the population (about one in six becomes a customer).
        currency: the shops' currency (the population's).
        population: the people to render instead (the sandbox shares one across the CRM,
            GA4 and the shop; its market and currency are used).
        versions: stable API versions served (older quarterly ones fall forward).
        tokens: accepted tokens and the refresh grant.
        quota_clock: monotonic seconds of the cost buckets (tests pass a fake clock; the
            attribute may be reassigned to share a connector's clock).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: ShopifyQuota | QuotaConfig | None = None,
        *,
        shops: tuple[ShopConfig, ...] = (DEFAULT_SHOP,),
        population_size: int = 3000,
        currency: str = "EUR",
        versions: tuple[str, ...] = SERVED_VERSIONS,
        tokens: TokenStore | None = None,
        population: Population | None = None,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        if market is None and population is not None:
            market = population.market
        super().__init__(
            market,
            faults,
            quota if isinstance(quota, QuotaConfig) else None,
            quota_clock=quota_clock,
        )
        if not shops:
            raise ValueError("the emulator needs at least one shop")
        self.limits = quota if isinstance(quota, ShopifyQuota) else ShopifyQuota()
        self.quota_clock: Callable[[], float] = quota_clock or time.monotonic
        self.versions = tuple(sorted(versions))
        self.tokens = tokens or TokenStore()
        if population is not None and population.market is not self.market:
            raise ValueError("the population must render the emulator's market")
        self.population = population or Population(
            self.market, size=population_size, currency=currency
        )
        currency = self.population.currency
        if len(self.population):
            # Anchor the journeys' time span now: built later, the people would differ.
            self.population.person(0)
        self.shops = {s.handle: s for s in shops}
        self.primary = shops[0].handle
        self.data = {
            s.handle: ShopData(self.population, s, i, len(shops)) for i, s in enumerate(shops)
        }
        self._buckets: dict[str, CostBucket] = {}
        self._buckets_lock = threading.Lock()
        self._request_ids = 0
        self.throttled = 0  # THROTTLED answers given (the bucket lacked the requested cost)
        self._documents: dict[str, tuple[DocumentNode, list[GraphQLError]]] = {}
        self.schema = build_shop_schema([currency])
        self._attach_resolvers()

    # ------------------------------------------------------------------ buckets
    def bucket(self, handle: str | None = None) -> CostBucket:
        """Return a shop's cost bucket (the primary shop by default)."""
        handle = handle or self.primary
        with self._buckets_lock:
            if handle not in self._buckets:
                self._buckets[handle] = CostBucket(self.limits, lambda: self.quota_clock())
            return self._buckets[handle]

    # ------------------------------------------------------------------ serving
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (see the module docstring for the order of checks)."""
        handle = self._shop_of(request)
        if handle is None:
            return Reply(_json(404, errors.not_found()))
        path = request.url.path
        if path == "/admin/oauth/access_token":
            return self._token_endpoint(request)
        found = _GRAPHQL_PATH.match(path)
        if found is None:
            return Reply(_json(404, errors.not_found()), account_id=self.shops[handle].domain)
        served = self._serve_version(found["version"])
        if served is None:
            return Reply(_json(404, errors.not_found()), account_id=self.shops[handle].domain)
        headers = {"X-Shopify-API-Version": served}
        domain = self.shops[handle].domain
        token = request.headers.get("X-Shopify-Access-Token")
        now = self.market.now()
        if not self.tokens.valid(token, now):
            return Reply(_json(401, errors.invalid_token(), headers), account_id=domain)
        who = self.tokens.who(token or "")
        if request.method != "POST":
            body = {"errors": "Method Not Allowed"}
            return Reply(_json(405, body, headers), who=who, account_id=domain)
        return self._graphql(request, handle, headers, who)

    def _shop_of(self, request: httpx.Request) -> str | None:
        host = request.url.host.lower()
        if host.endswith(".myshopify.com"):
            handle = host.removesuffix(".myshopify.com")
            return handle if handle in self.shops else None
        return self.primary

    def _serve_version(self, version: str) -> str | None:
        if version in self.versions or version in (RELEASE_CANDIDATE, UNSTABLE):
            return version
        if _QUARTERLY.match(version) and version < self.versions[0]:
            return self.versions[0]  # unsupported: falls forward to the oldest supported
        return None

    def _next_request_id(self) -> str:
        with self._buckets_lock:
            self._request_ids += 1
            return f"emu-{self._request_ids:08d}"

    def _graphql(
        self, request: httpx.Request, handle: str, headers: dict[str, str], who: str
    ) -> Reply:
        domain = self.shops[handle].domain
        headers = {**headers, "X-Request-Id": self._next_request_id()}

        def reply(status: int, body: Any, fault: str | None = None, delay: float = 0.0) -> Reply:
            response = _json(status, body, headers)
            if fault == fk.MALFORMED_JSON:
                raw = response.content
                kept = {k: v for k, v in response.headers.items() if k != "content-length"}
                response = httpx.Response(status, headers=kept, content=raw[: len(raw) // 2])
            return Reply(response, delay=delay, fault=fault, who=who, account_id=domain)

        body = _body(request)
        if body is None:
            return reply(400, {"errors": {"query": "Required parameter missing or invalid"}})
        query, variables, operation_name = body
        try:
            document, problems = self._checked(query)
        except GraphQLSyntaxError as exc:
            spots = [{"line": loc.line, "column": loc.column} for loc in exc.locations or ()]
            return reply(200, {"errors": [errors.graphql_error(
                f"Parse error: {exc.message}", locations=spots)]})
        if problems:
            return reply(200, {"errors": errors.translate(problems, document)})
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (f"No operation named '{operation_name}'" if operation_name
                       else "An operation name is required")
            return reply(200, {"errors": [errors.graphql_error(message)]})
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if _selects_connection(self.schema.query_type, operation):
            eligible.add(fk.BAD_RECORD)
            if _uses_after(document, variables):
                eligible.add(fk.REPEATED_CURSOR)
        fault = self.faults.draw(eligible, request.url.path)
        early = self._early_fault(fault, reply, handle)
        if early is not None:
            return early
        try:
            requested = requested_cost(self.schema, operation, fragments, variables)
        except CostError as exc:
            loc = exc.node.loc
            locations: list[dict[str, int]] | None = None
            if loc is not None and loc.source is not None:
                where = loc.source.get_location(loc.start)
                locations = [{"line": where.line, "column": where.column}]
            return reply(200, {"errors": [errors.graphql_error(
                str(exc), locations=locations, path=[exc.node.name.value])]}, fault)
        if requested > self.limits.max_query_cost:
            return reply(200, errors.max_cost_exceeded(requested, self.limits.max_query_cost),
                         fault)
        bucket = self.bucket(handle)
        if not bucket.take(requested):
            with self._buckets_lock:
                self.throttled += 1
            cost = {"requestedQueryCost": requested, "actualQueryCost": None,
                    "throttleStatus": bucket.status()}
            return reply(200, errors.throttled(cost), fault)
        context = _Request(self.data[handle], self.market.now())
        result = execute_sync(
            self.schema, document, variable_values=variables, operation_name=operation_name,
            context_value=context,
        )
        actual = actual_cost(self.schema, operation, fragments, variables, result.data)
        bucket.refund(requested - actual)
        out = _render(result)
        extensions: dict[str, Any] = {"cost": {
            "requestedQueryCost": requested, "actualQueryCost": actual,
            "throttleStatus": bucket.status(),
        }}
        if context.search:
            extensions["search"] = context.search
        out["extensions"] = extensions
        if fault == fk.BAD_RECORD:
            _corrupt(out.get("data"))
        elif fault == fk.REPEATED_CURSOR:
            _repeat_cursor(out.get("data"), variables)
        delay = self.faults.config.timeout_delay if fault == fk.TIMEOUT else 0.0
        return reply(200, out, fault, delay)

    def _checked(self, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
        """Parse and validate a query (cached by text: clients repeat the same documents)."""
        with self._buckets_lock:
            hit = self._documents.get(query)
        if hit is not None:
            return hit
        document = parse(query)
        checked = (document, validate(self.schema, document))
        with self._buckets_lock:
            if len(self._documents) < 256:
                self._documents[query] = checked
        return checked

    def _early_fault(
        self, fault: str | None, reply: Callable[..., Reply], handle: str
    ) -> Reply | None:
        if fault == fk.HTTP_429:
            text = ("Exceeded 2 calls per second for api client. Reduce request rates to resume "
                    "uninterrupted service.")
            answer = reply(429, {"errors": text}, fault)
            answer.response.headers["Retry-After"] = f"{float(self.faults.config.retry_after)}"
            return answer
        if fault in (fk.HTTP_500, fk.HTTP_503):
            status = 500 if fault == fk.HTTP_500 else 503
            text = "Internal Server Error" if status == 500 else "Service Unavailable"
            return reply(status, {"errors": text}, fault)
        if fault == fk.EXPIRED_TOKEN:
            return reply(401, errors.invalid_token(), fault)
        if fault == fk.THROTTLE:
            bucket = self.bucket(handle)
            bucket.drain()
            return None  # answered THROTTLED by the (now empty) bucket itself
        return None

    # ------------------------------------------------------------------ token
    def _token_endpoint(self, request: httpx.Request) -> Reply:
        if request.method != "POST":
            return Reply(_json(405, {"errors": "Method Not Allowed"}))
        try:
            body = self.tokens.refresh(request_params(request), self.market.now())
        except OAuthError as err:
            return Reply(_json(err.status, err.body()))
        return Reply(_json(200, body))

    # ------------------------------------------------------------------ resolvers
    def _attach_resolvers(self) -> None:
        root = self.schema.query_type
        assert root is not None
        root.fields["shop"].resolve = lambda _root, info: info.context.data.shop_node()
        root.fields["orders"].resolve = self._resolve_orders
        root.fields["order"].resolve = self._resolve_order
        root.fields["customers"].resolve = self._resolve_customers
        root.fields["customer"].resolve = self._resolve_customer
        order_type = self.schema.get_type("Order")
        assert isinstance(order_type, GraphQLObjectType)
        order_type.fields["lineItems"].resolve = self._resolve_line_items

    def _resolve_orders(self, _root: Any, info: Info, **args: Any) -> Any:
        ctx: _Request = info.context
        data = ctx.data
        search = parse_search(
            args.get("query"), time_fields=_ORDER_TIME_FIELDS, text_fields=_ORDER_TEXT_FIELDS,
            default_fields=("email", "name"), zone=data.zone,
        )
        if search.warnings:
            ctx.search.append(search.extension([str(p) for p in info.path.as_list()]))
        items = [(p, data.order_search(p, ctx.now)) for p in data.visible_orders(ctx.now)]
        items = [(p, s) for p, s in items if search.matches(s)]
        column = _ORDER_SORT[args.get("sortKey") or "PROCESSED_AT"]
        return _connection(
            items, args, lambda item: _key(item[1][column], item[1]["id"]),
            lambda item: data.order_node(item[0], ctx.now),
        )

    def _resolve_order(self, _root: Any, info: Info, id: str) -> Any:
        ctx: _Request = info.context
        found = _ORDER_GID.match(id)
        if found is None:
            raise GraphQLError(f"Invalid global id '{id}'", extensions={"code": "invalidId"})
        plan = ctx.data.order_plan(int(found.group(1)))
        if plan is None or plan.created_at > ctx.now:
            return None
        return ctx.data.order_node(plan, ctx.now)

    def _resolve_line_items(self, order: Mapping[str, Any], info: Info,
                            **args: Any) -> Any:
        ctx: _Request = info.context
        plan = order["_plan"]
        return _connection(
            list(range(len(plan.lines))), args, lambda i: _key(plan.lines[i].line_id, 0),
            lambda i: ctx.data.line_node(plan, i, ctx.now),
        )

    def _resolve_customers(self, _root: Any, info: Info, **args: Any) -> Any:
        ctx: _Request = info.context
        data = ctx.data
        search = parse_search(
            args.get("query"), time_fields=_CUSTOMER_TIME_FIELDS,
            text_fields=_CUSTOMER_TEXT_FIELDS, default_fields=("email", "name"),
            zone=data.zone,
        )
        if search.warnings:
            ctx.search.append(search.extension([str(p) for p in info.path.as_list()]))
        items = [(plans, data.customer_search(plans, ctx.now))
                 for plans in data.visible_customers(ctx.now)]
        items = [(p, s) for p, s in items if search.matches(s)]
        column = _CUSTOMER_SORT[args.get("sortKey") or "ID"]
        return _connection(
            items, args, lambda item: _key(item[1][column], item[1]["id"]),
            lambda item: data.customer_node(item[0][0].customer_id, item[0], ctx.now),
        )

    def _resolve_customer(self, _root: Any, info: Info, id: str) -> Any:
        ctx: _Request = info.context
        found = _CUSTOMER_GID.match(id)
        if found is None:
            raise GraphQLError(f"Invalid global id '{id}'", extensions={"code": "invalidId"})
        customer_id = int(found.group(1))
        plans = ctx.data.customer_orders(customer_id, ctx.now)
        return ctx.data.customer_node(customer_id, plans, ctx.now) if plans else None


def shopify(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: ShopifyQuota | QuotaConfig | None = None,
    **options: Any,
) -> ShopifyEmulator:
    """Build the Shopify emulator: the ``emulators.registry`` factory (options: see the class)."""
    return ShopifyEmulator(market, faults, quota, **options)


# ---------------------------------------------------------------------- helpers

_ORDER_SORT = {
    "CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "PROCESSED_AT": "processed_at",
    "ID": "id", "ORDER_NUMBER": "number", "TOTAL_PRICE": "total",
}
_CUSTOMER_SORT = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "ID": "id",
                  "NAME": "name"}
_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - _EPOCH


def _key(value: Any, tie: int) -> tuple[Any, int]:
    """Return a JSON-safe, totally ordered sort key: (value, id)."""
    if isinstance(value, datetime):
        value = (value - _EPOCH) // _MICROSECOND
    elif isinstance(value, Decimal):
        value = int(value * 100)
    return (value, int(tie))


def _encode_cursor(key: tuple[Any, int]) -> str:
    text = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(text.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        loaded = json.loads(base64.b64decode(cursor, validate=True))
        return (loaded["last_value"], int(loaded["last_id"]))
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise GraphQLError("Invalid cursor for current pagination sort.",
                           extensions={"code": "BAD_REQUEST"}) from None


T = TypeVar("T")


def _connection(
    items: list[T],
    args: Mapping[str, Any],
    key: Callable[[T], tuple[Any, int]],
    render: Callable[[T], dict[str, Any]],
) -> Any:
    """Page ``items`` Relay-style (keyset cursors); only the page's items are rendered."""
    first, last = args.get("first"), args.get("last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
            raise GraphQLError(
                f"The {name} argument must be between 0 and {MAX_PAGE_SIZE}.",
                extensions={"code": "BAD_REQUEST"},
            )
    reverse = bool(args.get("reverse"))
    keyed = sorted(((key(i), i) for i in items), key=lambda ki: ki[0], reverse=reverse)
    keys = [k for k, _ in keyed]
    start, end = 0, len(keyed)
    if args.get("after"):
        mark = _decode_cursor(args["after"])
        start = next((i for i, k in enumerate(keys) if (k < mark if reverse else k > mark)),
                     len(keyed))
    if args.get("before"):
        mark = _decode_cursor(args["before"])
        end = next((i for i, k in enumerate(keys) if (k <= mark if reverse else k >= mark)),
                   len(keyed))
    window = keyed[start:max(start, end)]
    if first is not None:
        page = window[:first]
        has_next, has_prev = len(window) > first, start > 0
    else:
        page = window[len(window) - last:] if last else []
        has_next, has_prev = end < len(keyed), len(window) > (last or 0)
    nodes = [render(item) for _, item in page]
    edges = [
        {"cursor": _encode_cursor(k), "node": n} for (k, _), n in zip(page, nodes, strict=True)
    ]
    return {
        "edges": edges,
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return httpx.Response(
        status, headers={"content-type": "application/json; charset=utf-8", **(headers or {})},
        content=content,
    )


def _body(request: httpx.Request) -> tuple[str, dict[str, Any], str | None] | None:
    raw = request.content
    ctype = request.headers.get("content-type", "")
    if "application/graphql" in ctype:
        text = raw.decode("utf-8", "replace")
        return (text, {}, None) if text.strip() else None
    try:
        loaded = json.loads(raw or b"null")
    except ValueError:
        return None
    if not isinstance(loaded, dict):
        return None
    query, variables = loaded.get("query"), loaded.get("variables") or {}
    name = loaded.get("operationName")
    if not isinstance(query, str) or not query.strip() or not isinstance(variables, dict):
        return None
    return query, variables, name if isinstance(name, str) else None


def _render(result: ExecutionResult) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    if result.data is not None or not result.errors:
        out["data"] = result.data
    return out


def _walk_fields(document: DocumentNode) -> Iterator[FieldNode]:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def _uses_after(document: DocumentNode, variables: Mapping[str, Any]) -> bool:
    for node in _walk_fields(document):
        for arg in node.arguments or ():
            if arg.name.value == "after" and value_from_ast_untyped(arg.value, dict(variables)):
                return True
    return False


def _selects_connection(root: GraphQLObjectType | None, operation: OperationDefinitionNode) -> bool:
    if root is None:
        return False
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            definition = root.fields.get(selection.name.value)
            if definition is not None and "Connection" in str(definition.type):
                return True
    return False


def _node_lists(data: Any, depth: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """Yield (depth, nodes) of every connection's node list in an answer."""
    if isinstance(data, dict):
        edges = data.get("edges")
        if isinstance(edges, list) and edges and isinstance(edges[0], dict):
            nodes = [e.get("node") for e in edges if isinstance(e.get("node"), dict)]
            if nodes:
                yield depth, nodes
        for value in data.values():
            yield from _node_lists(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _node_lists(value, depth + 1)


def _spoil(node: dict[str, Any]) -> bool:
    for key, value in node.items():
        if key == "amount" and isinstance(value, str):
            node[key] = "12,3x"
            return True
        if isinstance(value, dict) and _spoil(value):
            return True
    for key, value in node.items():
        if key.endswith("At") and isinstance(value, str):
            node[key] = "yesterday"
            return True
    if "id" in node:
        node["id"] = "gid://shopify/Unknown/x"
        return True
    return False


def _corrupt(data: Any) -> None:
    """Spoil one field of one node of the innermost connection (the ``bad_record`` fault)."""
    found = list(_node_lists(data))
    if not found:
        return
    deepest = max(d for d, _ in found)
    nodes = next(n for d, n in found if d == deepest)
    _spoil(nodes[len(nodes) // 2])


def _repeat_cursor(data: Any, variables: Mapping[str, Any]) -> None:
    """Send the ``after`` cursor back as the next one (the ``repeated_cursor`` fault)."""
    after = variables.get("after")
    if not isinstance(after, str) or not isinstance(data, dict):
        return
    for value in data.values():
        info = value.get("pageInfo") if isinstance(value, dict) else None
        if isinstance(info, dict):
            info["endCursor"] = after
            info["hasNextPage"] = True
            return
