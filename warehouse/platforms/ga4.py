"""GA4 tables (DDL in migrations/011_ga4.sql) and their quality suites.

Revenue may be negative (GA4 nets refunds into ``totalRevenue``), so only sessions and key
events are checked for sign. Natural keys carry the property: dimension values such as a
landing page are not unique across properties.
"""

from __future__ import annotations

from warehouse.platforms._suites import account_table
from warehouse.quality.checks import (
    freshness,
    keys_not_null,
    known_currency,
    natural_key_unique,
    no_rejected_records,
    non_negative,
    row_count_vs_previous,
)
from warehouse.spec import TableSpec

__all__ = ["TABLES"]

_TRAFFIC_KEY = ("property_id", "date", "source", "medium", "campaign_name", "landing_page")
_SESSION_KEY = ("session_key", "date")


def _report(table: str, key: tuple[str, ...], *required: str) -> TableSpec:
    return TableSpec(
        table=table,
        natural_key=key,
        date_column="date",
        checks=(
            keys_not_null(*key, *required),
            natural_key_unique(*key),
            non_negative("sessions", "key_events"),
            known_currency("currency"),
            freshness("date", days=3),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    )


TABLES: tuple[TableSpec, ...] = (
    account_table("ga4.properties", key="property_id"),
    TableSpec(
        table="ga4.custom_dimensions",
        natural_key=("property_id", "custom_dimension_id"),
        checks=(
            keys_not_null("property_id", "custom_dimension_id", "api_name"),
            natural_key_unique("property_id", "custom_dimension_id"),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    ),
    _report("ga4.traffic_daily", _TRAFFIC_KEY),
    _report("ga4.sessions", _SESSION_KEY, "property_id", "session_start"),
)
