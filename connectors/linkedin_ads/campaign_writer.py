"""LinkedIn's campaign writer: daily budgets and statuses of campaigns.

LinkedIn takes a campaign's ``dailyBudget`` as a decimal string in major units with the
account's currency code (``PARTIAL_UPDATE`` of ``adCampaigns/{id}``), and ``status``
``ACTIVE``/``PAUSED``; a campaign whose budget its campaign group holds refuses a budget.
Reads use ``LinkedInAdsConnector.get_campaign`` (one campaign, as its stream row).

Numbers:

- step: 0.01 (two decimals; whole units for a currency without minor units). Source: the
  reference notes (platform-apis.md, "Campaign budget and status": ``"75.00"``) and the
  connector, which sends at most two decimals.
- minimum: 10.00 in the account currency. Source: what the LinkedIn emulator enforces
  (``emulators/linkedin_ads``: ``MIN_DAILY_BUDGET``, "fewer than 10.00" refused); the
  reference notes give none (LinkedIn's help pages say USD 10 a day; other currencies differ:
  verify).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

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
    levels = {"campaign": frozenset({"daily_budget", "status"})}

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
    """Writes through ``set_campaign_daily_budget`` / ``set_campaign_status``."""

    rules = RULES
    report_stream = "ad_analytics_daily"
    report_keys = {"campaign": "campaign_id"}

    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read each campaign (those LinkedIn does not find are left out)."""
        self.rules.check_level(level)
        wanted = sorted({str(i) for i in entity_ids})
        if not wanted:
            return {}
        currency = self.account_currency(account)
        info = self._info(account, currency)
        found: dict[str, EntityState] = {}
        for campaign_id in wanted:
            try:
                row = self.connector.get_campaign(info, campaign_id)
            except NotFoundError:
                continue
            budget = row.get("daily_budget")
            found[campaign_id] = EntityState(
                campaign_id, level, None if budget is None else Decimal(budget),
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
        if field == "daily_budget":
            assert prepared.daily_budget is not None and change.currency is not None
            self.connector.set_campaign_daily_budget(
                change.account_id, change.entity_id, prepared.daily_budget, change.currency
            )
        else:
            assert prepared.native_status is not None
            self.connector.set_campaign_status(
                change.account_id, change.entity_id, prepared.native_status
            )

    def _info(self, account: str, currency: str) -> AccountInfo:
        account_id = self.connector.normalize_account_id(account)
        return AccountInfo(account_id, account_id, currency, "UTC")


WRITER = LinkedInCampaignWriter
