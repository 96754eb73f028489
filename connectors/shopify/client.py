"""ShopifyConnector: GraphQL classification, cost-based pacing, and the stream reads.

Sample throttled answer (HTTP 200)::

    {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
     "extensions": {"cost": {"requestedQueryCost": 852, "actualQueryCost": null,
                             "throttleStatus": {"maximumAvailable": 2000.0,
                                                "currentlyAvailable": 12, "restoreRate": 100.0}}}}

is a :class:`~connectors.errors.RateLimitError` retried after
``(852 - 12 + 1) / 100`` seconds. Any other error inside an HTTP 200 is classified from
``errors[].extensions.code`` (a bad query is fatal, with Shopify's message and path). Before
each query the connector waits until the bucket it last saw has refilled to that query's
requested cost (learned per operation from ``extensions.cost``), so a long read paces itself
instead of being throttled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel

from connectors._base import ApiResponse, ErrorAnswer, Page
from connectors.auth import RefreshableAuth
from connectors.errors import (
    BadRequestError,
    ConfigurationError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    VersionError,
)
from connectors.pagination import GraphQLCursorPaginator, PageRequest, relay_nodes
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector
from connectors.shopify import queries as Q
from connectors.shopify import settings as C
from connectors.shopify.auth import make_auth
from connectors.shopify.config import ShopifySettings, shop_handle
from connectors.shopify.models import (
    CustomerRow,
    LineItemRow,
    OrderRow,
    ShCustomer,
    ShLineItem,
    ShopRow,
    ShOrder,
    ShShop,
    ShVisit,
    click_id,
    gid_number,
)
from connectors.shopify.streams import STREAMS
from connectors.shopify.throttle import CostPacer, parse_cost
from connectors.streams import AccountInfo, DateWindow, StreamResult

__all__ = ["GraphQLBody", "GraphQLCursorPaginator", "ShopifyConnector"]

logger = logging.getLogger("connectors.shopify")


class GraphQLBody(dict[str, Any]):
    """A GraphQL request body; the connector's ``request_body`` sends it as JSON."""


