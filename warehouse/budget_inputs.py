"""The daily history a budget reallocation steers by, read from ``core`` and ``marts``.

One row set per **budget entity**, the node that holds a daily budget and that the platform's
campaign writer takes (``connectors/<platform>/campaign_writer.py``):

- a campaign whose ``core.campaigns.daily_budget`` is set holds the budget; otherwise each of
  its ad groups whose ``core.ad_groups.daily_budget`` is set does. Campaigns and ad groups
  without any daily budget (lifetime budgets, or nothing extracted) are no budget entity.
- levels, as the writers name them: Meta ``campaign`` (CBO) or ``ad_set``; Google
  ``campaign_budget`` (the entity id is ``google_ads.campaigns.budget_id``, the id Google's
  writer mutates; campaigns sharing one budget are one entity); LinkedIn ``campaign`` (a core
  ad group: LinkedIn campaigns live in ``core.ad_groups`` under their campaign groups), or
  ``campaign_group`` where the group holds the budget (LinkedIn's writer has no such level
  today: such an entity can be read, not written).

Units. ``core.*.daily_budget`` is an integer whose unit depends on the platform's core model:
Meta keeps Graph's minor units (the currency's ISO 4217 exponent: cents for USD, yen for
JPY); Google keeps ``micros / 10,000`` and LinkedIn ``major * 100``, i.e. hundredths of the
major unit whatever the currency. :attr:`BudgetEntity.daily_budget` is a ``Decimal`` in
**major units of the account currency** (``50.00`` for USD 50).

Money. Spend and value are in the **account currency** (``spend`` and ``conversion_value`` of
``core.ad_performance_daily``), the currency budgets are set in; the ``*_reporting`` columns
serve only to compare with attribution credit, which is in the reporting currency. The
view-through part of the platform-reported value (``view_conversion_value``, migration 018:
Meta's ``1d_view``) is read beside it, 0 where the platform does not report it.

Days. An entity's days run from the later of the window's first day and its first day with
any performance row, to the window's last loaded day of its account (its newest row date in
the window) when the entity is active, or to its own last row day when it is not (paused or
removed: trailing days without rows are not zero-spend days). Inside that span a day without
rows is a zero day (spend, conversions and value 0). An entity without any row up to ``end``,
or whose account has no row in the window, has no days (it is still listed, with its budget).

Value. ``value_source`` says what ``BudgetDay.value`` is. Without ``model`` it is the
platform-reported conversion value (``platform_reported``). With ``model``, the newest
attribution run of that model whose period overlaps the window
(``marts.attribution_campaign_latest``) calibrates it: ratio = the attributed value of the
entity's campaign(s) in the run's period / their platform-reported value in that same period
(both in the reporting currency), and each day's value is its platform-reported value times
the ratio (``attribution:<model>``). An entity falls back to ``platform_reported``, with the
reason in ``value_note``, where its campaigns have no credit row, where a credit row's spend
coverage is incomplete or unknown (``spend_complete`` false or NULL, migration 017), or where
their platform-reported value in the period is 0. An ad set or LinkedIn campaign takes its
campaign's (group's) ratio; a Google budget shared by campaigns takes theirs summed.

This module names platforms (``_PLATFORMS``): the levels and core budget units differ per
platform, and Google's budget id lives only in ``google_ads.campaigns``. A platform not in
that table is refused.

Errors (all :class:`BudgetInputError`, a :class:`~warehouse.errors.WarehouseError`): an
unknown platform, ``days < 1``, and no performance row of any asked platform in the window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from warehouse.errors import WarehouseError, translate_errors

__all__ = [
    "PLATFORM_REPORTED",
    "BudgetDay",
    "BudgetEntity",
    "BudgetHistory",
    "BudgetInputError",
    "attribution_models",
    "budget_platforms",
    "read_budget_history",
    "reporting_rates",
]

PLATFORM_REPORTED = "platform_reported"
_ACTIVE = frozenset({"ACTIVE", "ENABLED"})

_VALUE_STEP = Decimal("0.0001")  # calibrated values keep core's four decimals

# ISO 4217 exponents other than 2, as connectors.campaign_writes.minor_unit_exponent has them
# (the warehouse may not import connectors; the rest have 2).
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "CLF": 4, "UYW": 4,
}


class BudgetInputError(WarehouseError):
    """The budget history cannot be read as asked (unknown platform, bad window, no data)."""


@dataclass(frozen=True)
class _Platform:
    """How one platform's budgets sit in core.

    Attributes:
        campaign_level: the writer's level when a core campaign holds the budget.
        group_level: the writer's level when a core ad group holds it (None: never).
        core_unit: ``minor`` (ISO 4217 exponent) or ``hundredths`` (of the major unit).
        budget_ids_sql: native campaign id -> native budget id, where the writer takes a
            budget's own id rather than the campaign's.

    """

    campaign_level: str
    group_level: str | None
    core_unit: str
    budget_ids_sql: str | None = None


_PLATFORMS: dict[str, _Platform] = {
    "meta_ads": _Platform("campaign", "ad_set", "minor"),
    "google_ads": _Platform(
        "campaign_budget", None, "hundredths",
        "SELECT account_id, campaign_id, budget_id FROM google_ads.campaigns "
        "WHERE budget_id IS NOT NULL"),
    "linkedin_ads": _Platform("campaign_group", "campaign", "hundredths"),
}


def budget_platforms() -> tuple[str, ...]:
    """Return the platforms whose budget entities this module can read."""
    return tuple(sorted(_PLATFORMS))


@dataclass(frozen=True)
class BudgetDay:
    """One day of a budget entity, in the account currency.

    Attributes:
        date: the day.
        spend: spend of the day (0 on a day without rows inside the entity's span).
        conversions: platform-reported conversions.
        value: the value the entity's ``value_source`` names (calibrated or platform-reported).
        platform_value: the platform-reported conversion value, uncalibrated.
        view_value: the view-through part of ``platform_value`` (0 where unknown: platforms
            that report no such split, rows loaded before migration 018).

    """

    date: date
    spend: Decimal
    conversions: Decimal
    value: Decimal
    platform_value: Decimal
    view_value: Decimal = Decimal(0)


@dataclass(frozen=True)
class BudgetEntity:
    """A node holding a daily budget, with its daily history.

    Attributes:
        platform: ``meta_ads``, ``google_ads``, ``linkedin_ads``.
        account_id: the core account id (``meta_ads:act_1001``).
        native_account_id: the account id as the platform (and its writer) names it.
        level: the writer's level (``campaign``, ``ad_set``, ``campaign_budget``, ...).
        entity_id: the native id the writer takes at that level.
        core_ids: the core campaign or ad group id(s) whose rows make the history.
        campaign_ids: the core campaign id(s) the entity belongs to.
        name: the entity's name (a Google budget: its campaigns' names joined by `` + ``).
        currency: the account currency (of budget, spend and value).
        daily_budget: the current daily budget as stored in core, major units (None: unset).
        status: the stored status, ``ENABLED`` read as ``ACTIVE``.
        attribution_keys: the ``campaign`` values of the attribution marts it maps to (its
            campaigns' core ids and names).
        value_source: ``platform_reported`` or ``attribution:<model>``.
        value_note: why the value is platform-reported, or the ratio's evidence.
        calibration: attributed ÷ platform-reported value in the run's period (None: not
            calibrated).
        days: the daily history, oldest first (see the module docstring for the span).

    """

    platform: str
    account_id: str
    native_account_id: str
    level: str
    entity_id: str
    core_ids: tuple[str, ...]
    campaign_ids: tuple[str, ...]
    name: str | None
    currency: str | None
    daily_budget: Decimal | None
    status: str | None
    attribution_keys: tuple[str, ...]
    value_source: str
    value_note: str | None
    calibration: Decimal | None
    days: tuple[BudgetDay, ...] = field(default=())

    @property
    def key(self) -> tuple[str, str, str]:
        """``(platform, level, entity_id)``: unique within a history."""
        return (self.platform, self.level, self.entity_id)

    @property
    def spend(self) -> Decimal:
        """Total spend over the entity's days."""
        return sum((d.spend for d in self.days), Decimal(0))

    @property
    def value(self) -> Decimal:
        """Total value (per ``value_source``) over the entity's days."""
        return sum((d.value for d in self.days), Decimal(0))


