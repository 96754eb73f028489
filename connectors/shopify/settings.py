"""Constants of the Shopify Admin GraphQL connector. Constants only: no logic, no I/O.

The API version lives here and nowhere else.
"""

from __future__ import annotations

PLATFORM = "shopify"

# Quarterly stable versions (YYYY-01/04/07/10), each supported for at least 12 months. A request
# to an unsupported one is *served by the oldest supported version* (no error): the connector
# compares X-Shopify-API-Version with what it asked for.
API_VERSION = "2026-10"
VERSION_PATTERN = r"^\d{4}-(01|04|07|10)$"
BASE_URL_TEMPLATE = "https://{shop}.myshopify.com"
SHOP_DOMAIN_SUFFIX = ".myshopify.com"
GRAPHQL_PATH = "/admin/api/{version}/graphql.json"
TOKEN_PATH = "/admin/oauth/access_token"

TOKEN_HEADER = "X-Shopify-Access-Token"
VERSION_HEADER = "X-Shopify-API-Version"

# Calculated query cost: a single query may request at most 1000 points; the bucket (per app
# and shop) and its restore rate are read from every answer's extensions.cost.throttleStatus.
MAX_QUERY_COST = 1000
MAX_PAGE_SIZE = 250

# GraphQL error codes inside an HTTP 200.
THROTTLED = "THROTTLED"
MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
ACCESS_DENIED = "ACCESS_DENIED"
SERVER_ERROR_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})

# Page sizes chosen so that each query requests well under 1000 points.
ORDERS_PAGE_SIZE = 50
LINE_ITEM_ORDERS_PAGE_SIZE = 10
LINE_ITEMS_PAGE_SIZE = 20
CUSTOMERS_PAGE_SIZE = 100

# Orders change for weeks after they are placed (fulfilment, refunds, edits).
DEFAULT_LOOKBACK_DAYS = 30
# Without read_all_orders, only the last 60 days of orders are visible.
DEFAULT_INITIAL_DAYS = 60
DEFAULT_REQUESTS_PER_SECOND = 4.0
