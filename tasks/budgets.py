"""The budget reallocation's steps between the warehouse, the allocator and the change ledger.

- :func:`read_budget_inputs` reads the budget entities' daily history, the attribution model's
  calibration and the fx rates in one warehouse open.
- :func:`select_pool` picks the entities a run may move (its pool, less exclusions), refusing
  a name that matches nothing.
- :func:`entity_states` turns them into the allocator's states in the **reporting currency**
  (so a fixed total can be shared across accounts in different currencies): a response curve
  fitted per entity and shrunk toward its platform's pooled return, the platform's minimum,
  the last applied change from the ledger (cooldown). A platform-reported value counts its
  view-through part at ``view_through_weight`` (0: click-through value only), so a campaign
  whose reported return rests on impressions nobody clicked does not draw the money.
- :func:`plan_intents` turns the plan's moved lines back into account-currency amounts the
  writer takes (rounded to the platform's step) and into ledger intents, each marked as
  inside the auto-apply policy or needing a person.

Nothing here writes to a platform: the flow applies through ``tasks.apply_changes``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from connectors.campaign_writes import BudgetRules, writer_class, writer_platforms
from connectors.errors import ConfigurationError
from marketing.budgets.curves import FitSettings, fit_curves
from marketing.budgets.guardrails import EntityState, PlatformLimits, to_platform
from marketing.budgets.plan import BudgetPlan
from resources.environment import Environment
from store import changes
from store.changes import IntentRow, NewIntent, NewPlan
from tasks.writer import open_warehouse
from warehouse.budget_inputs import (
    PLATFORM_REPORTED,
    BudgetDay,
    BudgetEntity,
    BudgetHistory,
    attribution_models,
    budget_platforms,
    read_budget_history,
    reporting_rates,
)

__all__ = [
    "BUDGET_PLAN_KIND",
    "PACING_PLAN_KIND",
    "BudgetInputs",
    "BudgetRunError",
    "PoolEntity",
    "applied_changes",
    "budget_platforms",
    "entity_states",
    "grid_step",
    "is_pacing",
    "last_budget_changes",
    "month_spend",
    "new_plan",
    "plan_intents",
    "plan_key",
    "read_budget_inputs",
    "resolve_model",
    "select_pool",
    "view_weight",
]

BUDGET_PLAN_KIND = "budgets"
PACING_PLAN_KIND = "pacing"
"""Hourly pacing trims and restores: intraday corrections, never counted as changes."""
CENT = Decimal("0.01")


class BudgetRunError(ValueError):
    """A reallocation cannot plan as asked; the message names the parameter or the entity."""


@dataclass(frozen=True)
class BudgetInputs:
    """What one run steers by: the history, the model it was calibrated with, fx rates."""

    history: BudgetHistory
    model: str | None
    rates: Mapping[str, Decimal]
    reporting_currency: str
    fit_start: date
    """The first day the curves are fitted on (the history may reach further back, to the
    start of the month, for month pacing)."""


@dataclass(frozen=True)
class PoolEntity:
    """One entity a run may move, with its platform's budget rules and its fx rate."""

    entity: BudgetEntity
    rules: BudgetRules
    rate: Decimal
    excluded: bool

    @property
    def key(self) -> str:
        """The id the plan and its table show: ``platform:level:entity id``."""
        e = self.entity
        return f"{e.platform}:{e.level}:{e.entity_id}"

    @property
    def currency(self) -> str:
        """The account currency the budget is set in."""
        return (self.entity.currency or "").upper()

    def account_limits(self) -> PlatformLimits:
        """Return the platform's minimum, step and maximum in the account currency."""
        return PlatformLimits(self.rules.minimum(self.currency), self.rules.step(self.currency),
                              self.rules.maximum(self.currency))


def resolve_model(name: str | None, labels: Sequence[str]) -> str | None:
    """Return the marts' label for model ``name`` (``markov`` -> ``markov_order_2``).

    Raises:
        BudgetRunError: no label (or more than one) matches; the message lists the labels.

    """
    if name is None:
        return None
    if name in labels:
        return name
    found = [label for label in labels if label.startswith(f"{name}_")]
    if len(found) == 1:
        return found[0]
    known = ", ".join(labels) or "none: run the attribution report first"
    why = "matches several labels" if found else "has no attribution credit"
    raise BudgetRunError(f"attribution_model {name!r} {why} (labels in the marts: {known})")


