"""The subset of the Shopify Admin GraphQL schema the emulator serves, in SDL.

Field and type names follow the Admin API (2026-10): ``QueryRoot`` with ``shop``, ``orders``,
``order``, ``customers`` and ``customer``; money as ``MoneyBag { shopMoney presentmentMoney }``
of ``MoneyV2 { amount: Decimal, currencyCode }`` (``Decimal`` and ``UnsignedInt64`` are strings
on the wire); the order's ``customerJourneySummary`` with ``firstVisit``/``lastVisit`` visits
carrying ``landingPage``, ``referrerUrl`` and ``utmParameters``. Anything not declared here is
an unknown field and answered with Shopify's ``undefinedField`` error.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLSchema, build_schema

__all__ = ["CURRENCY_CODES", "build_shop_schema", "sdl"]

# ISO codes served by the CurrencyCode enum (the market's currencies and a few more).
CURRENCY_CODES: tuple[str, ...] = (
    "AUD", "BRL", "CAD", "CHF", "CZK", "DKK", "EUR", "GBP", "HKD", "JPY", "MXN", "NOK", "NZD",
    "PLN", "SEK", "SGD", "USD",
)

_SDL = """
schema { query: QueryRoot }

"An ISO 8601 date-time string in UTC, e.g. 2026-11-20T12:00:00Z."
scalar DateTime
"A signed decimal number serialized as a string, e.g. 29.99."
scalar Decimal
"An unsigned 64-bit integer serialized as a string."
scalar UnsignedInt64
"An RFC 3986 URL."
scalar URL
"A string containing HTML."
scalar HTML

type QueryRoot {
  shop: Shop!
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: OrderSortKeys = PROCESSED_AT, query: String): OrderConnection!
  order(id: ID!): Order
  customers(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
            sortKey: CustomerSortKeys = ID, query: String): CustomerConnection!
  customer(id: ID!): Customer
}

type Shop {
  id: ID!
  name: String!
  email: String!
  myshopifyDomain: String!
  url: URL!
  currencyCode: CurrencyCode!
  ianaTimezone: String!
  timezoneAbbreviation: String!
}

enum CurrencyCode { %(currencies)s }

enum OrderSortKeys { CREATED_AT ID ORDER_NUMBER PROCESSED_AT TOTAL_PRICE UPDATED_AT }
enum CustomerSortKeys { CREATED_AT ID NAME UPDATED_AT }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

enum OrderDisplayFinancialStatus {
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED
}
enum OrderDisplayFulfillmentStatus {
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED
  RESTOCKED SCHEDULED UNFULFILLED
}
enum MarketingTactic {
  ABANDONED_CART AD AFFILIATE DIRECT DISPLAY LINK LOYALTY MESSAGE NEWSLETTER NOTIFICATION POST
  RETARGETING SEO SHOPIFY_EMAIL STOREFRONT_APP TRANSACTIONAL
}

type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
type OrderEdge { cursor: String! node: Order! }

type Order {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  closedAt: DateTime
  email: String
  phone: String
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  test: Boolean!
  taxesIncluded: Boolean!
  sourceName: String
  tags: [String!]!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  totalPriceSet: MoneyBag!
  subtotalPriceSet: MoneyBag
  currentTotalPriceSet: MoneyBag!
  totalRefundedSet: MoneyBag!
  totalTaxSet: MoneyBag
  totalDiscountsSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  customer: Customer
  customerJourneySummary: CustomerJourneySummary
  lineItems(first: Int, after: String, last: Int, before: String,
            reverse: Boolean = false): LineItemConnection!
}

type Count { count: Int! precision: CountPrecision! }
enum CountPrecision { AT_LEAST EXACT }

type CustomerJourneySummary {
  customerOrderIndex: Int
  daysToConversion: Int
  firstVisit: CustomerVisit
  lastVisit: CustomerVisit
  momentsCount: Count
  ready: Boolean!
}

type CustomerVisit {
  id: ID!
  landingPage: URL
  landingPageHtml: HTML
  occurredAt: DateTime!
  referralCode: String
  referrerUrl: URL
  source: String!
  sourceDescription: String
  sourceType: MarketingTactic
  utmParameters: UTMParameters
}

type UTMParameters {
  campaign: String
  content: String
  medium: String
  source: String
  term: String
}

type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }
type LineItemEdge { cursor: String! node: LineItem! }

type LineItem {
  id: ID!
  name: String!
  title: String!
  sku: String
  vendor: String
  quantity: Int!
  currentQuantity: Int!
  originalUnitPriceSet: MoneyBag!
  discountedUnitPriceSet: MoneyBag!
  originalTotalSet: MoneyBag!
}

type CustomerConnection { edges: [CustomerEdge!]! nodes: [Customer!]! pageInfo: PageInfo! }
type CustomerEdge { cursor: String! node: Customer! }

enum CustomerState { DECLINED DISABLED ENABLED INVITED }
enum CustomerEmailMarketingState {
  INVALID NOT_SUBSCRIBED PENDING REDACTED SUBSCRIBED UNSUBSCRIBED
}
enum CustomerSmsMarketingState { NOT_SUBSCRIBED PENDING REDACTED SUBSCRIBED UNSUBSCRIBED }
enum CustomerMarketingOptInLevel { CONFIRMED_OPT_IN SINGLE_OPT_IN UNKNOWN }

type CustomerEmailMarketingConsentState {
  marketingState: CustomerEmailMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel
  consentUpdatedAt: DateTime
}

type CustomerSmsMarketingConsentState {
  marketingState: CustomerSmsMarketingState!
  marketingOptInLevel: CustomerMarketingOptInLevel!
  consentUpdatedAt: DateTime
}

type Customer {
  id: ID!
  legacyResourceId: UnsignedInt64!
  displayName: String!
  email: String
  phone: String
  firstName: String
  lastName: String
  createdAt: DateTime!
  updatedAt: DateTime!
  numberOfOrders: UnsignedInt64!
  amountSpent: MoneyV2!
  state: CustomerState!
  verifiedEmail: Boolean!
  tags: [String!]!
  emailMarketingConsent: CustomerEmailMarketingConsentState
  smsMarketingConsent: CustomerSmsMarketingConsentState
}
"""


def sdl(currencies: Iterable[str] = ()) -> str:
    """Return the schema's SDL, with ``currencies`` added to the ``CurrencyCode`` enum."""
    codes = sorted({*CURRENCY_CODES, *(c.upper() for c in currencies)})
    return _SDL % {"currencies": " ".join(codes)}


def build_shop_schema(currencies: Iterable[str] = ()) -> GraphQLSchema:
    """Build the executable schema (resolvers are attached by the emulator)."""
    return build_schema(sdl(currencies))
