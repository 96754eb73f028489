"""Shopify Admin GraphQL connector (``POST /admin/api/{version}/graphql.json``, version pinned).

Operations covered (one GraphQL endpoint, ``X-Shopify-Access-Token``):

* ``query Shop { shop { id name currencyCode ianaTimezone myshopifyDomain } }`` -
  ``list_accounts`` (the shop is the account) and stream ``shops``
* ``query Orders`` - ``orders(first, after, query: "updated_at:>='...' AND updated_at:<'...'",
  sortKey: UPDATED_AT)`` with totals, customer and ``customerJourneySummary`` (first and last
  visit: landing page, referrer, UTM) - stream ``orders``
* ``query OrderLineItems`` / ``query LineItems`` - the same orders with ``lineItems`` (more
  lines than one page are paged per order) - stream ``order_line_items``
* ``query Customers`` - ``customers(first, after, sortKey: ID)`` - stream ``customers``
* ``POST /admin/oauth/access_token`` (``grant_type=refresh_token``) - expiring offline tokens
"""

from __future__ import annotations

from connectors.shopify.client import ShopifyConnector
from connectors.shopify.config import ShopifySettings
from connectors.shopify.settings import API_VERSION

__all__ = ["API_VERSION", "ShopifyConnector", "ShopifySettings"]