AOV_DAYS = 90
"""Days read back for an entity's value per conversion (curves are fitted on fewer)."""


def read_budget_inputs(
    environment: Environment, *, platforms: Sequence[str], end: date, days: int,
    model: str | None,
) -> BudgetInputs:
    """Read the history of `platforms` over `days` to `end`, calibrated by `model`.

    The window is widened to the start of ``end``'s month, so month pacing sees the month's
    spend, and to ``AOV_DAYS``, over which each entity's value per conversion is averaged.
    Raises BudgetRunError when `model` has no credit in the marts, and the warehouse's
    ``BudgetInputError`` when nothing was extracted for the window.
    """
    with open_warehouse(environment) as wh:
        label = resolve_model(model, attribution_models(wh.con)) if model else None
        history = read_budget_history(wh.con, platforms=platforms, end=end,
                                      days=max(days, end.day, AOV_DAYS), model=label)
        currencies = sorted({(e.currency or "").upper() for e in history.entities
                             if e.currency})
        rates = reporting_rates(wh.con, currencies, end, environment.reporting_currency)
    return BudgetInputs(history, label, rates, environment.reporting_currency.upper(),
                        end - timedelta(days=days - 1))


def month_spend(pool: Sequence[PoolEntity], end: date) -> Decimal:
    """Return the pool's spend from the first of ``end``'s month to ``end``, reporting currency."""
    start = end.replace(day=1)
    return sum((d.spend * p.rate for p in pool for d in p.entity.days
                if start <= d.date <= end), Decimal(0)).quantize(CENT)


def _matches(entity: BudgetEntity, ref: str) -> bool:
    ref = ref.strip()
    names = {entity.entity_id, f"{entity.platform}:{entity.entity_id}",
             f"{entity.platform}:{entity.level}:{entity.entity_id}",
             *entity.core_ids, *entity.campaign_ids}
    return ref in names


def select_pool(
    inputs: BudgetInputs, *, pool: Sequence[str] | None, exclude: Sequence[str],
) -> tuple[list[PoolEntity], list[str]]:
    """Return the writable, active entities with a budget in the pool, and notes on the rest.

    ``pool`` and ``exclude`` name entities by native id, ``platform:id``, a core campaign or
    ad group id (``meta_ads:123``): excluded entities stay in the plan, held with their reason.

    Raises:
        BudgetRunError: a name in `pool` or `exclude` matches no budget entity.

    """
    entities = inputs.history.entities
    for name, refs in (("pool", pool or ()), ("exclude", exclude)):
        unknown = [r for r in refs if not any(_matches(e, r) for e in entities)]
        if unknown:
            raise BudgetRunError(
                f"{name} names {len(unknown)} unknown campaign(s) or budget(s): "
                f"{', '.join(unknown[:10])} (no budget entity of "
                f"{', '.join(sorted({e.platform for e in entities}))} has that id)")
    chosen: list[PoolEntity] = []
    notes: list[str] = []
    writable = set(writer_platforms())
    for e in entities:
        if pool and not any(_matches(e, r) for r in pool):
            continue
        label = f"{e.platform} {e.level} {e.entity_id}"
        if e.daily_budget is None or e.status != "ACTIVE":
            if pool:
                notes.append(f"{label}: not active with a daily budget, left out")
            continue
        if e.platform not in writable:
            notes.append(f"{label}: {e.platform} has no campaign writer, left out")
            continue
        rules = writer_class(e.platform).rules
        try:
            rules.check_level(e.level)
        except ConfigurationError as exc:
            notes.append(f"{label}: not writable ({exc}), left out")
            continue
        currency = (e.currency or "").upper()
        chosen.append(PoolEntity(e, rules, inputs.rates[currency],
                                 excluded=any(_matches(e, r) for r in exclude)))
    return chosen, notes


def is_pacing(intent: IntentRow) -> bool:
    """Return whether an intent is an hourly pacing trim or restore (not a reallocation)."""
    return intent.intent_key.startswith(f"{PACING_PLAN_KIND}:")


