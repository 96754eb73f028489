"""Replay the daily budget loop on the simulated market in seconds, to compare settings.

``campaign-ops simulate --days 60`` runs the real flows (extract, reallocate, verify) on a
Prefect server and takes about 25 minutes a seed. This replay runs the reallocation's own
steps on what the extract would have loaded, without HTTP, warehouse or Prefect, in a few
seconds a seed, so a fitter or policy change can be judged on many seeds before the real run
confirms it. Each simulated 09:00 UTC, per budget holder:

1. spend, conversions and value as the platform reports them, each day re-read as the daily
   extract's 7-day lookback leaves it (``Market.truth(as_of=min(today, day + 7))``), from 30
   days before the start (the first load), in the account currency, with Meta's view-through
   value kept apart (``1d_view``) as the extract keeps it;
2. the warehouse's ``BudgetEntity`` (level and writability as ``budget_inputs`` names them);
3. the flow's steps: ``select_pool``, ``entity_states`` (curve fits), ``plan_budgets`` under
   the flow's policy and grid step, ``plan_intents`` (rounding to the platform's step);
4. the changes applied with ``Market.set_budget`` at once (every change auto-applies in the
   simulation too).

Left out: ``verify-budget-changes`` (reverts are rare) and the extract's own timing. Scored
with the same oracle and static allocation as ``simulate``.

Usage: ``python bench/steering_replay.py [--seeds 1-5] [--days 60]``. It prints, per variant
of the flow's parameters, the captured uplift share per seed, its median and the ratio of
that median to the defaults'. Takes about a minute a variant on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deployments.simulate import MORNING, PLATFORMS, START, MarketClock
from emulators.curves import DEFAULT_WINDOWS
from emulators.google_ads.resources import CONVERSION_WINDOWS
from emulators.market import Market
from emulators.steering import (
    BudgetHolder,
    SteeringScenario,
    budget_holders,
    revenue_at,
    score,
    static_budgets,
)
from flows.budget_parameters import BudgetRequest
from marketing.budgets import plan_budgets
from marketing.budgets.curves import CurveKind, ResponseCurve
from tasks import budgets
from warehouse.budget_inputs import BudgetDay, BudgetEntity, BudgetHistory

FIRST_LOAD_DAYS = 30
REREAD_DAYS = 7
WINDOWS = {"meta_ads": ("7d_click", "1d_view"), "google_ads": tuple(CONVERSION_WINDOWS),
           "linkedin_ads": DEFAULT_WINDOWS}
LEVELS = {("meta_ads", "campaign"): "campaign", ("meta_ads", "ad_group"): "ad_set",
          ("google_ads", "campaign"): "campaign_budget",
          ("google_ads", "ad_group"): "campaign_budget",
          ("linkedin_ads", "campaign"): "campaign_group", ("linkedin_ads", "ad_group"): "campaign"}
"""The budget_inputs level of a market budget holder (a Google campaign's budget is one, even
where the market holds it on the ad groups)."""
VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "view-throughs at full weight": {"view_through_weight": 1.0},
    "history 28 days": {"history_days": 28},
    "history 56 days": {"history_days": 56},
    "true curves (ceiling)": {"true_curves": True},
}
"""Parameters of ``reallocate-budgets`` per variant; ``true_curves`` swaps each fitted curve
for one fitted on the market's hidden expected revenue (what better fitting could reach)."""


@dataclass(frozen=True)
class _Budget:
    """What the flow sees as one budget: a holder, or a Google campaign whose budget the
    market holds on its ad groups (the emulator shows their sum and spreads a change)."""

    platform: str
    level: str
    entity_id: str
    holders: tuple[BudgetHolder, ...]

    @property
    def first(self) -> BudgetHolder:
        return self.holders[0]


def _budgets(market: Market, holders: Sequence[BudgetHolder]) -> list[_Budget]:
    found: dict[tuple[str, str], list[BudgetHolder]] = {}
    levels: dict[tuple[str, str], str] = {}
    for h in holders:
        key = (h.platform, h.entity_id)
        if h.platform == "google_ads" and h.level == "ad_group":
            group = market.entity(h.platform, h.entity_id)
            key = (h.platform, str(getattr(group, "campaign_id", h.entity_id)))
        found.setdefault(key, []).append(h)
        levels[key] = LEVELS[(h.platform, h.level)]
    return [_Budget(p, levels[(p, e)], e, tuple(hs)) for (p, e), hs in sorted(found.items())]


