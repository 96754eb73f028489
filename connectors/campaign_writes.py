"""One interface for changing daily budgets and statuses on every ad platform.

The budget and creative flows plan in neutral terms (a budget is a ``Decimal`` in the account
currency's major units, a status is ``ACTIVE`` or ``PAUSED``) and talk to a
:class:`CampaignWriter` without knowing which platform is behind it. Each writer lives in its
connector's folder (``connectors/<platform>/campaign_writer.py``, exporting its class as
``WRITER``) and is found by :func:`writer_platforms` / :func:`writer_class`, so a new platform
only adds its module::

    writer.current(account, ids, level="ad_set")   {id: EntityState(daily_budget, status, currency)}
    writer.prepare(change)                         PreparedChange: the platform's unit, rounded
    writer.apply(changes)                          [ChangeOutcome: applied | refused | failed]
    writer.spend_today(account, ids, level=...)    SpendSoFar: today's spend per entity so far
    writer.close()

A :class:`CampaignChange` names an entity at a level the platform writes (Meta ``campaign``
or ``ad_set``, Google ``campaign_budget`` or ``ad_group``, LinkedIn ``campaign`` or
``campaign_group``...; each writer's ``rules.levels`` says which fields a level takes).

Amounts: each platform takes its own unit (Meta minor units by the currency's ISO 4217
exponent, Google micros in multiples of the currency's minimum unit, LinkedIn a decimal
string). :meth:`BudgetRules.prepare` is pure: it rounds the amount **down** to the platform's
smallest step (a budget caps spend, so rounding never raises it) and reports the rounded amount
(:attr:`PreparedChange.rounded`, :attr:`PreparedChange.note`); it changes nothing else, and
refuses a change the platform would refuse (below its minimum, not a number, a field the level
does not have) with :class:`ChangeRefusedError`, before any call.

Errors (a leaf of the connector tree, :mod:`connectors.errors`)::

    ConnectorError
    └── ConfigurationError
        └── ChangeRefusedError   the platform would refuse this change: fix the change

``apply`` raises nothing for one change: every change gets a :class:`ChangeOutcome`, so one
failure never hides the others' outcomes::

    applied   the platform took every field of the change
    refused   prepare or the platform said no (ChangeRefusedError, BadRequestError,
              NotFoundError, PermissionDeniedError): retrying the same change will not help
    failed    it could not be delivered (retries exhausted, credentials, circuit open...);
              ``applied_fields`` says what did land: read ``current()`` before trying again
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Context, Decimal
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from connectors.errors import (
    BadRequestError,
    ConfigurationError,
    ConnectorError,
    NotFoundError,
    PermissionDeniedError,
)
from connectors.streams import AccountInfo, DateWindow, StreamResult

__all__ = [
    "STATUSES",
    "BudgetRules",
    "CampaignChange",
    "CampaignWriter",
    "ChangeOutcome",
    "ChangeRefusedError",
    "EntityState",
    "Field",
    "PlatformCampaignWriter",
    "PreparedChange",
    "SpendSoFar",
    "Status",
    "minor_unit_exponent",
    "outcome_of_error",
    "writer_class",
    "writer_platforms",
]

Status = Literal["ACTIVE", "PAUSED"]
STATUSES: tuple[Status, ...] = ("ACTIVE", "PAUSED")
Field = Literal["daily_budget", "status"]
Result = Literal["applied", "refused", "failed"]

# The module a connector package holds its writer in, and the name it exports it under.
_PACKAGE = __name__.rpartition(".")[0]
WRITER_MODULE = "campaign_writer"
WRITER_ATTRIBUTE = "WRITER"

# ISO 4217 minor-unit exponents that are not 2 (the list's "minor unit" column).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
         "VND", "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


def minor_unit_exponent(currency: str) -> int:
    """Return the ISO 4217 minor-unit exponent of ``currency`` (USD 2, JPY 0, KWD 3)."""
    return _EXPONENTS.get(currency.upper(), 2)


class ChangeRefusedError(ConfigurationError):
    """A change the platform would refuse, caught before any call.

    Attributes:
        platform: the platform's name (``meta_ads``).
        account: the account of the change.
        entity_id: the entity of the change.
        amount: the daily budget asked for, if the amount is the problem.
        minimum: the platform's minimum in the change's currency, if that is the problem.

    """

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        account: str,
        entity_id: str,
        amount: Decimal | None = None,
        minimum: Decimal | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.account = account
        self.entity_id = entity_id
        self.amount = amount
        self.minimum = minimum


# Errors that are the platform's verdict on the change itself (the rest: it never got there).
_REFUSALS = (ChangeRefusedError, BadRequestError, NotFoundError, PermissionDeniedError)


@dataclass(frozen=True)
class CampaignChange:
    """One change to one entity: a new daily budget, a new status, or both.

    Attributes:
        account_id: the ad account, as the platform names it (``act_1001``, ``5550001001``).
        entity_id: the entity at ``level`` (for a Google ad: ``{ad_group_id}~{ad_id}``).
        level: what the entity is (``campaign``, ``ad_set``, ``campaign_budget``...).
        daily_budget: the new daily budget in major units of ``currency``.
        status: the new status.
        currency: upper-case ISO 4217 code of the account (required with a budget).

    Raises:
        ValueError: it changes nothing, names no entity, or has a status other than
            ``ACTIVE``/``PAUSED`` or a budget without a currency.
        TypeError: the budget is not a ``Decimal`` (a float would round on the way in).

    """

    account_id: str
    entity_id: str
    level: str
    daily_budget: Decimal | None = None
    status: Status | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        for name in ("account_id", "entity_id", "level"):
            if not str(getattr(self, name) or "").strip():
                raise ValueError(f"a campaign change needs its {name}")
        if self.daily_budget is None and self.status is None:
            raise ValueError(f"the change of {self.describe()} sets neither budget nor status")
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.daily_budget is not None and not isinstance(self.daily_budget, Decimal):
            raise TypeError(
                f"daily_budget must be a Decimal, got {type(self.daily_budget).__name__}"
            )
        if self.currency is not None:
            if not _CURRENCY.match(self.currency):
                raise ValueError(f"currency {self.currency!r} is not an ISO 4217 code")
            object.__setattr__(self, "currency", self.currency.upper())
        elif self.daily_budget is not None:
            raise ValueError(f"the budget of {self.describe()} needs the account's currency")

    @property
    def fields(self) -> tuple[Field, ...]:
        """The fields the change sets, budget first."""
        found: list[Field] = []
        if self.daily_budget is not None:
            found.append("daily_budget")
        if self.status is not None:
            found.append("status")
        return tuple(found)

    def describe(self) -> str:
        """Name the entity for messages: ``ad_set 123 (account act_1001)``."""
        return f"{self.level} {self.entity_id} (account {self.account_id})"


@dataclass(frozen=True)
class EntityState:
    """An entity's live budget and status, in the same terms as a change.

    Attributes:
        entity_id: the entity.
        level: its level.
        daily_budget: its daily budget in major units of ``currency``; None when the entity
            holds none (the budget is on its parent or children) or the level has none.
        status: ``ACTIVE``/``PAUSED``, or the platform's own word for anything else
            (``REMOVED``, ``ARCHIVED``...); None when the level has no status.
        currency: the account's currency.

    """

    entity_id: str
    level: str
    daily_budget: Decimal | None
    status: str | None
    currency: str | None


@dataclass(frozen=True)
class PreparedChange:
    """A change in the platform's own units, ready to send.

    Attributes:
        change: the change asked for.
        platform: the platform's name.
        daily_budget: the budget the platform will hold (the asked amount rounded down to the
            platform's step), in major units; None without a budget.
        native_budget: the same in the platform's unit (Meta minor units, Google micros,
            LinkedIn a decimal string).
        native_status: the status as the platform spells it (Google ``ENABLED``).
        step: the platform's smallest budget step in this currency (major units).

    """

    change: CampaignChange
    platform: str
    daily_budget: Decimal | None = None
    native_budget: int | str | None = None
    native_status: str | None = None
    step: Decimal | None = None

    @property
    def rounded(self) -> bool:
        """True when the budget sent differs from the budget asked for."""
        return self.daily_budget is not None and self.daily_budget != self.change.daily_budget

    @property
    def note(self) -> str:
        """Say how the amount was rounded (empty when it was not)."""
        if not self.rounded:
            return ""
        currency = self.change.currency
        return (
            f"{self.change.daily_budget} {currency} rounded down to {self.daily_budget} "
            f"{currency} ({self.platform} takes steps of {self.step} {currency})"
        )


@dataclass(frozen=True)
class ChangeOutcome:
    """What ``apply`` did with one change.

    Attributes:
        change: the change.
        result: ``applied``, ``refused`` or ``failed`` (see the module docstring).
        prepared: the change as sent; None when ``prepare`` refused it.
        reason: why it was refused or failed (the platform's message); the rounding note
            when it was applied with a rounded amount.
        error: the error behind a refusal or failure.
        applied_fields: the fields that took effect (all of them when applied; some may
            have landed before a later field failed).

    """

    change: CampaignChange
    result: Result
    prepared: PreparedChange | None = None
    reason: str = ""
    error: ConnectorError | None = None
    applied_fields: tuple[Field, ...] = ()

    @property
    def applied(self) -> bool:
        """True when the platform took the whole change."""
        return self.result == "applied"


class BudgetRules(ABC):
    """How one platform takes a daily budget and a status: levels, step, minimum, wire units.

    Subclasses set the class attributes and the unit conversions; :meth:`prepare` is shared.
    """

    platform: ClassVar[str]
    title: ClassVar[str]
    levels: ClassVar[Mapping[str, frozenset[Field]]]
    """Each level the platform writes, and the fields it takes there."""

    @abstractmethod
    def decimals(self, currency: str) -> int:
        """Return how many decimals of ``currency`` the platform takes (its step is 10**-n)."""

    @abstractmethod
    def minimum(self, currency: str) -> Decimal:
        """Return the smallest daily budget the platform takes, in major units."""

    def maximum(self, currency: str) -> Decimal | None:
        """Return the largest daily budget the platform's wire type holds, if it has one."""
        return None

    @abstractmethod
    def to_native(self, amount: Decimal, currency: str) -> int | str:
        """Return ``amount`` (already on the platform's step) in the platform's unit."""

    @abstractmethod
    def from_native(self, value: int | str, currency: str) -> Decimal:
        """Return a platform amount in major units (the inverse of :meth:`to_native`)."""

    def native_status(self, status: Status) -> str:
        """Return ``status`` as the platform spells it."""
        return status

    def neutral_status(self, native: str) -> str:
        """Return a platform status in neutral terms (unknown words pass through)."""
        return native

    def step(self, currency: str) -> Decimal:
        """Return the platform's smallest budget step in ``currency`` (major units)."""
        return Decimal(1).scaleb(-self.decimals(currency))

    def check_level(self, level: str) -> frozenset[Field]:
        """Return the fields ``level`` takes.

        Raises:
            ConfigurationError: the platform writes no such level.

        """
        fields = self.levels.get(level)
        if fields is None:
            known = ", ".join(self.levels)
            raise ConfigurationError(f"{self.title} has no level {level!r} (levels: {known})")
        return fields

    def prepare(self, change: CampaignChange) -> PreparedChange:
        """Convert ``change`` to the platform's units; pure (no call, no state).

        Raises:
            ChangeRefusedError: the platform would refuse it: an unknown level, a field the
                level does not take, an amount that is not a number, below the minimum or
                above what the wire type holds.

        """
        try:
            fields = self.check_level(change.level)
        except ConfigurationError as exc:
            raise self._refused(change, exc.message) from None
        missing = [f for f in change.fields if f not in fields]
        if missing:
            takes = " and ".join(sorted(fields))
            raise self._refused(
                change,
                f"{self.title} cannot set {' and '.join(missing)} on a {change.level} "
                f"({change.entity_id}); a {change.level} takes {takes}",
            )
        native_status = self.native_status(change.status) if change.status else None
        if change.daily_budget is None:
            return PreparedChange(change, self.platform, native_status=native_status)
        rounded = self.rounded_budget(change)
        return PreparedChange(
            change,
            self.platform,
            daily_budget=rounded,
            native_budget=self.to_native(rounded, str(change.currency)),
            native_status=native_status,
            step=self.step(str(change.currency)),
        )

    def rounded_budget(self, change: CampaignChange) -> Decimal:
        """Return the change's budget rounded down to the platform's step.

        Raises:
            ChangeRefusedError: not a number, below the minimum, above the maximum.

        """
        amount = change.daily_budget
        currency = str(change.currency)
        assert amount is not None
        if not amount.is_finite():
            raise self._refused(
                change, f"{self.title} cannot take a daily budget of {amount} {currency} "
                f"for {change.describe()}: not a number", amount=amount,
            )
        minimum = self.minimum(currency)
        maximum = self.maximum(currency)
        if maximum is not None and amount > maximum:
            raise self._refused(
                change, f"{self.title} cannot take a daily budget of {amount} {currency} "
                f"for {change.describe()}: the most it holds is {maximum} {currency}",
                amount=amount,
            )
        decimals = self.decimals(currency)
        # Enough precision for every integer digit: quantize never rounds the whole part.
        context = Context(prec=max(28, amount.adjusted() + decimals + 4))
        rounded = amount.quantize(Decimal(1).scaleb(-decimals), ROUND_DOWN, context)
        if rounded < minimum:
            shown = f"{amount} {currency}"
            if rounded != amount and amount >= 0:
                shown += f" (rounded down to {rounded})"
            raise self._refused(
                change, f"{self.title} refuses a daily budget of {shown} for "
                f"{change.describe()}: its minimum is {minimum} {currency}",
                amount=amount, minimum=minimum,
            )
        return rounded

    def _refused(
        self,
        change: CampaignChange,
        message: str,
        *,
        amount: Decimal | None = None,
        minimum: Decimal | None = None,
    ) -> ChangeRefusedError:
        return ChangeRefusedError(
            message, platform=self.platform, account=change.account_id,
            entity_id=change.entity_id, amount=amount, minimum=minimum,
        )


class CampaignWriter(Protocol):
    """Changes daily budgets and statuses on one platform (see the module docstring)."""

    @property
    def platform(self) -> str:
        """The platform's name (``meta_ads``)."""
        ...

    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read the live budget and status of ``entity_ids`` (those found) at ``level``."""
        ...

    def spend_today(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> SpendSoFar:
        """Read today's spend so far of ``entity_ids`` at ``level`` (the account's local day)."""
        ...

    def prepare(self, change: CampaignChange) -> PreparedChange:
        """Convert one change to the platform's units, or refuse it (no call)."""
        ...

    def apply(self, changes: Sequence[CampaignChange]) -> list[ChangeOutcome]:
        """Send the changes; one outcome per change, in order."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...

    def __enter__(self) -> CampaignWriter: ...

    def __exit__(self, *exc: object) -> None: ...


@dataclass(frozen=True)
class SpendSoFar:
    """Spend of entities from the start of the account's local day until the read.

    Attributes:
        account_id: the account.
        day: the account's local today.
        hour: local hours gone by at the read (``14.5`` is 14:30), in [0, 24).
        currency: the account's currency (``spend`` is in its major units).
        spend: entity id -> spend so far (0 for an entity without delivery today).

    """

    account_id: str
    day: date
    hour: float
    currency: str
    spend: Mapping[str, Decimal]


class ReportingConnector(Protocol):
    """What a writer reads through its connector besides its own write calls."""

    def now(self) -> datetime:
        """Return the connector's clock (aware UTC)."""
        ...

    def list_accounts(self) -> list[AccountInfo]:
        """Accounts the credentials can read."""
        ...

    def normalize_account_id(self, account_id: str) -> str:
        """Return the API's own form of an account id."""
        ...

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None,
        *, through_today: bool = False,
    ) -> StreamResult:
        """Read one stream of one account."""
        ...


