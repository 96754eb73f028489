"""A shop's orders and customers, rendered from the market's population.

Every person of the population whose journey ends in an ``order`` conversion is a customer of
the shop, and that conversion is an order (people are spread over the emulator's shops by
index). Everything is derived from (seed, person index): line items split the order's value,
most orders are fulfilled hours to days later, some are partly or fully refunded days after
that. Each such event moves the order's ``updatedAt`` when the market clock passes it, so an
incremental read by ``updated_at`` sees orders change. Orders placed after the market's now
are not visible yet.

Nodes are plain dicts keyed by GraphQL field names (what the default resolvers read); keys
starting with ``_`` hold Python values for search, sorting and nested connections.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache, cached_property
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from emulators import _rng
from emulators.population import Conversion, Person, Population, Touch, declared_channels
from emulators.traffic import Channel

__all__ = ["LinePlan", "OrderPlan", "ShopConfig", "ShopData", "VisitMaps", "declared_visit_maps",
           "iso"]

ORDER_ID_BASE = 5_100_000_000_000
CUSTOMER_ID_BASE = 7_200_000_000_000
LINE_ID_BASE = 13_500_000_000_000
VISIT_ID_BASE = 880_000_000
VAT = Decimal("0.19")
CENT = Decimal("0.01")

# (title, sku, vendor) of the catalogue lines are drawn from.
_PRODUCTS: tuple[tuple[str, str | None, str], ...] = (
    ("Starter Kit", "NW-START-01", "Northwind"),
    ("Refill Pack", "NW-REFILL-06", "Northwind"),
    ("Travel Case", "NW-CASE-02", "Northwind"),
    ("Gift Card", "NW-GIFT-50", "Northwind"),
    ("Cleaning Set", "NW-CLEAN-03", "Harbor Goods"),
    ("Spare Parts Bundle", "NW-SPARE-10", "Harbor Goods"),
    ("Premium Filter", "NW-FILTER-P", "Northwind"),
    ("Accessory Box", None, "Harbor Goods"),
)
_UNKNOWN_SOURCE = ("direct", "DIRECT", "Direct")


@dataclass(frozen=True)
class VisitMaps:
    """How a visit from each channel shows, per channel name (derived from the channels).

    Attributes:
        referrers: channel -> the visit's ``referrerUrl`` (channels without one are absent).
        sources: channel -> (``source``, ``sourceType``, ``sourceDescription``).
        tagged: channels whose landing URLs carry UTM parameters.

    """

    referrers: dict[str, str]
    sources: dict[str, tuple[str, str, str]]
    tagged: frozenset[str]

    @classmethod
    def of(cls, channels: Iterable[Channel]) -> VisitMaps:
        """Derive the maps from the market's channels."""
        channels = tuple(channels)
        return cls(
            referrers={c.name: c.referrer for c in channels if c.referrer is not None},
            sources={c.name: (c.shopify_source, c.shopify_source_type,
                              c.shopify_source_description) for c in channels},
            tagged=frozenset(c.name for c in channels if c.utm_tagged),
        )


@cache
def declared_visit_maps() -> VisitMaps:
    """:class:`VisitMaps` of the market's declared channels (resolved on first use)."""
    return VisitMaps.of(declared_channels())


