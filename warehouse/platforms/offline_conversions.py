"""Offline-conversions tables (DDL in migrations/013_offline_conversions.sql) and their suite.

Unlike the API sources, rejected records do not hold the batch back: a drop folder is often
typed by hand, and one bad line must not stop a thousand good ones. Rejects are reported as
a warning with file and line and set aside in the quarantine folder; the good rows publish.
"""

from __future__ import annotations

from warehouse.quality.checks import (
    keys_not_null,
    known_currency,
    natural_key_unique,
    non_negative,
    rejected_records_reported,
)
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        table="offline_conversions.conversions",
        natural_key=("conversion_id",),
        date_column="occurred_date",
        checks=(
            keys_not_null("conversion_id", "occurred_date", "occurred_at"),
            natural_key_unique("conversion_id"),
            non_negative("value"),
            known_currency("currency"),
            rejected_records_reported(),
        ),
    ),
)
