"""The GraphQL documents the connector sends (one named operation each).

Each paged query takes ``$first``, ``$after`` and ``$query`` (Shopify search syntax) and asks
for ``pageInfo { hasNextPage endCursor }``. The operation name keys the connector's memory of
each query's requested cost (``extensions.cost.requestedQueryCost``).
"""

from __future__ import annotations

__all__ = ["CUSTOMERS", "LINE_ITEMS", "ORDERS", "ORDER_LINE_ITEMS", "SHOP"]

SHOP = """
query Shop {
  shop { id name currencyCode ianaTimezone myshopifyDomain }
}
"""

_MONEY = "shopMoney { amount currencyCode }"
_VISIT = """
    occurredAt
    landingPage
    referrerUrl
    utmParameters { source medium campaign }
"""

ORDERS = f"""
query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{
      node {{
        id
        name
        createdAt
        updatedAt
        processedAt
        cancelledAt
        email
        phone
        currencyCode
        displayFinancialStatus
        displayFulfillmentStatus
        totalPriceSet {{ {_MONEY} }}
        subtotalPriceSet {{ {_MONEY} }}
        currentTotalPriceSet {{ {_MONEY} }}
        totalRefundedSet {{ {_MONEY} }}
        totalTaxSet {{ {_MONEY} }}
        customer {{ id }}
        customerJourneySummary {{
          firstVisit {{ {_VISIT} }}
          lastVisit {{ {_VISIT} }}
        }}
      }}
    }}
  }}
}}
"""

_LINE = f"""
  id
  sku
  title
  quantity
  currentQuantity
  originalUnitPriceSet {{ {_MONEY} }}
"""

ORDER_LINE_ITEMS = f"""
query OrderLineItems($first: Int!, $after: String, $query: String, $lines: Int!) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    edges {{
      node {{
        id
        updatedAt
        lineItems(first: $lines) {{
          pageInfo {{ hasNextPage endCursor }}
          edges {{ node {{ {_LINE} }} }}
        }}
      }}
    }}
  }}
}}
"""

LINE_ITEMS = f"""
query LineItems($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{
    id
    lineItems(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ node {{ {_LINE} }} }}
    }}
  }}
}}
"""

CUSTOMERS = """
query Customers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        email
        phone
        firstName
        lastName
        createdAt
        updatedAt
        numberOfOrders
        state
        amountSpent { amount currencyCode }
        emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
        smsMarketingConsent { marketingState consentUpdatedAt }
      }
    }
  }
}
"""