class ShopifyConnector(PlatformConnector[ShopifySettings]):
    """Reads a Shopify shop's orders, line items and customers through Admin GraphQL.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS

    def make_auth(self, settings: ShopifySettings, clock: Callable[[], float]) -> httpx.Auth:
        """Send ``X-Shopify-Access-Token``; refresh expiring offline tokens when configured."""
        return make_auth(settings, clock)

    def default_headers(self, settings: ShopifySettings) -> dict[str, str]:
        """Ask for JSON."""
        return {"Accept": "application/json"}

    @cached_property
    def pacer(self) -> CostPacer:
        """The client's picture of the shop's cost bucket."""
        return CostPacer(self._monotonic)

    @cached_property
    def _costs(self) -> dict[str, float]:
        return {}  # operation name -> requested cost seen in its last answer

    # ------------------------------------------------------------------ hooks

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send GraphQL bodies as JSON; anything else as the base does."""
        if isinstance(data, GraphQLBody):
            return {"json": dict(data)}
        return super().request_body(data)

    def _decoded(self, response: httpx.Response) -> Any:
        cached = getattr(self, "_last_decoded", None)
        if cached is not None and cached[0] is response:
            return cached[1]
        try:
            value = response.json()
        except (ValueError, UnicodeDecodeError):
            value = None
        self._last_decoded = (response, value)
        return value

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the share of the cost bucket left, and remember the bucket for pacing."""
        cost = parse_cost(self._decoded(response))
        if cost is None:
            return None
        self.pacer.observe(cost)
        return cost.headroom

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read an HTTP error: its ``errors`` text or object joins the status line.

        Shopify's 401 does not say "expired": with a refresh token, it is refreshed once.
        """
        status = response.status_code
        detail = body.get("errors") if isinstance(body, Mapping) else None
        text = f"HTTP {status} {response.reason_phrase}".strip()
        if isinstance(detail, str):
            text = f"{text}: {detail}"
        elif isinstance(detail, Mapping):
            text = f"{text}: " + "; ".join(f"{k} {v}" for k, v in detail.items())
        auth = self.auth
        return ErrorAnswer(
            text,
            expired=isinstance(auth, RefreshableAuth) and auth.can_refresh,
            notes={
                NotFoundError: (
                    f" (unknown shop {self.settings.shop_domain!r}, path or API version "
                    f"{self.settings.api_version!r})"
                ),
            },
        )

    def check_answer(
        self, response: httpx.Response, *, account: str | None, endpoint: str
    ) -> None:
        """Check a 200: the version served, GraphQL ``errors``, ignored search filters.

        Args:
            response: the successful response.
            account: the account of the call.
            endpoint: redacted path of the call.

        """
        ctx: dict[str, Any] = {
            "platform": self.platform, "account": account, "endpoint": endpoint,
            "status": response.status_code,
        }
        served = response.headers.get(C.VERSION_HEADER)
        if served and served != self.settings.api_version:
            text = (
                f"asked for API version {self.settings.api_version} but Shopify served {served}: "
                "the pinned version is no longer supported; update API_VERSION "
                "(or set allow_version_fallback)"
            )
            if not self.settings.allow_version_fallback:
                raise VersionError(text, **ctx)
            logger.warning("shopify %s: %s", endpoint, text)
        body = self._decoded(response)
        if not isinstance(body, Mapping):
            return  # parse_json classifies a body that is not JSON
        problems = body.get("errors")
        if problems:
            self._graphql_errors(body, problems, ctx)
        extensions = body.get("extensions")
        searches = extensions.get("search") if isinstance(extensions, Mapping) else None
        ignored = [
            f"{w.get('field')}: {w.get('message')}"
            for s in (searches if isinstance(searches, list) else [])
            if isinstance(s, Mapping)
            for w in (s.get("warnings") or [])
            if isinstance(w, Mapping)
        ]
        if ignored:
            raise BadRequestError(
                "Shopify ignored part of the search filter (the read would not be the window "
                f"asked for): {'; '.join(ignored)}",
                **ctx,
            )

    def _graphql_errors(self, body: Mapping[str, Any], problems: Any, ctx: dict[str, Any]) -> None:
        items = problems if isinstance(problems, list) else [problems]
        codes: list[str] = []
        texts: list[str] = []
        for item in items:
            if not isinstance(item, Mapping):
                texts.append(str(item))
                continue
            ext = item.get("extensions")
            code = ext.get("code") if isinstance(ext, Mapping) else None
            if isinstance(code, str):
                codes.append(code)
            path = item.get("path")
            where = f" at {'.'.join(str(p) for p in path)}" if isinstance(path, list) else ""
            texts.append(f"{code + ': ' if code else ''}{item.get('message')}{where}")
        text = "GraphQL error: " + " | ".join(t.strip() for t in texts)
        if C.THROTTLED in codes:
            cost = parse_cost(body)
            delay = None
            if cost is not None and cost.requested is not None:
                delay = cost.wait_for(cost.requested + self.pacer.margin)
            raise RateLimitError(text, retry_after=delay, **ctx)
        if any(c in C.SERVER_ERROR_CODES for c in codes):
            raise ServerError(text, **ctx)
        if C.ACCESS_DENIED in codes:
            raise PermissionDeniedError(text, **ctx)
        raise BadRequestError(text, **ctx)

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return the ``<handle>.myshopify.com`` domain of a shop typed as handle, domain or URL.

        Raises:
            ConfigurationError: not a shop handle or domain.

        """
        try:
            return shop_handle(account_id) + C.SHOP_DOMAIN_SUFFIX
        except ValueError as exc:
            raise ConfigurationError(f"invalid Shopify shop: {exc}") from None

    def list_accounts(self) -> list[AccountInfo]:
        """Return the configured shop (``shop { ... }``): the only account of a connector."""
        shop = self._shop()
        if shop.myshopifyDomain != self.settings.shop_domain:
            logger.warning(
                "shopify: configured shop %s answers as %s",
                self.settings.shop_domain, shop.myshopifyDomain,
            )
        return [
            AccountInfo(self.settings.shop_domain, shop.name, shop.currencyCode, shop.ianaTimezone)
        ]

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read one stream of the shop.

        Args:
            stream: a name from :meth:`streams`.
            account: the shop (from :meth:`list_accounts`).
            window: days of last update (``orders``, ``order_line_items``) in the shop's time
                zone; ``None`` reads the last ``initial_days`` days. Clamped to today.

        Returns:
            Rows with warehouse column names, and rejected records.

        Raises:
            ConfigurationError: unknown stream, or a shop other than the configured one.
            APIError: the platform failed beyond retries (see ``connectors.errors``).
            PaginationError: the API repeated a cursor.

        """
        spec = self.stream(stream)
        if self.normalize_account_id(account.id) != self.settings.shop_domain:
            raise ConfigurationError(
                f"this connector reads {self.settings.shop_domain}, not {account.id}"
            )
        if stream == "shops":
            rows = RecordCollector(spec, account.id)
            answer = self._post("Shop", Q.SHOP, {}, account.id)
            rows.add(rows.location(1, 0), answer.payload["data"].get("shop"), _shop_row(account))
        elif stream == "customers":
            rows = RecordCollector(spec, account.id)
            self._read_customers(account, rows)
        else:
            clamped = self.clamp_window(account, window, spec)
            rows = RecordCollector(spec, account.id, clamped)
            if clamped is not None and stream == "orders":
                self._read_orders(account, clamped, rows)
            elif clamped is not None:
                self._read_line_items(account, clamped, rows)
        return rows.result

    # ------------------------------------------------------------------ requests

    def request(self, method: str, url: str, **kwargs: Any) -> ApiResponse:
        """Send one request; a GraphQL query first waits until the bucket holds its cost.

        The cost a query requests is learned, per operation, from its answer.

        Raises:
            MalformedResponseError: a GraphQL answer whose ``data`` is not an object.

        """
        body = kwargs.get("data")
        if not isinstance(body, GraphQLBody):
            return super().request(method, url, **kwargs)
        operation = str(body.get("operationName"))
        expected = self._costs.get(operation, self.settings.first_query_cost)
        wait = self.pacer.delay_before(expected)
        if wait > 0:
            logger.debug("shopify %s: waiting %.2fs for %.0f cost points", operation, wait,
                         expected)
            self.pacer.waited_seconds += wait
            self._sleep(wait)
        answer = super().request(method, url, **kwargs)
        payload = answer.payload
        if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), Mapping):
            raise MalformedResponseError(
                "the answer's data is not an object", platform=self.platform,
                account=kwargs.get("account"), endpoint=url, status=answer.status,
            )
        cost = parse_cost(payload)
        if cost is not None and cost.requested is not None:
            self._costs[operation] = cost.requested
        return answer

    def _post(
        self, operation: str, query: str, variables: Mapping[str, Any], account: str | None
    ) -> ApiResponse:
        """Send one query (paced by :meth:`request`)."""
        body = GraphQLBody(query=query, variables=dict(variables), operationName=operation)
        return self.request(
            "POST", self.settings.graphql_path, account=account, data=body, expect_key="data"
        )

    def _pages(
        self,
        operation: str,
        query: str,
        variables: Mapping[str, Any],
        path: tuple[str, ...],
        account: str,
    ) -> Iterator[Page]:
        """Yield the pages (nodes) of a connection until ``hasNextPage`` is false."""
        body = GraphQLBody(query=query, variables=dict(variables), operationName=operation)
        request = PageRequest("POST", self.settings.graphql_path, data=body)
        return self.paginate(
            request, GraphQLCursorPaginator(path), account=account,
            records=lambda answer: relay_nodes(answer.payload, path),
        )

    def _shop(self) -> ShShop:
        answer = self._post("Shop", Q.SHOP, {}, self.settings.shop_domain)
        try:
            return ShShop.model_validate(answer.payload["data"].get("shop"))
        except ValueError as exc:
            raise MalformedResponseError(
                f"the shop record is unusable: {exc}", platform=self.platform,
                account=self.settings.shop_domain, endpoint=self.settings.graphql_path,
                status=answer.status,
            ) from None

    # ------------------------------------------------------------------ reads

    def _updated_filter(self, account: AccountInfo, window: DateWindow) -> str:
        zone = ZoneInfo(account.timezone)
        start = datetime.combine(window.start, time(0), tzinfo=zone)
        end = datetime.combine(window.end + timedelta(days=1), time(0), tzinfo=zone)
        return f"updated_at:>='{_iso(start)}' AND updated_at:<'{_iso(end)}'"

    def _read_orders(self, account: AccountInfo, window: DateWindow, rows: RecordCollector) -> None:
        variables = {
            "first": self.settings.orders_page_size,
            "query": self._updated_filter(account, window),
        }
        to_row = _order_row(account)
        for page in self._pages("Orders", Q.ORDERS, variables, ("orders",), account.id):
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, to_row)

    def _read_line_items(
        self, account: AccountInfo, window: DateWindow, rows: RecordCollector
    ) -> None:
        variables = {
            "first": self.settings.line_item_orders_page_size,
            "lines": self.settings.line_items_page_size,
            "query": self._updated_filter(account, window),
        }
        to_row = _line_row(account)
        pages = self._pages("OrderLineItems", Q.ORDER_LINE_ITEMS, variables, ("orders",),
                            account.id)
        for page in pages:
            index = 0
            for order in page.records:
                header = _order_header(order)
                if header is None:
                    rows.reject(rows.location(page.number, index), order,
                                "order without a usable id/updatedAt: its lines are unknown")
                    index += 1
                    continue
                for line in self._order_lines(account, order):
                    rows.add(rows.location(page.number, index), {"order": header, "line": line},
                             to_row)
                    index += 1

    def _order_lines(self, account: AccountInfo, order: Mapping[str, Any]) -> Iterator[Any]:
        """Yield an order's line nodes: the first page inline, the rest paged per order."""
        connection = order.get("lineItems")
        if not isinstance(connection, Mapping):
            raise MalformedResponseError(
                "an order of the line-items query has no lineItems", platform=self.platform,
                account=account.id, endpoint=self.settings.graphql_path,
            )
        for edge in connection.get("edges") or []:
            yield edge.get("node") if isinstance(edge, Mapping) else edge
        info = connection.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return
        variables = {"id": order["id"], "first": C.MAX_PAGE_SIZE, "after": info.get("endCursor")}
        pages = self._pages("LineItems", Q.LINE_ITEMS, variables, ("order", "lineItems"),
                            account.id)
        for page in pages:
            yield from page.records

    def _read_customers(self, account: AccountInfo, rows: RecordCollector) -> None:
        query = None
        within = self.settings.customers_updated_within_days
        if within is not None:
            since = self._clock() - timedelta(days=within)
            query = f"updated_at:>='{_iso(since)}'"
        variables = {"first": self.settings.customers_page_size, "query": query}
        to_row = _customer_row(account)
        pages = self._pages("Customers", Q.CUSTOMERS, variables, ("customers",), account.id)
        for page in pages:
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, to_row)