def _set(market: Market, budget: _Budget, minor: int) -> None:
    if len(budget.holders) == 1 and budget.holders[0].entity_id == budget.entity_id:
        market.set_budget(budget.platform, budget.entity_id, minor)
        return
    # As the Google emulator does for a budget the market holds on the ad groups.
    old = [market.budget(h.platform, h.entity_id) or 0 for h in budget.holders]
    total, left = sum(old) or 1, minor
    for i, h in enumerate(budget.holders):
        share = left if i == len(old) - 1 else max(1, round(old[i] * minor / total))
        market.set_budget(h.platform, h.entity_id, share)
        left -= share


class _Reader:
    """Platform-reported days per holder, each read once when it is final for the replay."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.final: dict[tuple[str, str, dt.date], tuple[float, float, float, float]] = {}

    def day(self, holder: BudgetHolder, day: dt.date, today: dt.date,
            ) -> tuple[float, float, float, float]:
        """Return (spend, conversions, value, view value) of ``day`` as known on ``today``."""
        as_of = min(today, day + dt.timedelta(days=REREAD_DAYS))
        key = (holder.platform, holder.entity_id, day)
        if as_of < today and key in self.final:
            return self.final[key]
        spend = conversions = value = view = 0.0
        for ad in self.market.ads(holder.platform, holder.entity_id):
            t = self.market.truth(holder.platform, ad.id, day, as_of=as_of,
                                  windows=WINDOWS[holder.platform])
            spend += float(t.spend)
            conversions += t.conversions
            value += float(t.value)
            if holder.platform == "meta_ads":
                view += float(t.value_by_window.get("1d_view", 0))
        row = (spend, conversions, value, view)
        if as_of < today:
            self.final[key] = row
        return row


def _entity(market: Market, reader: _Reader, budget: _Budget, today: dt.date,
            first: dt.date) -> BudgetEntity:
    days = []
    day = first
    while day < today:
        rows = [reader.day(h, day, today) for h in budget.holders]
        spend, conversions, value, view = (sum(r[i] for r in rows) for i in range(4))
        days.append(BudgetDay(day, Decimal(f"{spend:.2f}"), Decimal(conversions),
                              Decimal(f"{value:.2f}"), Decimal(f"{value:.2f}"),
                              Decimal(f"{view:.2f}")))
        day += dt.timedelta(days=1)
    minor = sum(market.budget(h.platform, h.entity_id) or 0 for h in budget.holders)
    core = f"{budget.platform}:{budget.entity_id}"
    h = budget.first
    return BudgetEntity(
        platform=budget.platform, account_id=f"{h.platform}:{h.account_id}",
        native_account_id=h.account_id, level=budget.level, entity_id=budget.entity_id,
        core_ids=(core,), campaign_ids=(core,), name=None, currency=h.currency,
        daily_budget=Decimal(minor) / 100, status="ACTIVE", attribution_keys=(),
        value_source="platform_reported", value_note=None, calibration=None,
        days=tuple(days))


def _true_curve(market: Market, budget: _Budget, day: dt.date, days: int) -> ResponseCurve:
    """Fit ``a·(1 − exp(−x/b))`` (USD) to the market's expected revenue at budgets 0..3x."""
    now = [market.budget(h.platform, h.entity_id) or 0 for h in budget.holders]
    total = sum(m / 100 * h.fx for m, h in zip(now, budget.holders, strict=True)) or 1.0
    shares = [m / 100 * h.fx / total for m, h in zip(now, budget.holders, strict=True)]
    xs = np.linspace(0.05, 3.0, 30) * total
    ys = np.array([sum(revenue_at(market, h, day, x * w)
                       for h, w in zip(budget.holders, shares, strict=True)) for x in xs])
    (a, b), _ = curve_fit(lambda x, a, b: a * -np.expm1(-x / b), xs, ys,
                          p0=(2 * ys.max(), total), bounds=((0, 1e-6), (np.inf, np.inf)))
    return ResponseCurve(CurveKind.SATURATING, float(a), float(b), data_days=days)