def applied_changes(engine: Engine) -> list[IntentRow]:
    """Return every applied (or since reverted) daily-budget change in the ledger.

    Pacing's intraday trims and their restores are not changes of the plan: left out, so they
    start no cooldown and are never verified.
    """
    return [i for status in ("applied", "reverted")
            for i in changes.list_intents(engine, status=status)
            if i.field == "daily_budget" and i.finished_at is not None and not is_pacing(i)]


def last_budget_changes(engine: Engine) -> dict[tuple[str, str], datetime]:
    """Return when each entity's daily budget was last changed through the ledger."""
    last: dict[tuple[str, str], datetime] = {}
    for intent in applied_changes(engine):
        assert intent.finished_at is not None
        key = (intent.platform, intent.entity_id)
        if key not in last or intent.finished_at > last[key]:
            last[key] = intent.finished_at
    return last


def view_weight(entity: BudgetEntity, view_through_weight: float) -> float | None:
    """Return the weight the entity's view-through value is counted at, None if not weighed.

    Only a platform-reported value holds view-throughs; an attribution-calibrated one is
    credited from clicks and sessions and has none to weigh.
    """
    return view_through_weight if entity.value_source == PLATFORM_REPORTED else None


def _steering_value(day: BudgetDay, weight: float | None) -> Decimal:
    """Return the day's value less the unweighted share of its view-through part (>= 0)."""
    if weight is None:
        return day.value
    return max(Decimal(0), day.value - (1 - Decimal(str(weight))) * day.view_value)


def _order_value(entity: BudgetEntity, weight: float | None) -> Decimal | None:
    """Return the entity's value per conversion over all its days read, None without any."""
    conversions = sum((d.conversions for d in entity.days), Decimal(0))
    if conversions <= 0:
        return None
    return sum((_steering_value(d, weight) for d in entity.days), Decimal(0)) / conversions


def _frame(entity: BudgetEntity, rate: Decimal, value: str, since: date,
           view_through_weight: float = 0.0) -> pd.DataFrame:
    """Return the rows a curve is fitted on: the days from ``since``, reporting currency.

    In value modes each day's value is its conversions times the entity's value per
    conversion over every day read (``AOV_DAYS``): the order values' own scatter is noise
    for a curve of spend. On the simulated market (bench/steering_replay.py, seeds 1-10,
    weekday multipliers off) the median captured uplift was 0.817 on the reported value,
    0.824 with a window-long average and 0.849 with every day read. A value without
    conversions is kept as it is.
    """
    weight = view_weight(entity, view_through_weight)
    per_conversion = None if value == "conversions" else _order_value(entity, weight)
    rows = []
    for d in entity.days:
        if d.date < since:
            continue
        if value == "conversions":
            amount = d.conversions
        elif per_conversion is not None:
            amount = d.conversions * per_conversion * rate
        else:
            amount = _steering_value(d, weight) * rate
        rows.append({"day": pd.Timestamp(d.date), "spend": float(d.spend * rate),
                     "value": float(amount), "conversions": float(d.conversions)})
    return pd.DataFrame(rows, columns=["day", "spend", "value", "conversions"])


def entity_states(
    pool: Sequence[PoolEntity], *, value: str, last_changes: Mapping[tuple[str, str], datetime],
    since: date, settings: FitSettings | None = None, view_through_weight: float = 0.0,
) -> list[EntityState]:
    """Return each pool entity's allocator state, money in the reporting currency.

    ``value`` is ``value`` (ROAS modes: the calibrated value) or ``conversions`` (CPA mode);
    curves are fitted on the days from ``since``, with day-of-week multipliers shared by each
    platform's entities (:func:`marketing.budgets.curves.fit_curves`).
    ``view_through_weight`` (0..1) is how much of a platform-reported value's view-through
    part counts: each day's value is ``value - (1 - weight) * view_value``, never below 0
    (see :func:`view_weight`; a calibrated value is left as it is).
    A platform's pooled return (its entities' value over spend) is the prior thin entities
    shrink toward.
    """
    frames = {p.key: _frame(p.entity, p.rate, value, since, view_through_weight)
              for p in pool}
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for p in pool:
        frame = frames[p.key]
        totals[p.entity.platform][0] += float(frame["value"].sum())
        totals[p.entity.platform][1] += float(frame["spend"].sum())
    pooled = {platform: (v / s if s > 0 else None) for platform, (v, s) in totals.items()}
    curves = fit_curves(frames, channels={p.key: p.entity.platform for p in pool},
                        pooled_roas=pooled, settings=settings)
    states = []
    for p in pool:
        curve = curves[p.key]
        limits = p.account_limits()
        assert p.entity.daily_budget is not None
        last = last_changes.get((p.entity.platform, p.entity.entity_id))
        states.append(EntityState(
            entity_id=p.key, platform=p.entity.platform,
            current=(p.entity.daily_budget * p.rate).quantize(CENT),
            curve=curve,
            limits=PlatformLimits(
                (limits.minimum * p.rate).quantize(CENT, ROUND_CEILING), CENT,
                None if limits.maximum is None
                else (limits.maximum * p.rate).quantize(CENT, ROUND_FLOOR)),
            last_changed_at=last, excluded=p.excluded))
    return states


