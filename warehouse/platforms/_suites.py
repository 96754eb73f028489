"""The quality suites every ad platform's tables share (accounts, objects, daily reports)."""

from __future__ import annotations

from warehouse.quality.checks import (
    clicks_le_impressions,
    freshness,
    keys_not_null,
    known_currency,
    natural_key_unique,
    no_rejected_records,
    non_negative,
    row_count_vs_previous,
)
from warehouse.spec import TableSpec

__all__ = ["account_table", "object_table", "report_table"]


def account_table(table: str, key: str = "account_id") -> TableSpec:
    """Return the spec of an accounts table: unique keys and a known currency."""
    return TableSpec(
        table=table,
        natural_key=(key,),
        checks=(
            keys_not_null(key),
            natural_key_unique(key),
            known_currency("currency"),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    )


def object_table(table: str, key: str) -> TableSpec:
    """Return the spec of a campaigns/ad groups/ads table keyed on one id."""
    return TableSpec(
        table=table,
        natural_key=(key,),
        checks=(
            keys_not_null(key),
            natural_key_unique(key),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    )


def report_table(table: str, key: str, date_column: str = "date") -> TableSpec:
    """Return the spec of a daily performance table keyed on (ad id, day)."""
    return TableSpec(
        table=table,
        natural_key=(key, date_column),
        date_column=date_column,
        checks=(
            keys_not_null(key, date_column),
            natural_key_unique(key, date_column),
            non_negative("spend", "impressions", "clicks", "conversions", "conversion_value"),
            clicks_le_impressions("clicks", "impressions"),
            known_currency("currency"),
            freshness(date_column, days=3),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    )