def replay(seed: int, days: int, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``days`` mornings of the reallocation on market ``seed``; return its score."""
    clock = MarketClock(dt.datetime.combine(START, MORNING, tzinfo=dt.UTC))
    market = Market(seed=seed, clock=clock, platforms=PLATFORMS, scenario=SteeringScenario())
    holders = budget_holders(market, PLATFORMS, day=START)
    static = static_budgets(market, holders, START)
    request = BudgetRequest(platforms=PLATFORMS, attribution_model=None,
                            auto_apply_max_change=1.0,
                            **{k: v for k, v in parameters.items()
                               if k in BudgetRequest.model_fields})
    policy = request.policy()
    reader = _Reader(market)
    targets = _budgets(market, holders)
    by_id = {(b.platform, b.entity_id): b for b in targets}
    by_key = {f"{b.platform}:{b.level}:{b.entity_id}": b for b in targets}
    first = START - dt.timedelta(days=FIRST_LOAD_DAYS)
    last_changes: dict[tuple[str, str], dt.datetime] = {}
    changes = 0
    for number in range(days):
        today = START + dt.timedelta(days=number)
        now = dt.datetime.combine(today, MORNING, tzinfo=dt.UTC)
        clock.moment = now
        entities = tuple(_entity(market, reader, b, today, first) for b in targets)
        end = today - dt.timedelta(days=1)
        history = BudgetHistory(first, end, None, None, None, entities)
        rates = {h.currency.upper(): Decimal(str(h.fx)) for h in holders}
        fit_start = end - dt.timedelta(days=request.history_days - 1)
        inputs = budgets.BudgetInputs(history, None, rates, "USD", fit_start)
        pool, _ = budgets.select_pool(inputs, pool=None, exclude=())
        states = budgets.entity_states(pool, value=request.value, last_changes=last_changes,
                                       since=fit_start,
                                       view_through_weight=request.view_through_weight)
        if parameters.get("true_curves"):
            states = [replace(st, curve=_true_curve(market, by_key[st.entity_id], today,
                                                    st.curve.data_days)) for st in states]
        plan = plan_budgets(states, now=now, mode=request.mode, policy=policy,
                            grid_step=budgets.grid_step(states))
        intents = budgets.plan_intents(plan, pool, key="replay", auto_apply_max_change=1.0,
                                       value_source="platform_reported")
        for intent in intents:
            minor = int((Decimal(intent.after) * 100).to_integral_value())
            _set(market, by_id[(intent.platform, intent.entity_id)], minor)
            last_changes[(intent.platform, intent.entity_id)] = now
            changes += 1
    end = START + dt.timedelta(days=days - 1)
    scored = score(market, holders, START, end, static)
    return {"seed": seed, "share": scored.captured_uplift_share, "changes": changes}


def _seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def main(argv: Sequence[str] | None = None) -> None:
    """Print each variant's captured uplift share per seed, median, and ratio to defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-5", help="e.g. 1-5 or 1,3,7")
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated, of: {', '.join(VARIANTS)}")
    args = parser.parse_args(argv)
    seeds = _seeds(args.seeds)
    medians: dict[str, float] = {}
    print(f"steering replay: {args.days} days, seeds {seeds}")
    print(f"{'variant':32} " + " ".join(f"{'seed ' + str(s):>8}" for s in seeds)
          + f" {'median':>8} {'ratio':>7} {'s/seed':>7}")
    for name in args.variants.split(","):
        began = time.perf_counter()
        shares = [replay(s, args.days, VARIANTS[name])["share"] for s in seeds]
        per_seed = (time.perf_counter() - began) / len(seeds)
        medians[name] = statistics.median(x for x in shares if x is not None)
        ratio = medians[name] / medians["defaults"] if "defaults" in medians else float("nan")
        print(f"{name:32} " + " ".join(f"{x:8.3f}" if x is not None else f"{'-':>8}"
                                       for x in shares)
              + f" {medians[name]:8.3f} {ratio:7.2f} {per_seed:7.1f}", flush=True)


if __name__ == "__main__":
    main()
