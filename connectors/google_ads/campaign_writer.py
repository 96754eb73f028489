"""Google Ads' campaign writer: campaign budgets, and statuses of ad groups and ads.

A Google campaign's daily budget lives on its campaign budget (``campaignBudgets:mutate``,
``amountMicros``), so budget changes name the ``campaign_budget`` (``campaigns.budget_id``);
statuses are set on an ``ad_group`` or an ``ad`` (named ``{ad_group_id}~{ad_id}``, as Google
names an ad group ad). Market ``ACTIVE`` is Google's ``ENABLED``. The changes of one batch go
in one mutate per account and service with ``partialFailure``, so Google refuses operations
one by one. Reads go through the entity streams (``campaigns`` carries the budget).

Numbers:

- step: the currency's minimum unit: 10,000 micros for a 2-decimal currency (10**(6 - ISO
  4217 exponent) micros). Source: the reference notes (platform-apis.md, "Budget mutate": a
  multiple of the currency's minimum unit, 10,000 micros for USD, marked verify) and the
  emulator (``NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT``).
- minimum: one step (0.01 USD): Google takes any positive amount (the emulator refuses
  ``amountMicros`` <= 0); no larger minimum is documented in the reference notes.
- maximum: ``amountMicros`` is an int64.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from connectors.campaign_writes import (
    BudgetRules,
    CampaignChange,
    ChangeOutcome,
    EntityState,
    Field,
    PlatformCampaignWriter,
    PreparedChange,
    Status,
    minor_unit_exponent,
    outcome_of_error,
)
from connectors.errors import (
    BadRequestError,
    ConfigurationError,
    ConnectorError,
    MalformedResponseError,
)
from connectors.google_ads.client import GoogleAdsConnector, MutateResult
from connectors.streams import AccountInfo

__all__ = ["RULES", "WRITER", "GoogleBudgetRules", "GoogleCampaignWriter"]

MAX_AMOUNT_MICROS = 2**63 - 1  # amountMicros is an int64
MICRO_DECIMALS = 6
_AD_ID = re.compile(r"^\d+~\d+$")

# Level -> (entity stream, how a row names the entity, the row's budget column).
_STREAMS = {
    "campaign_budget": ("campaigns", ("budget_id",), "daily_budget_micros"),
    "ad_group": ("ad_groups", ("ad_group_id",), None),
    "ad": ("ads", ("ad_group_id", "ad_id"), None),
}


class GoogleBudgetRules(BudgetRules):
    """Micros, in multiples of the currency's minimum unit; any positive amount."""

    platform = "google_ads"
    title = "Google Ads"
    levels = {
        "campaign_budget": frozenset({"daily_budget"}),
        "ad_group": frozenset({"status"}),
        "ad": frozenset({"status"}),
    }

    def decimals(self, currency: str) -> int:
        """Take the currency's minimum unit (never finer than a micro)."""
        return min(minor_unit_exponent(currency), MICRO_DECIMALS)

    def minimum(self, currency: str) -> Decimal:
        """Take one minimum unit at least."""
        return self.step(currency)

    def maximum(self, currency: str) -> Decimal:
        """Hold at most the largest int64 of micros, on the step."""
        most = Decimal(MAX_AMOUNT_MICROS).scaleb(-MICRO_DECIMALS)
        return most.quantize(self.step(currency), rounding=ROUND_DOWN)

    def to_native(self, amount: Decimal, currency: str) -> int:
        """Write micros."""
        return int(amount.scaleb(MICRO_DECIMALS))

    def from_native(self, value: int | str, currency: str) -> Decimal:
        """Read micros as major units (to the currency's step when they fall on it)."""
        amount = Decimal(int(value)).scaleb(-MICRO_DECIMALS)
        on_step = amount.quantize(self.step(currency))
        return on_step if on_step == amount else amount

    def prepare(self, change: CampaignChange) -> PreparedChange:
        """Also refuse an ad not named ``{ad_group_id}~{ad_id}`` (Google needs its group)."""
        if change.level == "ad" and not _AD_ID.match(change.entity_id):
            raise self._refused(
                change, f"a Google Ads ad is named {{ad_group_id}}~{{ad_id}}, got "
                f"{change.entity_id!r}",
            )
        return super().prepare(change)

    def native_status(self, status: Status) -> str:
        """Write ``ACTIVE`` as ``ENABLED``."""
        return "ENABLED" if status == "ACTIVE" else status

    def neutral_status(self, native: str) -> str:
        """Read ``ENABLED`` as ``ACTIVE``; ``REMOVED`` passes through."""
        return "ACTIVE" if native == "ENABLED" else native


RULES = GoogleBudgetRules()