# ---------------------------------------------------------------------- row builders


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_day(moment: datetime, account: AccountInfo) -> date:
    return moment.astimezone(ZoneInfo(account.timezone)).date()


def _shop_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> ShopRow:
        shop = ShShop.model_validate(raw)
        return ShopRow(
            account_id=account.id,
            shop_id=shop.id,
            name=shop.name,
            currency=shop.currencyCode,
            timezone_name=shop.ianaTimezone,
        )

    return build


def _visit_fields(visit: ShVisit | None) -> dict[str, Any]:
    utm = visit.utmParameters if visit is not None else None
    found = click_id(visit.landingPage) if visit is not None else None
    return {
        "landing_page": visit.landingPage if visit is not None else None,
        "at": visit.occurredAt if visit is not None else None,
        "referrer_url": visit.referrerUrl if visit is not None else None,
        "utm_source": utm.source if utm is not None else None,
        "utm_medium": utm.medium if utm is not None else None,
        "utm_campaign": utm.campaign if utm is not None else None,
        "click_id_type": found[0] if found else None,
        "click_id": found[1] if found else None,
    }


def _order_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> OrderRow:
        o = ShOrder.model_validate(raw)
        if o.currencyCode != account.currency:
            raise ValueError(
                f"order currency {o.currencyCode} is not the shop's {account.currency}"
            )
        journey = o.customerJourneySummary
        last = _visit_fields(journey.lastVisit if journey else None)
        first = _visit_fields(journey.firstVisit if journey else None)
        return OrderRow(
            account_id=account.id,
            order_id=o.id,
            updated_date=_local_day(o.updatedAt, account),
            name=o.name,
            created_at=o.createdAt,
            updated_at=o.updatedAt,
            processed_at=o.processedAt,
            cancelled_at=o.cancelledAt,
            currency=o.currencyCode,
            total_price=o.totalPriceSet.shopMoney.amount,
            subtotal_price=o.subtotalPriceSet.shopMoney.amount if o.subtotalPriceSet else None,
            current_total_price=o.currentTotalPriceSet.shopMoney.amount,
            total_refunded=o.totalRefundedSet.shopMoney.amount,
            total_tax=o.totalTaxSet.shopMoney.amount if o.totalTaxSet else None,
            customer_id=o.customer.id if o.customer else None,
            email=o.email,
            phone=o.phone,
            financial_status=o.displayFinancialStatus,
            fulfillment_status=o.displayFulfillmentStatus,
            landing_page=last["landing_page"],
            referrer_url=last["referrer_url"],
            visit_at=last["at"],
            utm_source=last["utm_source"],
            utm_medium=last["utm_medium"],
            utm_campaign=last["utm_campaign"],
            click_id_type=last["click_id_type"],
            click_id=last["click_id"],
            first_landing_page=first["landing_page"],
            first_visit_at=first["at"],
            first_utm_source=first["utm_source"],
            first_utm_medium=first["utm_medium"],
            first_utm_campaign=first["utm_campaign"],
            first_click_id_type=first["click_id_type"],
            first_click_id=first["click_id"],
        )

    return build