def grid_step(states: Sequence[EntityState]) -> Decimal:
    """Return the allocator's grid step: about 1/2,000 of the pool, a cent to 1 unit."""
    pool = sum((s.current for s in states), Decimal(0))
    return min(Decimal(1), max(CENT, (pool / 2000).quantize(CENT)))


def plan_key(when: date | str, parameters: Mapping[str, Any], *,
             kind: str = BUDGET_PLAN_KIND) -> str:
    """Return a run's idempotency key: its kind, its day (or hour) and a digest of its parameters.

    The same parameters on the same day name the same plan, so a re-run (after a kill, or
    started twice) continues the plan recorded first instead of planning again. ``when`` is a
    date, or a text such as ``2026-11-20T21`` for a plan per hour.
    """
    text = json.dumps(parameters, sort_keys=True, default=str)
    stamp = when.isoformat() if isinstance(when, date) else when
    return f"{kind}:{stamp}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def _share(before: Decimal, after: Decimal) -> float:
    return float(abs(after - before) / before) if before > 0 else float("inf")


def plan_intents(
    plan: BudgetPlan, pool: Iterable[PoolEntity], *, key: str, auto_apply_max_change: float,
    value_source: str, view_through_weight: float = 0.0,
) -> list[NewIntent]:
    """Return one ledger intent per moved line, in the plan's order.

    A change of at most ``auto_apply_max_change`` of its budget (as a share) is inside the
    auto-apply policy; larger ones need a person. A line whose account-currency amount rounds
    back to the current budget is no change and gets no intent. The evidence names the
    view-through weight the entity's value was steered with (None: a calibrated value).
    """
    by_key = {p.key: p for p in pool}
    intents = []
    for line in plan.moved():
        entity = by_key[line.entity_id]
        e = entity.entity
        assert e.daily_budget is not None
        after, _ = to_platform(line.after / entity.rate, entity.account_limits(),
                               toward=e.daily_budget)
        if after == e.daily_budget:
            continue
        ev = line.evidence
        intents.append(NewIntent(
            intent_key=f"{key}:{e.platform}:{e.level}:{e.entity_id}:daily_budget",
            platform=e.platform, account_id=e.native_account_id, level=e.level,
            entity_id=e.entity_id, field="daily_budget", before=str(e.daily_budget),
            after=str(after), currency=entity.currency,
            reason=", ".join(r.value for r in line.reasons) + f" ({e.name or e.entity_id})",
            evidence={"curve": ev.curve_kind, "a": ev.a, "b": ev.b, "cap": ev.cap, "r2": ev.r2,
                      "data_days": ev.data_days, "marginal_roas": ev.marginal_roas,
                      "marginal_interval": list(ev.marginal_interval),
                      "value_source": value_source, "value_note": e.value_note,
                      "view_through_weight": view_weight(e, view_through_weight),
                      "name": e.name, "campaign_ids": list(e.campaign_ids)},
            expected={"value_before": round(line.value_before, 2),
                      "value_after": round(line.value_after, 2),
                      "spend_before": str(line.before), "spend_after": str(line.after),
                      "rate": str(entity.rate)},
            needs_approval=_share(e.daily_budget, after) > auto_apply_max_change,
        ))
    return intents


def new_plan(key: str, title: str, parameters: Mapping[str, Any], value_source: str) -> NewPlan:
    """Return the ledger's plan record of a budget run (its parameters and value source)."""
    return NewPlan(key, BUDGET_PLAN_KIND, title, {**parameters, "value_source": value_source})