@dataclass(frozen=True)
class BudgetHistory:
    """Budget entities of some platforms over a window of days.

    Attributes:
        start: first day of the window.
        end: last day of the window (inclusive).
        model: the attribution model asked for, if any.
        attribution_run_id: the run that calibrated values (None: none found or none asked).
        attribution_period: that run's ``(period_start, period_end)``.
        entities: the entities, ordered by platform, account, level and entity id.
        platforms_without_data: asked platforms with no performance row in the window.

    """

    start: date
    end: date
    model: str | None
    attribution_run_id: str | None
    attribution_period: tuple[date, date] | None
    entities: tuple[BudgetEntity, ...]
    platforms_without_data: tuple[str, ...] = ()

    def entity(self, platform: str, entity_id: str, level: str | None = None) -> BudgetEntity:
        """Return the entity of `platform` with `entity_id` (and `level`); KeyError if absent."""
        for e in self.entities:
            if e.platform == platform and e.entity_id == entity_id and level in (None, e.level):
                return e
        raise KeyError((platform, level, entity_id))


def read_budget_history(
    con: duckdb.DuckDBPyConnection,
    *,
    platforms: Sequence[str],
    end: date,
    days: int = 28,
    model: str | None = None,
) -> BudgetHistory:
    """Read every budget entity of `platforms` with its daily history over `days` to `end`.

    Args:
        con: an open warehouse connection (``Warehouse.con``); only read.
        platforms: ad platforms to read (see :func:`budget_platforms`).
        end: the window's last day (inclusive).
        days: the window's length in days (at least 1).
        model: an attribution model label (``linear``, ``markov_order_2``) whose newest run
            overlapping the window calibrates the value; None reads platform-reported value.

    Returns:
        The entities and their days; see the module docstring for the rules.

    Raises:
        BudgetInputError: an unknown platform, ``days < 1``, or no performance row of any of
            `platforms` in the window (the message names the platforms and the days).

    """
    unknown = sorted(set(platforms) - set(_PLATFORMS))
    if unknown:
        raise BudgetInputError(
            f"no budget entities known for platform(s) {unknown}; known: {budget_platforms()}")
    if not platforms:
        raise BudgetInputError("no platforms asked for")
    if days < 1:
        raise BudgetInputError(f"days must be at least 1, got {days}")
    asked = tuple(sorted(set(platforms)))
    start = end - timedelta(days=days - 1)
    with translate_errors(BudgetInputError, "read budget history"):
        present = _platforms_with_data(con, asked, start, end)
        if not present:
            raise BudgetInputError(
                f"no rows in core.ad_performance_daily for {', '.join(asked)} between "
                f"{start} and {end}: nothing to budget on (extract those platforms first)")
        drafts = _entities(con, asked)
        _attach_days(con, drafts, asked, start, end)
        run = _attribution_run(con, model, start, end) if model else None
        entities = tuple(_finish(con, d, model, run) for d in drafts)
    return BudgetHistory(
        start=start, end=end, model=model,
        attribution_run_id=run[0] if run else None,
        attribution_period=(run[1], run[2]) if run else None,
        entities=entities,
        platforms_without_data=tuple(p for p in asked if p not in present),
    )