def _order_header(order: Any) -> dict[str, Any] | None:
    if not isinstance(order, Mapping):
        return None
    try:
        gid_number(order.get("id"), "Order")
    except ValueError:
        return None
    if not isinstance(order.get("updatedAt"), str):
        return None
    return {"id": order["id"], "updatedAt": order["updatedAt"]}


def _line_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> LineItemRow:
        order_id = gid_number(raw["order"]["id"], "Order")
        updated = _parse_utc(raw["order"]["updatedAt"])
        line = ShLineItem.model_validate(raw["line"])
        money = line.originalUnitPriceSet.shopMoney
        if money.currencyCode != account.currency:
            raise ValueError(f"line currency {money.currencyCode} is not the shop's "
                             f"{account.currency}")
        return LineItemRow(
            account_id=account.id,
            order_id=order_id,
            line_item_id=line.id,
            updated_date=_local_day(updated, account),
            order_updated_at=updated,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            current_quantity=line.currentQuantity,
            unit_price=money.amount,
            currency=money.currencyCode,
        )

    return build


def _parse_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.utcoffset() is None:
        raise ValueError("updatedAt without a time zone")
    return parsed.astimezone(UTC)


def _customer_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CustomerRow:
        c = ShCustomer.model_validate(raw)
        email, sms = c.emailMarketingConsent, c.smsMarketingConsent
        return CustomerRow(
            account_id=account.id,
            customer_id=c.id,
            email=c.email,
            phone=c.phone,
            first_name=c.firstName,
            last_name=c.lastName,
            created_at=c.createdAt,
            updated_at=c.updatedAt,
            number_of_orders=c.numberOfOrders,
            amount_spent=c.amountSpent.amount,
            currency=c.amountSpent.currencyCode,
            state=c.state,
            email_marketing_state=email.marketingState if email else None,
            accepts_email_marketing=bool(email and email.marketingState == "SUBSCRIBED"),
            email_consent_updated_at=email.consentUpdatedAt if email else None,
            sms_marketing_state=sms.marketingState if sms else None,
            accepts_sms_marketing=bool(sms and sms.marketingState == "SUBSCRIBED"),
        )

    return build
