"""Shopify tables (DDL in migrations/012_shopify.sql) and their quality suites.

Orders and line items are merged on their Shopify id within the shop alone: an order re-read
on a later update day (a refund, a fulfilment) overwrites its row; the connector's stream key
adds the day only to keep one read's rows apart. There is no row-count check: an incremental
read is as small as the day's changes.
"""

from __future__ import annotations

from warehouse.quality.checks import (
    keys_not_null,
    known_currency,
    natural_key_unique,
    no_rejected_records,
    non_negative,
)
from warehouse.spec import CheckKind, CheckSpec, Severity, TableSpec

__all__ = ["TABLES"]


def _not_greater(name: str, smaller: str, larger: str) -> CheckSpec:
    """ERROR when ``smaller`` exceeds ``larger`` on a row."""
    return CheckSpec(name, CheckKind.NOT_GREATER, Severity.ERROR, (smaller, larger))


def _shop_table(
    table: str, key: tuple[str, ...], date_column: str | None, *extra: CheckSpec
) -> TableSpec:
    natural = ("account_id", *key)
    return TableSpec(
        table=table,
        natural_key=natural,
        date_column=date_column,
        checks=(
            keys_not_null(*natural, *((date_column,) if date_column else ())),
            natural_key_unique(*natural),
            known_currency("currency"),
            *extra,
            no_rejected_records(),
        ),
    )


TABLES: tuple[TableSpec, ...] = (
    _shop_table("shopify.shops", (), None),
    _shop_table(
        "shopify.orders",
        ("order_id",),
        "updated_date",
        non_negative("total_price", "current_total_price", "total_refunded", "total_tax"),
        _not_greater("refunds_le_total", "total_refunded", "total_price"),
    ),
    _shop_table(
        "shopify.order_line_items",
        ("line_item_id",),
        "updated_date",
        non_negative("quantity", "current_quantity", "unit_price"),
        _not_greater("current_quantity_le_quantity", "current_quantity", "quantity"),
    ),
    _shop_table(
        "shopify.customers",
        ("customer_id",),
        None,
        non_negative("number_of_orders", "amount_spent"),
    ),
)