C = TypeVar("C", bound=ReportingConnector)


class PlatformCampaignWriter(ABC, Generic[C]):
    """The shared part of every platform's writer: prepare, the currency check, outcomes.

    A platform's writer names its :class:`BudgetRules` and its ad-level daily report stream
    (``report_stream``, read for :meth:`spend_today`), and implements :meth:`current`,
    :meth:`read_currency` and :meth:`write` (one field of one prepared change), or
    :meth:`send` to send a batch its own way. :meth:`spend_key` maps a report row to the
    entity of a level (override it where a level is not a column of the report).

    Args:
        connector: the platform's connector (its write methods do the HTTP).

    """

    rules: ClassVar[BudgetRules]
    report_stream: ClassVar[str]
    report_keys: ClassVar[Mapping[str, str]]
    """Level -> the report row's column naming the level's entity."""

    def __init__(self, connector: C) -> None:
        self.connector = connector
        self._currencies: dict[str, str] = {}
        self._accounts: dict[str, AccountInfo] | None = None

    @property
    def platform(self) -> str:
        """The platform's name."""
        return self.rules.platform

    @abstractmethod
    def current(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> dict[str, EntityState]:
        """Read the live budget and status of ``entity_ids`` at ``level``.

        Entities the platform does not return are left out of the answer.

        Raises:
            ConfigurationError: the platform writes no such level.
            ConnectorError: the read failed.

        """

    @abstractmethod
    def read_currency(self, account: str) -> str:
        """Read the account's currency (ISO 4217, upper case)."""

    @abstractmethod
    def write(self, prepared: PreparedChange, field: Field) -> None:
        """Send one field of one prepared change (raises the connector's errors)."""

    def spend_today(
        self, account: str, entity_ids: Iterable[str], *, level: str
    ) -> SpendSoFar:
        """Read today's spend so far of ``entity_ids`` at ``level`` (the account's local day).

        One read of the report stream for today's partial day, summed per entity.

        Raises:
            ConfigurationError: the platform writes no such level, or the credentials do
                not reach the account.
            ConnectorError: the read failed.

        """
        self.rules.check_level(level)
        info = self.account_info(account)
        local = self.connector.now().astimezone(ZoneInfo(info.timezone))
        today = local.date()
        hour = (local - datetime.combine(today, time(), local.tzinfo)).total_seconds() / 3600
        wanted = {str(i) for i in entity_ids}
        spend = dict.fromkeys(sorted(wanted), Decimal(0))
        if wanted:
            key = self.spend_key(account, level)
            result = self.connector.read(self.report_stream, info, DateWindow(today, today),
                                         through_today=True)
            for row in result.all_rows():
                entity_id = key(row)
                if entity_id in spend:
                    spend[entity_id] += Decimal(row["spend"])
        return SpendSoFar(info.id, today, hour, self.account_currency(account), spend)

    def spend_key(self, account: str, level: str) -> Callable[[Mapping[str, Any]], str | None]:
        """Return the function naming a report row's entity at ``level`` (None: none).

        Raises:
            ConfigurationError: the report does not break spend down to ``level``.

        """
        column = self.report_keys.get(level)
        if column is None:
            raise ConfigurationError(
                f"{self.rules.title} reports no spend per {level}; "
                f"levels with spend: {', '.join(sorted(self.report_keys))}")
        return lambda row: None if row.get(column) is None else str(row[column])

    def account_info(self, account: str) -> AccountInfo:
        """Return the account as the connector lists it (its time zone among the rest).

        Raises:
            ConfigurationError: the credentials do not list the account.

        """
        if self._accounts is None:
            self._accounts = {a.id: a for a in self.connector.list_accounts()}
        found = self._accounts.get(self.connector.normalize_account_id(account))
        if found is None:
            raise ConfigurationError(
                f"{self.rules.title} account {account} is not among the accounts these "
                f"credentials read ({', '.join(sorted(self._accounts)) or 'none'})")
        return found

    def account_currency(self, account: str) -> str:
        """Return the account's currency, read once per writer."""
        if account not in self._currencies:
            self._currencies[account] = self.read_currency(account).upper()
        return self._currencies[account]

    def prepare(self, change: CampaignChange) -> PreparedChange:
        """Convert one change to the platform's units (see :meth:`BudgetRules.prepare`)."""
        return self.rules.prepare(change)

    def apply(self, changes: Sequence[CampaignChange]) -> list[ChangeOutcome]:
        """Prepare every change, check budgets against the account's currency, send the rest.

        A change refused by ``prepare`` costs no call; a budget in another currency than the
        account's is refused (it would be read in the wrong unit).
        """
        outcomes: dict[int, ChangeOutcome] = {}
        ready: list[tuple[int, PreparedChange]] = []
        for index, change in enumerate(changes):
            try:
                prepared = self.prepare(change)
            except ChangeRefusedError as exc:
                outcomes[index] = ChangeOutcome(change, "refused", None, exc.message, exc)
                continue
            mismatch = self._currency_problem(prepared)
            if mismatch is not None:
                outcomes[index] = mismatch
            else:
                ready.append((index, prepared))
        sent = self.send([prepared for _, prepared in ready])
        outcomes.update((index, outcome) for (index, _), outcome in zip(ready, sent, strict=True))
        return [outcomes[index] for index in range(len(changes))]

    def send(self, prepared: Sequence[PreparedChange]) -> list[ChangeOutcome]:
        """Send prepared changes one by one, each field in turn; one outcome per change."""
        return [self._send_one(p) for p in prepared]

    def close(self) -> None:
        """Close the connector."""
        close = getattr(self.connector, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> PlatformCampaignWriter[C]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send_one(self, prepared: PreparedChange) -> ChangeOutcome:
        done: list[Field] = []
        for field in prepared.change.fields:
            try:
                self.write(prepared, field)
            except ConnectorError as exc:
                return outcome_of_error(prepared, exc, tuple(done))
            done.append(field)
        return ChangeOutcome(
            prepared.change, "applied", prepared, prepared.note, applied_fields=tuple(done)
        )

    def _currency_problem(self, prepared: PreparedChange) -> ChangeOutcome | None:
        change = prepared.change
        if change.daily_budget is None:
            return None
        try:
            currency = self.account_currency(change.account_id)
        except ConnectorError as exc:
            return outcome_of_error(prepared, exc, ())
        if currency == change.currency:
            return None
        error = ChangeRefusedError(
            f"{self.rules.title} account {change.account_id} is in {currency}; the budget of "
            f"{change.describe()} is in {change.currency}",
            platform=self.platform, account=change.account_id, entity_id=change.entity_id,
            amount=change.daily_budget,
        )
        return ChangeOutcome(change, "refused", prepared, error.message, error)


def outcome_of_error(
    prepared: PreparedChange, error: ConnectorError, applied_fields: tuple[Field, ...]
) -> ChangeOutcome:
    """Return the outcome of a change that ``error`` stopped after ``applied_fields``."""
    result: Result = "refused" if isinstance(error, _REFUSALS) else "failed"
    reason = str(error)
    if applied_fields:
        reason += f" ({' and '.join(applied_fields)} already applied)"
    return ChangeOutcome(prepared.change, result, prepared, reason, error, applied_fields)


def writer_platforms() -> tuple[str, ...]:
    """Return the platforms whose connector package has a ``campaign_writer`` module."""
    package = importlib.import_module(_PACKAGE)
    return tuple(sorted(
        found.name for found in pkgutil.iter_modules(package.__path__)
        if found.ispkg and not found.name.startswith("_")
        and importlib.util.find_spec(f"{_PACKAGE}.{found.name}.{WRITER_MODULE}")
    ))


def writer_class(platform: str) -> type[PlatformCampaignWriter[Any]]:
    """Return the writer class of ``platform`` (its ``campaign_writer.WRITER``).

    Raises:
        ConfigurationError: the platform has no writer (the message names those that do).

    """
    if platform not in writer_platforms():
        known = ", ".join(sorted(writer_platforms()))
        raise ConfigurationError(
            f"no campaign writer for platform {platform!r} (platforms with one: {known})"
        )
    module = importlib.import_module(f"{_PACKAGE}.{platform}.{WRITER_MODULE}")
    return cast(type[PlatformCampaignWriter[Any]], getattr(module, WRITER_ATTRIBUTE))
