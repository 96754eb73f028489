"""Meta's campaign writer: daily budgets and statuses of campaigns, ad sets and ads.

Graph takes ``daily_budget`` in the account currency's minor units (``POST /{node}``,
``daily_budget=5000`` is 50.00 USD), on the node that holds the budget: a campaign with a
campaign budget (CBO) or an ad set, never both. Statuses ``ACTIVE``/``PAUSED`` on any of the
three. Reads go through the entity streams (they already read ``daily_budget`` and ``status``).

Numbers:

- step: one minor unit, by the currency's ISO 4217 exponent (0.01 USD, 1 JPY). Source: the
  reference notes (platform-apis.md, "Budget and status writes": minor units).
- minimum: 100 minor units (1.00 USD). Source: what the Meta emulator enforces
  (``emulators/meta_ads``: ``daily_budget must be at least 100``); the reference notes give no
  Meta minimum, and live minimums depend on the currency and billing event (verify).
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
from connectors.errors import MalformedResponseError
from connectors.meta_ads.client import MetaAdsConnector
from connectors.streams import AccountInfo

__all__ = ["RULES", "WRITER", "MetaBudgetRules", "MetaCampaignWriter"]

MIN_DAILY_BUDGET_MINOR = 100

# Level -> (entity stream, its id column).
_STREAMS = {"campaign": ("campaigns", "campaign_id"), "ad_set": ("ad_sets", "ad_set_id"),
            "ad": ("ads", "ad_id")}


class MetaBudgetRules(BudgetRules):
    """Minor units by the currency's exponent; at least 100 of them."""

    platform = "meta_ads"
    title = "Meta Ads"
    levels = {
        "campaign": frozenset({"daily_budget", "status"}),
        "ad_set": frozenset({"daily_budget", "status"}),
        "ad": frozenset({"status"}),
    }

    def decimals(self, currency: str) -> int:
        """Take one minor unit of the currency."""
        return minor_unit_exponent(currency)

    def minimum(self, currency: str) -> Decimal:
        """Take 100 minor units at least."""
        return Decimal(MIN_DAILY_BUDGET_MINOR).scaleb(-minor_unit_exponent(currency))

    def to_native(self, amount: Decimal, currency: str) -> int:
        """Write minor units (an integer)."""
        return int(amount.scaleb(minor_unit_exponent(currency)))

    def from_native(self, value: int | str, currency: str) -> Decimal:
        """Read minor units as major units."""
        return Decimal(int(value)).scaleb(-minor_unit_exponent(currency))


RULES = MetaBudgetRules()


class MetaCampaignWriter(PlatformCampaignWriter[MetaAdsConnector]):
    """Writes through ``MetaAdsConnector.set_daily_budget`` / ``set_status``."""

    rules = RULES
    report_stream = "ad_insights_daily"
    report_keys = {"campaign": "campaign_id", "ad_set": "ad_set_id", "ad": "ad_id"}

    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read the level's entity stream of the account and keep ``entity_ids``."""
        self.rules.check_level(level)
        wanted = {str(i) for i in entity_ids}
        if not wanted:
            return {}
        currency = self.account_currency(account)
        stream, key = _STREAMS[level]
        found: dict[str, EntityState] = {}
        for row in self.connector.read(stream, self._info(account)).all_rows():
            entity_id = str(row[key])
            if entity_id not in wanted:
                continue
            minor = row.get("daily_budget")
            budget = None if minor is None else self.rules.from_native(minor, currency)
            status = self.rules.neutral_status(str(row["status"]))
            found[entity_id] = EntityState(entity_id, level, budget, status, currency)
        return found

    def read_currency(self, account: str) -> str:
        """Read the currency of the account's own node."""
        rows = self.connector.read("accounts", self._info(account)).all_rows()
        if not rows:
            raise MalformedResponseError(
                f"ad account {account} came back without a readable currency",
                platform=self.platform, account=account,
            )
        return str(rows[0]["currency"])

    def write(self, prepared: PreparedChange, field: Field) -> None:
        """``daily_budget`` in minor units, or ``status``."""
        change = prepared.change
        if field == "daily_budget":
            assert isinstance(prepared.native_budget, int)
            self.connector.set_daily_budget(
                change.account_id, change.entity_id, prepared.native_budget
            )
        else:
            assert prepared.native_status is not None
            self.connector.set_status(change.account_id, change.entity_id, prepared.native_status)

    def _info(self, account: str) -> AccountInfo:
        account_id = self.connector.normalize_account_id(account)
        return AccountInfo(account_id, account_id, "", "UTC")


WRITER = MetaCampaignWriter
