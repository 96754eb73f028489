"""Google Ads row builders: one GAQL result (``AdsRow``) -> one warehouse row per stream.

Each builder takes the account read and returns a function of one raw result, for
:class:`~connectors.records.RecordCollector` (a result that does not validate becomes a
reject with its location).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from connectors.google_ads import settings as C
from connectors.google_ads.models import (
    AccountRow,
    AdGroupRow,
    AdPerformanceDailyRow,
    AdRow,
    AdsRow,
    CampaignRow,
    required,
)
from connectors.streams import AccountInfo

__all__ = [
    "ENTITY_ROWS",
    "account_rows",
    "ad_group_rows",
    "ad_rows",
    "campaign_rows",
    "performance_row",
]



def account_rows(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``google_ads.accounts`` rows from ``customer`` results."""

    def build(raw: Any) -> AccountRow:
        c = AdsRow.model_validate(raw).need("customer")
        return AccountRow(
            account_id=required(c.id, "customer.id"), name=c.descriptive_name,
            currency=required(c.currency_code, "customer.currencyCode"),
            timezone_name=required(c.time_zone, "customer.timeZone"),
            status=c.status, is_manager=c.manager,
        )

    return build


def campaign_rows(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``google_ads.campaigns`` rows (with the campaign budget) of ``account``."""

    def build(raw: Any) -> CampaignRow:
        row = AdsRow.model_validate(raw)
        c = row.need("campaign")
        budget = row.campaign_budget
        return CampaignRow(
            account_id=account.id, campaign_id=c.id, name=c.name,
            status=required(c.status, "campaign.status"),
            channel_type=c.advertising_channel_type, start_date=c.start_date,
            budget_id=budget.id if budget else None,
            daily_budget_micros=budget.amount_micros if budget else None,
        )

    return build


def ad_group_rows(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``google_ads.ad_groups`` rows of ``account``."""

    def build(raw: Any) -> AdGroupRow:
        row = AdsRow.model_validate(raw)
        g = row.need("ad_group")
        return AdGroupRow(
            account_id=account.id, campaign_id=row.need("campaign").id, ad_group_id=g.id,
            name=g.name, status=g.status, type=g.type,
        )

    return build


def ad_rows(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``google_ads.ads`` rows (``ad_group_ad``) of ``account``."""

    def build(raw: Any) -> AdRow:
        row = AdsRow.model_validate(raw)
        a = row.need("ad_group_ad")
        return AdRow(
            account_id=account.id, campaign_id=row.need("campaign").id,
            ad_group_id=row.need("ad_group").id, ad_id=a.ad.id, name=a.ad.name,
            type=a.ad.type, status=a.status,
        )

    return build


# Entity stream -> its row builder.
ENTITY_ROWS: dict[str, Callable[[AccountInfo], Callable[[Any], BaseModel]]] = {
    "accounts": account_rows,
    "campaigns": campaign_rows,
    "ad_groups": ad_group_rows,
    "ads": ad_rows,
}


def performance_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``google_ads.ad_performance_daily`` rows (spend from micros).

    The currency is the row's ``customer.currency_code``, else the account's.
    """

    def build(raw: Any) -> AdPerformanceDailyRow:
        row = AdsRow.model_validate(raw)
        metrics = row.metrics
        if metrics is None:
            raise ValueError("row has no 'metrics' object")
        currency = (row.customer.currency_code if row.customer else None) or account.currency
        return AdPerformanceDailyRow(
            account_id=account.id,
            campaign_id=row.need("campaign").id,
            ad_group_id=row.need("ad_group").id,
            ad_id=row.need("ad_group_ad").ad.id,
            date=row.need("segments").date,
            currency=currency,
            spend=Decimal(metrics.cost_micros) / Decimal(C.MICROS),
            impressions=metrics.impressions,
            clicks=metrics.clicks,
            conversions=metrics.conversions,
            conversion_value=metrics.conversions_value,
        )

    return build
