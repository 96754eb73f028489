"""LinkedIn Ads tables (DDL in migrations/006_linkedin_ads.sql) and their quality suites."""

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

__all__ = ["TABLES"]


def _object_table(table: str, key: str) -> TableSpec:
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


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        table="linkedin_ads.accounts",
        natural_key=("account_id",),
        checks=(
            keys_not_null("account_id"),
            natural_key_unique("account_id"),
            known_currency("currency"),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    ),
    _object_table("linkedin_ads.campaigns", "campaign_id"),
    _object_table("linkedin_ads.creatives", "creative_id"),
    TableSpec(
        table="linkedin_ads.ad_analytics_daily",
        natural_key=("creative_id", "date"),
        date_column="date",
        checks=(
            keys_not_null("creative_id", "date"),
            natural_key_unique("creative_id", "date"),
            non_negative("spend", "impressions", "clicks", "conversions", "conversion_value"),
            clicks_le_impressions("clicks", "impressions"),
            known_currency("currency"),
            freshness("date", days=3),
            row_count_vs_previous(0.5),
            no_rejected_records(),
        ),
    ),
)