def attribution_models(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """Return the model labels the attribution marts hold credit for (``markov_order_2``...)."""
    with translate_errors(BudgetInputError, "read attribution model labels"):
        rows = con.execute(
            "SELECT DISTINCT model FROM marts.attribution_campaign_latest ORDER BY 1").fetchall()
    return tuple(str(r[0]) for r in rows)


def reporting_rates(
    con: duckdb.DuckDBPyConnection, currencies: Sequence[str], day: date, reporting: str,
) -> dict[str, Decimal]:
    """Return, per currency, how many units of ``reporting`` one unit of it is worth on ``day``.

    Read from ``core.fx_rates`` (the newest rate valid on ``day``), the table the core models
    convert spend with, so budgets are compared in the same money as the reports.

    Raises:
        BudgetInputError: a currency (or ``reporting``) has no rate valid on ``day``.

    """
    wanted = sorted({c.upper() for c in currencies} | {reporting.upper()})
    with translate_errors(BudgetInputError, "read fx rates"):
        rows = con.execute(
            "SELECT currency, arg_max(rate_to_usd, valid_from) FROM core.fx_rates "
            "WHERE currency IN (SELECT unnest($c)) AND valid_from <= $d GROUP BY currency",
            {"c": wanted, "d": day}).fetchall()
    to_usd = {str(c): Decimal(r) for c, r in rows}
    missing = [c for c in wanted if c not in to_usd or to_usd[c] <= 0]
    if missing:
        raise BudgetInputError(
            f"no rate in core.fx_rates valid on {day} for {', '.join(missing)}: budgets in "
            "those currencies cannot be compared (load the rates and re-run)")
    base = to_usd[reporting.upper()]
    return {c: to_usd[c] / base for c in wanted}


# -- entities ---------------------------------------------------------------------------------


@dataclass
class _Draft:
    platform: str
    account_id: str
    native_account_id: str
    level: str
    entity_id: str
    holder: str  # "campaign" or "ad_group": which core column its rows aggregate on
    core_ids: list[str]
    campaign_ids: list[str]
    names: list[str | None]
    campaign_names: list[str]
    currency: str | None
    daily_budget: Decimal | None
    statuses: list[str | None]
    days: list[tuple[date, Decimal, Decimal, Decimal, Decimal]] = field(default_factory=list)


_ENTITY_SQL = """
WITH acc AS (
    SELECT platform, account_id, any_value(native_account_id) AS native_account_id,
           any_value(currency) AS currency
    FROM core.accounts WHERE platform IN (SELECT unnest($platforms)) GROUP BY ALL
), cam AS (
    SELECT * FROM core.campaigns WHERE platform IN (SELECT unnest($platforms))
)
SELECT 'campaign' AS holder, c.platform, c.account_id, a.native_account_id, a.currency,
       c.campaign_id AS core_id, c.native_campaign_id AS native_id, c.campaign_id,
       c.name, c.name AS campaign_name, c.status, c.daily_budget
FROM cam AS c LEFT JOIN acc AS a USING (platform, account_id)
WHERE c.daily_budget IS NOT NULL
UNION ALL
SELECT 'ad_group', g.platform, g.account_id, a.native_account_id, a.currency,
       g.ad_group_id, g.native_ad_group_id, g.campaign_id, g.name, c.name, g.status,
       g.daily_budget
FROM core.ad_groups AS g
LEFT JOIN cam AS c ON c.platform = g.platform AND c.campaign_id = g.campaign_id
LEFT JOIN acc AS a ON a.platform = g.platform AND a.account_id = g.account_id
WHERE g.platform IN (SELECT unnest($platforms)) AND g.daily_budget IS NOT NULL
  AND c.daily_budget IS NULL
ORDER BY 2, 3, 1, 6
"""


def _major(platform: str, stored: int, currency: str | None) -> Decimal:
    """Read a core ``daily_budget`` integer as major units of the account currency."""
    if _PLATFORMS[platform].core_unit == "minor":
        return Decimal(stored).scaleb(-_EXPONENTS.get((currency or "").upper(), 2))
    return Decimal(stored).scaleb(-2)


def _entities(con: duckdb.DuckDBPyConnection, platforms: tuple[str, ...]) -> list[_Draft]:
    budget_ids: dict[tuple[str, str, str], str] = {}
    for platform in platforms:
        sql = _PLATFORMS[platform].budget_ids_sql
        if sql:
            for account, campaign, budget in con.execute(sql).fetchall():
                budget_ids[(platform, str(account), str(campaign))] = str(budget)
    drafts: dict[tuple[str, str, str, str], _Draft] = {}
    rows = con.execute(_ENTITY_SQL, {"platforms": list(platforms)}).fetchall()
    for (holder, platform, account_id, native_account, currency, core_id, native_id,
         campaign_id, name, campaign_name, status, stored) in rows:
        spec = _PLATFORMS[platform]
        native_account = native_account or account_id.split(":", 1)[-1]
        if holder == "campaign":
            level, entity_id = spec.campaign_level, native_id
            budget_id = budget_ids.get((platform, native_account, native_id))
            if spec.budget_ids_sql is not None:
                # the writer takes the budget's id; without one the campaign stands alone
                level, entity_id = (level, budget_id) if budget_id else ("campaign", native_id)
        else:
            if spec.group_level is None:
                continue
            level, entity_id = spec.group_level, native_id
        key = (platform, account_id, level, entity_id)
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = _Draft(
                platform, account_id, native_account, level, entity_id, holder, [], [], [], [],
                currency, _major(platform, stored, currency), [])
        draft.core_ids.append(core_id)
        if campaign_id not in draft.campaign_ids:
            draft.campaign_ids.append(campaign_id)
        draft.names.append(name)
        if campaign_name:
            draft.campaign_names.append(campaign_name)
        draft.statuses.append(status)
    return [drafts[k] for k in sorted(drafts)]


# -- days -------------------------------------------------------------------------------------


def _platforms_with_data(
    con: duckdb.DuckDBPyConnection, platforms: tuple[str, ...], start: date, end: date
) -> set[str]:
    rows = con.execute(
        "SELECT DISTINCT platform FROM core.ad_performance_daily "
        "WHERE platform IN (SELECT unnest($p)) AND date BETWEEN $s AND $e",
        {"p": list(platforms), "s": start, "e": end}).fetchall()
    return {r[0] for r in rows}


_DAILY_SQL = """
SELECT platform, account_id, {col} AS core_id, date,
       sum(coalesce(spend, 0)), sum(coalesce(conversions, 0)), sum(coalesce(conversion_value, 0)),
       sum(coalesce(view_conversion_value, 0))
FROM core.ad_performance_daily
WHERE platform IN (SELECT unnest($p)) AND date BETWEEN $s AND $e AND {col} IS NOT NULL
GROUP BY ALL
"""

_FIRST_SQL = """
SELECT platform, {col}, min(date) FROM core.ad_performance_daily
WHERE platform IN (SELECT unnest($p)) AND date <= $e AND {col} IS NOT NULL GROUP BY ALL
"""


def _attach_days(
    con: duckdb.DuckDBPyConnection, drafts: list[_Draft], platforms: tuple[str, ...],
    start: date, end: date,
) -> None:
    params = {"p": list(platforms), "s": start, "e": end}
    horizon = dict(((p, a), d) for p, a, d in con.execute(
        "SELECT platform, account_id, max(date) FROM core.ad_performance_daily "
        "WHERE platform IN (SELECT unnest($p)) AND date BETWEEN $s AND $e GROUP BY ALL",
        params).fetchall())
    daily: dict[str, dict[tuple[str, str], dict[date, tuple[Decimal, ...]]]] = {}
    first: dict[str, dict[tuple[str, str], date]] = {}
    for holder, col in (("campaign", "campaign_id"), ("ad_group", "ad_group_id")):
        by_id: dict[tuple[str, str], dict[date, tuple[Decimal, ...]]] = defaultdict(dict)
        for platform, _, core_id, day, *sums in con.execute(
                _DAILY_SQL.format(col=col), params).fetchall():
            by_id[(platform, core_id)][day] = tuple(sums)
        daily[holder] = by_id
        first[holder] = {(p, i): d for p, i, d in con.execute(
            _FIRST_SQL.format(col=col), {"p": list(platforms), "e": end}).fetchall()}
    zero = Decimal(0)
    for draft in drafts:
        merged: dict[date, list[Decimal]] = defaultdict(lambda: [zero] * 4)
        firsts: list[date] = []
        for core_id in draft.core_ids:
            for day, amounts in daily[draft.holder].get((draft.platform, core_id), {}).items():
                merged[day] = [a + b for a, b in zip(merged[day], amounts, strict=True)]
            if (draft.platform, core_id) in first[draft.holder]:
                firsts.append(first[draft.holder][(draft.platform, core_id)])
        last_loaded = horizon.get((draft.platform, draft.account_id))
        if not firsts or last_loaded is None:
            continue
        span_start = max(start, min(firsts))
        active = any((s or "").upper() in _ACTIVE for s in draft.statuses)
        span_end = last_loaded if active else max(merged, default=None)
        if span_end is None or span_end < span_start:
            continue
        day = span_start
        while day <= span_end:
            spend, conv, value, view = merged.get(day, (zero,) * 4)
            draft.days.append((day, Decimal(spend), Decimal(conv), Decimal(value), Decimal(view)))
            day += timedelta(days=1)


# -- attribution ------------------------------------------------------------------------------


def _attribution_run(
    con: duckdb.DuckDBPyConnection, model: str, start: date, end: date
) -> tuple[str, date, date] | None:
    """Return the newest run of `model` whose period overlaps the window (latest end first)."""
    row = con.execute(
        "SELECT DISTINCT run_id, period_start, period_end, built_at "
        "FROM marts.attribution_campaign_latest "
        "WHERE model = $m AND period_start <= $e AND period_end >= $s "
        "ORDER BY period_end DESC, built_at DESC, run_id DESC LIMIT 1",
        {"m": model, "s": start, "e": end}).fetchone()
    return None if row is None else (str(row[0]), row[1], row[2])


def _calibration(
    con: duckdb.DuckDBPyConnection, draft: _Draft, model: str,
    run: tuple[str, date, date] | None,
) -> tuple[Decimal | None, str]:
    """Return (ratio, note): the ratio is None where the value falls back, the note says why."""
    if run is None:
        return None, f"no attribution run of model {model!r} overlaps the window"
    run_id, period_start, period_end = run
    keys = _keys(draft)
    credit = con.execute(
        "SELECT campaign, value, spend_complete, roas_note FROM marts.attribution_campaign_latest "
        "WHERE run_id = $r AND model = $m AND channel = $c AND campaign IN (SELECT unnest($k))",
        {"r": run_id, "m": model, "c": draft.platform, "k": list(keys)}).fetchall()
    if not credit:
        return None, (f"no {model} credit for campaign(s) {', '.join(keys)} in run {run_id} "
                      f"({period_start}..{period_end})")
    incomplete = [r for r in credit if r[2] is not True]
    if incomplete:
        campaign, _, complete, note = incomplete[0]
        why = ("spend coverage unknown (run built before migration 017)" if complete is None
               else f"spend coverage incomplete: {note or 'spend misses days of the period'}")
        return None, f"{why} (campaign {campaign}, run {run_id})"
    attributed = sum((Decimal(r[1]) for r in credit), Decimal(0))
    reported = con.execute(
        "SELECT sum(coalesce(conversion_value_reporting, 0)) FROM core.ad_performance_daily "
        "WHERE platform = $p AND campaign_id IN (SELECT unnest($c)) AND date BETWEEN $s AND $e",
        {"p": draft.platform, "c": draft.campaign_ids, "s": period_start, "e": period_end},
    ).fetchone()
    platform_value = Decimal(reported[0]) if reported and reported[0] is not None else Decimal(0)
    if platform_value <= 0:
        return None, (f"platform-reported value of campaign(s) {', '.join(draft.campaign_ids)} "
                      f"is 0 in {period_start}..{period_end}: no ratio")
    ratio = attributed / platform_value
    return ratio, (f"{model} credit {attributed:.2f} / platform-reported {platform_value:.2f} "
                   f"(reporting currency, {period_start}..{period_end}, run {run_id})")


def _keys(draft: _Draft) -> tuple[str, ...]:
    """Marts name a campaign by its core id or by the name touches carry: both."""
    return tuple(dict.fromkeys([*draft.campaign_ids, *draft.campaign_names]))


def _finish(
    con: duckdb.DuckDBPyConnection, draft: _Draft, model: str | None,
    run: tuple[str, date, date] | None,
) -> BudgetEntity:
    ratio: Decimal | None = None
    if model is None:
        note: str | None = "no attribution model asked for"
    else:
        ratio, note = _calibration(con, draft, model, run)
    source = PLATFORM_REPORTED if ratio is None else f"attribution:{model}"
    days = tuple(
        BudgetDay(day, spend, conv,
                  value if ratio is None else (value * ratio).quantize(_VALUE_STEP), value, view)
        for day, spend, conv, value, view in draft.days)
    names = [n for n in draft.names if n]
    statuses = [(s or "").upper() for s in draft.statuses]
    status = ("ACTIVE" if any(s in _ACTIVE for s in statuses)
              else next((s for s in statuses if s), None))
    return BudgetEntity(
        platform=draft.platform, account_id=draft.account_id,
        native_account_id=draft.native_account_id, level=draft.level,
        entity_id=draft.entity_id, core_ids=tuple(draft.core_ids),
        campaign_ids=tuple(draft.campaign_ids),
        name=" + ".join(names) if names else None, currency=draft.currency,
        daily_budget=draft.daily_budget, status=status, attribution_keys=_keys(draft),
        value_source=source, value_note=note, calibration=ratio, days=days)
