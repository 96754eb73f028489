"""How the market's objects look on LinkedIn's wire: URNs, accounts, groups, campaigns, ads.

Market campaign -> LinkedIn campaign group (it holds the ``dailyBudget`` when the market puts
the budget there); market ad group -> LinkedIn campaign (the same, for budgets kept on the
campaign); market ad -> creative. Times are epoch milliseconds; ids are numbers except
creatives, whose ``id`` is a URN.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulators.market import Account, Ad, AdGroup, Campaign, Market

PLATFORM = "linkedin_ads"
ACCOUNT_URN = "urn:li:sponsoredAccount:"
CAMPAIGN_GROUP_URN = "urn:li:sponsoredCampaignGroup:"
CAMPAIGN_URN = "urn:li:sponsoredCampaign:"
CREATIVE_URN = "urn:li:sponsoredCreative:"

_OBJECTIVES = {
    "sales": "WEBSITE_CONVERSION",
    "traffic": "WEBSITE_VISIT",
    "awareness": "BRAND_AWARENESS",
}


def urn_number(value: str, prefix: str) -> str | None:
    """Return N of ``<prefix>N``, or None."""
    if not value.startswith(prefix):
        return None
    number = value[len(prefix) :]
    return number if number.isdigit() else None


def epoch_ms(moment: datetime) -> int:
    """Return epoch milliseconds of an aware datetime."""
    return int(moment.timestamp() * 1000)


def money(minor: int) -> str:
    """Render minor units as LinkedIn's major-unit decimal string."""
    return f"{minor // 100}.{minor % 100:02d}"


def render_account(account: Account) -> dict[str, Any]:
    """Render an ``adAccounts`` element."""
    return {
        "id": int(account.number),
        "name": account.name,
        "currency": account.currency,
        "status": "ACTIVE",
        "type": "BUSINESS",
        "reference": "urn:li:organization:2414183",
        "test": False,
        "servingStatuses": ["RUNNABLE"],
        "notifiedOnCampaignOptimization": False,
        "notifiedOnCreativeApproval": False,
        "notifiedOnCreativeRejection": False,
        "notifiedOnEndOfCampaign": False,
        "version": {"versionTag": "2"},
    }


def render_campaign_group(market: Market, campaign: Campaign) -> dict[str, Any]:
    """Render an ``adCampaignGroups`` element for a market campaign."""
    account = market.account(PLATFORM, campaign.account_id)
    assert account is not None
    status = market.status(PLATFORM, campaign.id)
    out: dict[str, Any] = {
        "id": int(campaign.id),
        "account": f"{ACCOUNT_URN}{account.number}",
        "name": campaign.name,
        "status": status,
        "runSchedule": {"start": epoch_ms(campaign.created_time)},
        "servingStatuses": ["RUNNABLE" if status == "ACTIVE" else "CAMPAIGN_GROUP_STATUS_HOLD"],
        "test": False,
        "backfilled": False,
        "changeAuditStamps": {
            "created": {"time": epoch_ms(campaign.created_time)},
            "lastModified": {"time": epoch_ms(market.updated_time(PLATFORM, campaign.id))},
        },
    }
    budget = market.budget(PLATFORM, campaign.id)
    if budget is not None:
        out["dailyBudget"] = {"amount": money(budget), "currencyCode": account.currency}
    return out


def render_campaign(market: Market, group: AdGroup) -> dict[str, Any]:
    """Render an ``adCampaigns`` element for a market ad group."""
    account = market.account(PLATFORM, group.account_id)
    assert account is not None
    parent = market.entity(PLATFORM, group.campaign_id)
    objective = getattr(parent, "objective", "sales")
    status = market.status(PLATFORM, group.id)
    out: dict[str, Any] = {
        "id": int(group.id),
        "account": f"{ACCOUNT_URN}{account.number}",
        "campaignGroup": f"{CAMPAIGN_GROUP_URN}{group.campaign_id}",
        "name": group.name,
        "status": status,
        "type": "SPONSORED_UPDATES",
        "costType": "CPM",
        "objectiveType": _OBJECTIVES.get(objective, "WEBSITE_CONVERSION"),
        "format": "SINGLE_IMAGE",
        "locale": {"country": "US", "language": "en"},
        "runSchedule": {"start": epoch_ms(group.created_time)},
        "servingStatuses": ["RUNNABLE" if status == "ACTIVE" else "CAMPAIGN_STATUS_NOT_ACTIVE"],
        "changeAuditStamps": {
            "created": {"time": epoch_ms(group.created_time)},
            "lastModified": {"time": epoch_ms(market.updated_time(PLATFORM, group.id))},
        },
        "version": {"versionTag": str(market.version + 1)},
    }
    budget = market.budget(PLATFORM, group.id)
    if budget is not None:
        out["dailyBudget"] = {"amount": money(budget), "currencyCode": account.currency}
    return out


def render_creative(market: Market, ad: Ad) -> dict[str, Any]:
    """Render a ``creatives`` element for a market ad."""
    account = market.account(PLATFORM, ad.account_id)
    assert account is not None
    today = market.local_today(PLATFORM, ad.account_id)
    return {
        "id": f"{CREATIVE_URN}{ad.id}",
        "account": f"{ACCOUNT_URN}{account.number}",
        "campaign": f"{CAMPAIGN_URN}{ad.ad_group_id}",
        "name": ad.name,
        "intendedStatus": market.status(PLATFORM, ad.id),
        "isServing": market.delivering(PLATFORM, ad.id, today),
        "isTest": False,
        "createdAt": epoch_ms(ad.created_time),
        "lastModifiedAt": epoch_ms(market.updated_time(PLATFORM, ad.id)),
        "createdBy": "urn:li:person:sandbox",
        "lastModifiedBy": "urn:li:person:sandbox",
    }