class GoogleCampaignWriter(PlatformCampaignWriter[GoogleAdsConnector]):
    """Writes through ``GoogleAdsConnector.set_campaign_budgets`` / ``set_statuses``."""

    rules = RULES
    report_stream = "ad_performance_daily"
    report_keys = {"ad_group": "ad_group_id"}

    def spend_key(self, account: str, level: str) -> Callable[[Mapping[str, Any]], str | None]:
        """Name a report row's campaign budget (through ``campaigns.budget_id``) or ad."""
        self.rules.check_level(level)
        if level == "ad":
            return lambda row: f"{row['ad_group_id']}~{row['ad_id']}"
        if level == "ad_group":
            return super().spend_key(account, level)
        budgets = {str(row["campaign_id"]): str(row["budget_id"])
                   for row in self.connector.read("campaigns", self._info(account)).all_rows()
                   if row.get("budget_id") is not None}
        return lambda row: budgets.get(str(row["campaign_id"]))

    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read the level's entity stream of the account and keep ``entity_ids``."""
        self.rules.check_level(level)
        wanted = {str(i) for i in entity_ids}
        if not wanted:
            return {}
        currency = self.account_currency(account)
        stream, key, budget_column = _STREAMS[level]
        found: dict[str, EntityState] = {}
        for row in self.connector.read(stream, self._info(account)).all_rows():
            entity_id = "~".join(str(row[k]) for k in key)
            if entity_id not in wanted:
                continue
            micros = row.get(budget_column) if budget_column else None
            budget = None if micros is None else self.rules.from_native(micros, currency)
            # A campaign budget has no status of its own: pause its ad groups or ads.
            status = None if budget_column else row.get("status")
            found[entity_id] = EntityState(
                entity_id, level, budget,
                None if status is None else self.rules.neutral_status(str(status)), currency,
            )
        return found

    def read_currency(self, account: str) -> str:
        """Read the customer's currency."""
        rows = self.connector.read("accounts", self._info(account)).all_rows()
        if not rows:
            raise ConfigurationError(f"Google Ads customer {account} has no readable currency")
        return str(rows[0]["currency"])

    def write(self, prepared: PreparedChange, field: Field) -> None:
        """Send one change alone (``send`` batches them; this is the one-change path)."""
        outcome = self.send([prepared])[0]
        if outcome.error is not None:
            raise outcome.error

    def send(self, prepared: Sequence[PreparedChange]) -> list[ChangeOutcome]:
        """One partial-failure mutate per account and service; one outcome per change."""
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, p in enumerate(prepared):
            groups[(p.change.account_id, p.change.level)].append(index)
        outcomes: dict[int, ChangeOutcome] = {}
        for (account, level), indexes in groups.items():
            batch = [prepared[i] for i in indexes]
            try:
                result = self._mutate(account, level, batch)
            except ConnectorError as exc:
                outcomes.update((i, outcome_of_error(prepared[i], exc, ())) for i in indexes)
                continue
            field: Field = "daily_budget" if level == "campaign_budget" else "status"
            for position, index in enumerate(indexes):
                outcomes[index] = self._outcome(prepared[index], result, position, field)
        return [outcomes[i] for i in range(len(prepared))]

    def _outcome(
        self, prepared: PreparedChange, result: MutateResult, position: int, field: Field
    ) -> ChangeOutcome:
        """Read one operation's fate: refused by index, applied by its resource name."""
        refused = next((e for e in result.errors if e.index == position), None)
        if refused is None and result.resource_names[position] is not None:
            return ChangeOutcome(
                prepared.change, "applied", prepared, prepared.note, applied_fields=(field,)
            )
        account = prepared.change.account_id
        if refused is not None:
            error: ConnectorError = BadRequestError(
                f"{refused.category}.{refused.code}: {refused.message}",
                platform=self.platform, account=account, code=refused.code,
            )
        else:
            unplaced = "; ".join(e.message for e in result.errors if e.index is None)
            error = MalformedResponseError(
                f"Google returned no result for this operation {unplaced}".strip(),
                platform=self.platform, account=account,
            )
        return outcome_of_error(prepared, error, ())

    def _mutate(self, account: str, level: str, batch: list[PreparedChange]) -> MutateResult:
        if level == "campaign_budget":
            budgets = [(p.change.entity_id, int(p.native_budget or 0)) for p in batch]
            return self.connector.set_campaign_budgets(account, budgets, partial_failure=True)
        if level == "ad_group":
            groups = [(p.change.entity_id, str(p.native_status), None) for p in batch]
            return self.connector.set_statuses(
                account, "ad_group", groups, partial_failure=True
            )
        ads = []
        for p in batch:
            group, _, ad = p.change.entity_id.partition("~")
            ads.append((ad, str(p.native_status), group))
        return self.connector.set_statuses(account, "ad", ads, partial_failure=True)

    def _info(self, account: str) -> AccountInfo:
        customer = self.connector.normalize_account_id(account)
        return AccountInfo(customer, customer, "", "UTC")


WRITER = GoogleCampaignWriter
