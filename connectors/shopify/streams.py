"""Declarative streams of the Shopify connector: names, tables, keys, models.

``orders`` and ``order_line_items`` are read by the day orders were last *updated* (in the
shop's time zone), through today: a refund or fulfilment moves an order into a later day, and
the merge on ``order_id`` / ``line_item_id`` in the warehouse keeps one row per order or line
(the cursor column is part of each stream's key only within one read).
"""

from __future__ import annotations

from connectors.shopify import settings as C
from connectors.shopify.models import CustomerRow, LineItemRow, OrderRow, ShopRow
from connectors.streams import StreamSpec

__all__ = ["STREAMS"]

SHOPS = StreamSpec("shops", f"{C.PLATFORM}.shops", ("account_id",), None, ShopRow)
CUSTOMERS = StreamSpec(
    "customers", f"{C.PLATFORM}.customers", ("customer_id",), None, CustomerRow
)
ORDERS = StreamSpec(
    "orders",
    f"{C.PLATFORM}.orders",
    ("order_id", "updated_date"),
    "updated_date",
    OrderRow,
    through_today=True,
)
ORDER_LINE_ITEMS = StreamSpec(
    "order_line_items",
    f"{C.PLATFORM}.order_line_items",
    ("line_item_id", "updated_date"),
    "updated_date",
    LineItemRow,
    through_today=True,
)

STREAMS: tuple[StreamSpec, ...] = (SHOPS, CUSTOMERS, ORDERS, ORDER_LINE_ITEMS)