def iso(moment: datetime) -> str:
    """Render a ``DateTime`` as Shopify does: UTC, whole seconds, ``Z``."""
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": str(amount.quantize(CENT)), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    """Render a ``MoneyBag`` (presentment currency = shop currency)."""
    return {"shopMoney": _money(amount, currency), "presentmentMoney": _money(amount, currency)}


@dataclass(frozen=True)
class ShopConfig:
    """One shop the emulator serves.

    Attributes:
        handle: the ``<handle>.myshopify.com`` subdomain.
        name: display name.
        shop_id: numeric id (``gid://shopify/Shop/<id>``).
        timezone: IANA time zone.
        storefront: the public storefront origin landing pages are on.

    """

    handle: str
    name: str
    shop_id: int
    timezone: str = "Europe/Berlin"
    storefront: str = "https://shop.northwind.example"

    @property
    def domain(self) -> str:
        """The shop's ``myshopify`` domain."""
        return f"{self.handle}.myshopify.com"


@dataclass(frozen=True)
class LinePlan:
    """One line of an order."""

    line_id: int
    title: str
    sku: str | None
    vendor: str
    quantity: int
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        """Quantity times unit price."""
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderPlan:
    """An order's whole life, known in advance; :meth:`ShopData.order_node` renders it at now."""

    order_id: int
    number: int
    customer_id: int
    person: Person
    conversion: Conversion
    lines: tuple[LinePlan, ...]
    fulfilled_at: datetime | None
    refunded_at: datetime | None
    refunded_line: int | None
    first_visit: Touch | None
    last_visit: Touch | None

    @property
    def created_at(self) -> datetime:
        """When the order was placed."""
        return self.conversion.at

    @property
    def total(self) -> Decimal:
        """The order's value (taxes included)."""
        return self.conversion.value

    def updated_at(self, now: datetime) -> datetime:
        """Return the latest of its events visible at ``now``."""
        times = [self.created_at]
        times += [t for t in (self.fulfilled_at, self.refunded_at) if t is not None and t <= now]
        return max(times)

    def refunded(self, now: datetime) -> Decimal:
        """Amount refunded by ``now``."""
        if self.refunded_at is None or self.refunded_at > now or self.refunded_line is None:
            return Decimal("0.00")
        return self.lines[self.refunded_line].total


class ShopData:
    """Orders and customers of one shop, derived from a population.

    Args:
        population: the market's people.
        shop: the shop.
        position: this shop's index among ``shops`` (people are dealt round-robin).
        shops: how many shops share the population.

    """

    def __init__(self, population: Population, shop: ShopConfig, position: int, shops: int):
        self.population = population
        self.shop = shop
        self.position = position
        self.shops = shops
        self.currency = population.currency
        self.zone = ZoneInfo(shop.timezone)

    @cached_property
    def plans(self) -> tuple[OrderPlan, ...]:
        """Every order of the shop, past and future, oldest first."""
        found: list[tuple[Person, Conversion]] = []
        for person in self.population:
            if person.index % self.shops != self.position:
                continue
            found.extend((person, c) for c in person.conversions if c.kind == "order")
        found.sort(key=lambda pc: (pc[1].at, pc[0].index))
        return tuple(self._plan(rank, p, c) for rank, (p, c) in enumerate(found))

    @cached_property
    def _by_id(self) -> dict[int, OrderPlan]:
        return {p.order_id: p for p in self.plans}

    @cached_property
    def _by_customer(self) -> dict[int, list[OrderPlan]]:
        out: dict[int, list[OrderPlan]] = {}
        for plan in self.plans:
            out.setdefault(plan.customer_id, []).append(plan)
        return out

    def order_plan(self, order_id: int) -> OrderPlan | None:
        """Return an order's plan by numeric id."""
        return self._by_id.get(order_id)

    def visible_orders(self, now: datetime) -> list[OrderPlan]:
        """Orders placed by ``now``."""
        return [p for p in self.plans if p.created_at <= now]

    def visible_customers(self, now: datetime) -> list[list[OrderPlan]]:
        """Return the customers (their orders visible at ``now``) who had ordered by ``now``."""
        out = []
        for plans in self._by_customer.values():
            seen = [p for p in plans if p.created_at <= now]
            if seen:
                out.append(seen)
        return out

    def customer_orders(self, customer_id: int, now: datetime) -> list[OrderPlan]:
        """Return a customer's orders visible at ``now`` (empty: unknown, or not yet)."""
        return [p for p in self._by_customer.get(customer_id, []) if p.created_at <= now]

    # ------------------------------------------------------------------ planning
    def _plan(self, rank: int, person: Person, conversion: Conversion) -> OrderPlan:
        s = self.population.seed
        u = _rng.uniforms(s, 8, "shopify-order", person.index, conversion.id)
        order_id = ORDER_ID_BASE + 1000 * rank + int(u[0] * 1000)
        customer_id = CUSTOMER_ID_BASE + 1000 * rank + int(u[1] * 1000)
        lines = self._lines(rank, conversion.value, u[2], u[3])
        fulfilled = None
        if u[4] < 0.92:
            fulfilled = conversion.at + timedelta(hours=4 + u[5] * 68)
        refunded_at, refunded_line = None, None
        if u[6] < 0.12:
            after = fulfilled or conversion.at
            refunded_at = after + timedelta(days=3 + u[7] * 17)
            refunded_line = int(u[7] * 1000) % len(lines)
        sessions = [t for t in person.touches if t.kind != "view"]
        first = sessions[0] if sessions else None
        last = person.touches[conversion.touch_index] if person.touches else None
        if last is not None and last.kind == "view":
            last = None
        return OrderPlan(
            order_id=order_id,
            number=1001 + rank,
            customer_id=customer_id,
            person=person,
            conversion=conversion,
            lines=lines,
            fulfilled_at=fulfilled,
            refunded_at=refunded_at,
            refunded_line=refunded_line,
            first_visit=first,
            last_visit=last,
        )

    def _lines(self, rank: int, value: Decimal, u1: float, u2: float) -> tuple[LinePlan, ...]:
        count = max(1, min(1 + int(u1 * 4), int(value // Decimal("8"))))
        lines: list[LinePlan] = []
        rest = value
        for i in range(count):
            title, sku, vendor = _PRODUCTS[(rank + i * 3 + int(u2 * 8)) % len(_PRODUCTS)]
            line_id = LINE_ID_BASE + rank * 8 + i
            if i == count - 1:
                lines.append(LinePlan(line_id, title, sku, vendor, 1, rest))
                break
            quantity = 2 if (rank + i) % 3 == 0 else 1
            unit = (value / count / quantity).quantize(CENT, rounding=ROUND_DOWN)
            lines.append(LinePlan(line_id, title, sku, vendor, quantity, unit))
            rest -= unit * quantity
        return tuple(lines)

    # ------------------------------------------------------------------ rendering
    def shop_node(self) -> dict[str, Any]:
        """Render ``shop``."""
        now_abbrev = datetime.now(self.zone).tzname() or self.shop.timezone
        return {
            "id": f"gid://shopify/Shop/{self.shop.shop_id}",
            "name": self.shop.name,
            "email": f"owner@{self.shop.handle}.example",
            "myshopifyDomain": self.shop.domain,
            "url": self.shop.storefront,
            "currencyCode": self.currency,
            "ianaTimezone": self.shop.timezone,
            "timezoneAbbreviation": now_abbrev,
        }

    def visit(self, touch: Touch | None) -> dict[str, Any] | None:
        """Render a ``CustomerVisit`` of a session touch (landing URL with UTM and click id)."""
        if touch is None:
            return None
        maps = declared_visit_maps()
        source, tactic, description = maps.sources.get(touch.channel, _UNKNOWN_SOURCE)
        params: list[tuple[str, str]] = []
        utm: dict[str, Any] | None = None
        if touch.channel in maps.tagged:
            utm = {
                "source": touch.source,
                "medium": touch.medium,
                "campaign": touch.campaign,
                "content": touch.ad_id,
                "term": None,
            }
            params += [("utm_source", touch.source), ("utm_medium", touch.medium),
                       ("utm_campaign", touch.campaign)]
            if touch.ad_id:
                params.append(("utm_content", touch.ad_id))
        if touch.click_id and touch.click_id_param:
            params.append((touch.click_id_param, touch.click_id))
        url = self.shop.storefront + touch.landing_page
        if params:
            url += "?" + urlencode(params)
        digest = hashlib.blake2b(f"{touch.session_id}".encode(), digest_size=4).hexdigest()
        return {
            "id": f"gid://shopify/CustomerVisit/{VISIT_ID_BASE + int(digest, 16) % 10**8}",
            "landingPage": url,
            "landingPageHtml": f'<a href="{url}">{touch.landing_page}</a>',
            "occurredAt": iso(touch.at),
            "referralCode": None,
            "referrerUrl": maps.referrers.get(touch.channel),
            "source": source,
            "sourceDescription": description,
            "sourceType": tactic,
            "utmParameters": utm,
        }

    def journey(self, plan: OrderPlan) -> dict[str, Any]:
        """Render an order's ``customerJourneySummary``."""
        first, last = plan.first_visit, plan.last_visit
        sessions = [
            t for t in plan.person.touches[: plan.conversion.touch_index + 1] if t.kind != "view"
        ]
        days = (plan.created_at - first.at).days if first is not None else None
        return {
            "customerOrderIndex": 0,
            "daysToConversion": days,
            "firstVisit": self.visit(first),
            "lastVisit": self.visit(last),
            "momentsCount": {"count": len(sessions), "precision": "EXACT"},
            "ready": True,
        }

    def line_node(self, plan: OrderPlan, index: int, now: datetime) -> dict[str, Any]:
        """Render one ``LineItem`` of an order at ``now``."""
        line = plan.lines[index]
        refunded = plan.refunded(now) > 0 and plan.refunded_line == index
        c = self.currency
        return {
            "id": f"gid://shopify/LineItem/{line.line_id}",
            "name": line.title,
            "title": line.title,
            "sku": line.sku,
            "vendor": line.vendor,
            "quantity": line.quantity,
            "currentQuantity": 0 if refunded else line.quantity,
            "originalUnitPriceSet": money_bag(line.unit_price, c),
            "discountedUnitPriceSet": money_bag(line.unit_price, c),
            "originalTotalSet": money_bag(line.total, c),
            "_id": line.line_id,
        }

    def order_node(self, plan: OrderPlan, now: datetime) -> dict[str, Any]:
        """Render an ``Order`` as it stands at ``now``."""
        c = self.currency
        total = plan.total
        refunded = plan.refunded(now)
        fulfilled = plan.fulfilled_at is not None and plan.fulfilled_at <= now
        if refunded == 0:
            financial = "PAID"
        elif refunded >= total:
            financial = "REFUNDED"
        else:
            financial = "PARTIALLY_REFUNDED"
        tax = (total - total / (1 + VAT)).quantize(CENT)
        person = plan.person
        updated = plan.updated_at(now)
        return {
            "id": f"gid://shopify/Order/{plan.order_id}",
            "legacyResourceId": str(plan.order_id),
            "name": f"#{plan.number}",
            "createdAt": iso(plan.created_at),
            "updatedAt": iso(updated),
            "processedAt": iso(plan.created_at),
            "cancelledAt": None,
            "closedAt": iso(plan.fulfilled_at) if fulfilled and plan.fulfilled_at else None,
            "email": person.email,
            "phone": person.phone,
            "currencyCode": c,
            "presentmentCurrencyCode": c,
            "test": False,
            "taxesIncluded": True,
            "sourceName": "web",
            "tags": [],
            "displayFinancialStatus": financial,
            "displayFulfillmentStatus": "FULFILLED" if fulfilled else "UNFULFILLED",
            "totalPriceSet": money_bag(total, c),
            "subtotalPriceSet": money_bag(sum((ln.total for ln in plan.lines), Decimal(0)), c),
            "currentTotalPriceSet": money_bag(total - refunded, c),
            "totalRefundedSet": money_bag(refunded, c),
            "totalTaxSet": money_bag(tax, c),
            "totalDiscountsSet": money_bag(Decimal("0.00"), c),
            "totalShippingPriceSet": money_bag(Decimal("0.00"), c),
            "customer": self.customer_node(
                plan.customer_id, self.customer_orders(plan.customer_id, now) or [plan], now
            ),
            "customerJourneySummary": self.journey(plan),
            "_plan": plan,
            "_id": plan.order_id,
        }

    def order_search(self, plan: OrderPlan, now: datetime) -> dict[str, Any]:
        """Return the values search terms and sort keys read for an order at ``now``."""
        refunded = plan.refunded(now)
        fulfilled = plan.fulfilled_at is not None and plan.fulfilled_at <= now
        if refunded == 0:
            financial = "paid"
        elif refunded >= plan.total:
            financial = "refunded"
        else:
            financial = "partially_refunded"
        return {
            "id": plan.order_id,
            "created_at": plan.created_at,
            "updated_at": plan.updated_at(now),
            "processed_at": plan.created_at,
            "email": plan.person.email,
            "name": f"#{plan.number}",
            "number": plan.number,
            "total": plan.total,
            "financial_status": financial,
            "fulfillment_status": "shipped" if fulfilled else "unshipped",
            "customer_id": str(plan.customer_id),
        }

    def customer_node(
        self, customer_id: int, plans: list[OrderPlan], now: datetime
    ) -> dict[str, Any]:
        """Render a ``Customer`` from their orders visible at ``now``."""
        person = plans[0].person
        created = min(p.created_at for p in plans) - timedelta(seconds=2)
        updated = max(p.updated_at(now) for p in plans)
        spent = sum((p.total - p.refunded(now) for p in plans), Decimal(0))
        consent = {
            "marketingState": "SUBSCRIBED" if person.marketing_consent else "NOT_SUBSCRIBED",
            "marketingOptInLevel": "SINGLE_OPT_IN",
            "consentUpdatedAt": iso(created) if person.marketing_consent else None,
        }
        sms = None
        if person.phone:
            subscribed = person.marketing_consent and person.index % 3 == 0
            sms = {
                "marketingState": "SUBSCRIBED" if subscribed else "NOT_SUBSCRIBED",
                "marketingOptInLevel": "SINGLE_OPT_IN",
                "consentUpdatedAt": iso(created) if subscribed else None,
            }
        return {
            "id": f"gid://shopify/Customer/{customer_id}",
            "legacyResourceId": str(customer_id),
            "displayName": f"{person.first_name} {person.last_name}",
            "email": person.email,
            "phone": person.phone,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "createdAt": iso(created),
            "updatedAt": iso(updated),
            "numberOfOrders": str(len(plans)),
            "amountSpent": _money(spent, self.currency),
            "state": "DISABLED",
            "verifiedEmail": True,
            "tags": [],
            "emailMarketingConsent": consent,
            "smsMarketingConsent": sms,
            "_id": customer_id,
        }

    def customer_search(self, plans: list[OrderPlan], now: datetime) -> dict[str, Any]:
        """Return the values search terms and sort keys read for a customer at ``now``."""
        person = plans[0].person
        return {
            "id": plans[0].customer_id,
            "created_at": min(p.created_at for p in plans) - timedelta(seconds=2),
            "updated_at": max(p.updated_at(now) for p in plans),
            "email": person.email,
            "name": f"{person.first_name} {person.last_name}",
        }
