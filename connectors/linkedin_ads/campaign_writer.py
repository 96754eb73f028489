"""LinkedIn's campaign writer: daily budgets and statuses of campaigns and campaign groups.

Two levels: ``campaign`` (``PARTIAL_UPDATE`` of ``adCampaigns/{id}``) and ``campaign_group``
(``PARTIAL_UPDATE`` of ``adCampaignGroups/{id}``: Campaign Group Budget Optimization, API
versions 202504 on). Both take ``dailyBudget`` as a decimal string in major units with the
account's currency code, and ``status`` ``ACTIVE``/``PAUSED``. The budget sits on one of the
two, never both: a campaign whose group holds the budget refuses a budget of its own, and a
group that holds none refuses one (its campaigns hold theirs). Reads use
``LinkedInAdsConnector.get_campaign`` / ``get_campaign_group`` (one entity, as its stream row).
Today's spend of a group is its campaigns' (the analytics rows name campaigns, not groups:
the ``campaigns`` stream's ``campaign_group_id`` maps one to the other).

Numbers:

- step: 0.01 (two decimals; whole units for a currency without minor units). Source: the
  reference notes (platform-apis.md, "Campaign budget and status": ``"75.00"``) and the
  connector, which sends at most two decimals.
- minimum: 10.00 in the account currency. Source: what the LinkedIn emulator enforces
  (``emulators/linkedin_ads``: ``MIN_DAILY_BUDGET``, "fewer than 10.00" refused); the
  reference notes give none (LinkedIn's help pages say USD 10 a day; other currencies differ:
  verify). The same minimum at both levels: the emulator applies one to campaigns and
  campaign groups alike (a group's live minimum may differ: verify).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from connectors.campaign_writes import (
    BudgetRules,
    EntityState,
    Field,
    PlatformCampaignWriter,
    PreparedChange,
    minor_unit_exponent,
)
from connectors.errors import NotFoundError
from connectors.linkedin_ads.client import LinkedInAdsConnector
from connectors.streams import AccountInfo

__all__ = ["RULES", "WRITER", "LinkedInBudgetRules", "LinkedInCampaignWriter"]

MIN_DAILY_BUDGET = Decimal("10.00")
MAX_DECIMALS = 2


class LinkedInBudgetRules(BudgetRules):
    """Decimal strings with two decimals; at least 10.00."""

    platform = "linkedin_ads"
    title = "LinkedIn Ads"
    levels = {
        "campaign": frozenset({"daily_budget", "status"}),
        "campaign_group": frozenset({"daily_budget", "status"}),
    }

    def decimals(self, currency: str) -> int:
        """Take two decimals at most (fewer where the currency has fewer)."""
        return min(minor_unit_exponent(currency), MAX_DECIMALS)

    def minimum(self, currency: str) -> Decimal:
        """Take 10.00 at least, in any currency."""
        return MIN_DAILY_BUDGET

    def to_native(self, amount: Decimal, currency: str) -> str:
        """Write the decimal string LinkedIn sends and takes (``"75.00"``)."""
        return f"{amount:.{MAX_DECIMALS}f}"

    def from_native(self, value: int | str, currency: str) -> Decimal:
        """Read the decimal string as major units."""
        return Decimal(str(value))


RULES = LinkedInBudgetRules()


class LinkedInCampaignWriter(PlatformCampaignWriter[LinkedInAdsConnector]):
    """Writes through ``set_campaign_*`` or ``set_campaign_group_*``, by the change's level."""

    rules = RULES
    report_stream = "ad_analytics_daily"
    report_keys = {"campaign": "campaign_id"}

    def spend_key(self, account: str, level: str) -> Callable[[Mapping[str, Any]], str | None]:
        """Name a report row's campaign, or its campaign group (through ``campaigns``)."""
        self.rules.check_level(level)
        if level == "campaign":
            return super().spend_key(account, level)
        rows = self.connector.read("campaigns", self.account_info(account)).all_rows()
        groups = {str(row["campaign_id"]): str(row["campaign_group_id"])
                  for row in rows if row.get("campaign_group_id") is not None}
        return lambda row: groups.get(str(row["campaign_id"]))

    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read each campaign or campaign group (those LinkedIn does not find are left out)."""
        self.rules.check_level(level)
        wanted = sorted({str(i) for i in entity_ids})
        if not wanted:
            return {}
        currency = self.account_currency(account)
        info = self._info(account, currency)
        get = (self.connector.get_campaign_group if level == "campaign_group"
               else self.connector.get_campaign)
        found: dict[str, EntityState] = {}
        for entity_id in wanted:
            try:
                row = get(info, entity_id)
            except NotFoundError:
                continue
            budget = row.get("daily_budget")
            found[entity_id] = EntityState(
                entity_id, level, None if budget is None else Decimal(budget),
                self.rules.neutral_status(str(row["status"])), str(row["currency"]),
            )
        return found

    def read_currency(self, account: str) -> str:
        """Read the ad account's currency."""
        rows = self.connector.read("accounts", self._info(account, "")).all_rows()
        if not rows:
            raise NotFoundError(
                f"ad account {account} came back unreadable", platform=self.platform,
                account=account,
            )
        return str(rows[0]["currency"])

    def write(self, prepared: PreparedChange, field: Field) -> None:
        """``dailyBudget`` (the rounded Decimal and the currency), or ``status``."""
        change = prepared.change
        group = change.level == "campaign_group"
        if field == "daily_budget":
            assert prepared.daily_budget is not None and change.currency is not None
            set_budget = (self.connector.set_campaign_group_daily_budget if group
                          else self.connector.set_campaign_daily_budget)
            set_budget(change.account_id, change.entity_id, prepared.daily_budget,
                       change.currency)
        else:
            assert prepared.native_status is not None
            set_status = (self.connector.set_campaign_group_status if group
                          else self.connector.set_campaign_status)
            set_status(change.account_id, change.entity_id, prepared.native_status)

    def _info(self, account: str, currency: str) -> AccountInfo:
        account_id = self.connector.normalize_account_id(account)
        return AccountInfo(account_id, account_id, currency, "UTC")


WRITER = LinkedInCampaignWriter
