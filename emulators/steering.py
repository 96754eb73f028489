"""Hidden steering behaviours of the simulated market, and its true value (the oracle).

Opt-in (``Market(..., scenario=SteeringScenario())``); without a scenario the market is
exactly as before. Two behaviours are hidden from the flows, which only see the platform
APIs:

* **learning phase**: after a budget change of more than ``learning_threshold`` (relative to
  the previous budget) on a budget holder, that holder's expected conversions are multiplied
  by ``learning_factor`` for ``learning_days`` days, the day of the change included;
* **inflated campaign**: one campaign per seed whose platform-reported conversions include
  non-incremental view-throughs (``ConversionEvent.incremental is False``): ``inflation``
  times its expected real conversions, reported under the view windows, earning nothing.

The value functions below are pure functions of a ``Market`` (its seed, hidden curves and
state). Money is in market units (~USD) unless a name says ``minor`` (account currency
cents). Expected values take the expectation of the per-ad noise of ``Market._spend``: a
dark day (no delivery, probability ``DARK_SHARE``) and the spend jitter (its mean factor
``JITTER_MEAN`` applied to the spend, a first-order approximation); the holder's pacing
that day (seeded, known to the market) is used as is. They ignore the Poisson noise of
conversions, the rare click-through purchase dropped for lack of a click, and order-value
rounding. Days are not clipped to the market's today: a future day is valued as it would be.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from emulators import _rng, curves
from emulators.curves import CampaignCurve, ConversionEvent, Delivery

if TYPE_CHECKING:
    from emulators.market import Market

__all__ = [
    "DARK_SHARE",
    "JITTER_MEAN",
    "BudgetHolder",
    "SteeringScenario",
    "SteeringScore",
    "budget_holders",
    "expected_revenue",
    "expected_spend",
    "learning_multiplier",
    "oracle_budgets",
    "oracle_plan",
    "oracle_revenue",
    "path_revenue",
    "pick_inflated_campaign",
    "pool_usd",
    "realised_revenue",
    "revenue_at",
    "score",
    "static_budgets",
    "static_revenue",
    "total_usd",
    "with_phantom_views",
]

DARK_SHARE = 0.02
"""Probability that an ad does not deliver on a day (``Market._spend``)."""

JITTER_MEAN = math.exp(0.05**2 / 2.0)
"""Mean of the per-ad daily spend jitter ``exp(0.05 g)``."""

Key = tuple[str, str]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SteeringScenario:
    """Hidden behaviours that make budget steering realistic (all on by default)."""

    learning_threshold: float = 0.3  # relative change that restarts learning
    learning_factor: float = 0.8  # conversions multiplier while learning (1.0: off)
    learning_days: int = 5  # days penalised, the day of the change included
    inflated_platform: str | None = "meta_ads"  # where the inflated campaign is (None: off)
    inflation: float = 1.5  # phantom view-throughs per expected real conversion


@dataclass(frozen=True, order=True)
class BudgetHolder:
    """An entity holding a daily budget: a campaign (CBO) or an ad group."""

    platform: str
    account_id: str
    entity_id: str
    level: str  # "campaign" or "ad_group"
    currency: str
    fx: float  # market units (~USD) per unit of account currency

    @property
    def key(self) -> Key:
        """``(platform, entity_id)``, the key of budget dicts."""
        return (self.platform, self.entity_id)


# ------------------------------------------------------------------ market behaviours
def learning_multiplier(
    scenario: SteeringScenario, history: Sequence[tuple[date, int]], day: date
) -> float:
    """Conversions multiplier on ``day`` of a holder whose budget history is ``history``.

    ``history`` is ``[(since, minor), ...]`` in date order, one entry per day at most (as
    ``Market`` keeps it). A change on day ``c`` is an entry whose budget differs from the
    previous one by more than ``learning_threshold`` of the previous one; it penalises the
    days ``c .. c + learning_days - 1``.
    """
    if scenario.learning_factor == 1.0 or scenario.learning_days <= 0:
        return 1.0
    first = day - timedelta(days=scenario.learning_days - 1)
    for (_, previous), (since, minor) in itertools.pairwise(history):
        if since > day:
            break
        moved = abs(minor - previous) > scenario.learning_threshold * previous
        if first <= since and previous > 0 and moved:
            return scenario.learning_factor
    return 1.0


def pick_inflated_campaign(market: Market, scenario: SteeringScenario) -> Key | None:
    """Choose the campaign whose reports are inflated: the first one delivering today.

    Accounts and campaigns are taken in id order on ``scenario.inflated_platform``; the
    first campaign with an ad delivering on the account's today is chosen.
    """
    platform = scenario.inflated_platform
    if platform is None or scenario.inflation <= 0 or platform not in market.platforms:
        return None
    for account in market.accounts(platform):
        today = market.local_today(platform, account.id)
        for campaign in market.campaigns(platform, account.id):
            ads = market.ads(platform, campaign.id)
            if any(market.delivering(platform, ad.id, today) for ad in ads):
                return (platform, campaign.id)
    return None


def with_phantom_views(
    seed: int,
    ad_id: str,
    day_ordinal: int,
    delivery: Delivery,
    fx: float,
    campaign: CampaignCurve,
    ratio: float,
    multiplier: float = 1.0,
) -> Delivery:
    """Add non-incremental view-through events to a delivery (the inflated campaign).

    Their count is Poisson around ``ratio`` times the expected real conversions; they are
    reported like other view events (1-day view window) and valued like orders, but carry
    ``incremental=False``. Drawn from their own random stream: the real events are kept.
    """
    if ratio <= 0 or delivery.spend <= 0:
        return delivery
    mean = ratio * multiplier * curves.expected_conversions(campaign, float(delivery.spend) * fx)
    u = _rng.uniforms(seed, 2, ad_id, day_ordinal, "phantom")
    extra: list[ConversionEvent] = []
    for i in range(_rng.poisson_from(mean, u[0], u[1])):
        e = _rng.uniforms(seed, 4, ad_id, day_ordinal, "phantom", i)
        order = campaign.aov / fx * math.exp(0.35 * _rng.gauss(e[2], e[3]) - 0.06)
        extra.append(
            ConversionEvent(
                kind="view",
                click_lag=0,
                observed_lag=min(curves.LAG_DAYS, curves._report_delay(e[0])),
                intraday=e[1],
                value=curves.money(max(1.0, order)),
                incremental=False,
            )
        )
    return Delivery(
        delivery.spend, delivery.impressions, delivery.clicks, (*delivery.events, *extra)
    )


# ------------------------------------------------------------------------ true value
def _all_holders(market: Market, platforms: Iterable[str]) -> list[BudgetHolder]:
    found: list[BudgetHolder] = []
    for platform in platforms:
        for account in market.accounts(platform):
            fx = market.fx_rate(platform, account.id)
            for campaign in market.campaigns(platform, account.id):
                if campaign.budget_level == "campaign":
                    ids = [campaign.id]
                else:
                    ids = [g.id for g in market.ad_groups(platform, campaign.id)]
                for entity_id in ids:
                    if market.budget(platform, entity_id, market.history_start) is None:
                        continue
                    found.append(BudgetHolder(platform, account.id, entity_id,
                                              campaign.budget_level, account.currency, fx))
    return sorted(found)


def budget_holders(
    market: Market, platforms: Iterable[str] | None = None, day: date | None = None
) -> list[BudgetHolder]:
    """Budget holders with at least one ad that can deliver on ``day``, sorted.

    ``platforms`` defaults to the market's; ``day`` to each account's today.
    """
    holders = []
    for holder in _all_holders(market, market.platforms if platforms is None else platforms):
        on = day or market.local_today(holder.platform, holder.account_id)
        ads = market.ads(holder.platform, holder.entity_id)
        if any(market.delivering(holder.platform, ad.id, on) for ad in ads):
            holders.append(holder)
    return holders


def _terms(market: Market, holder: BudgetHolder, day: date) -> list[tuple[CampaignCurve, float]]:
    # Per delivering ad: its campaign curve and the spend units per unit of holder budget.
    shares = market.delivery_shares(holder.platform, holder.entity_id, day)
    terms = []
    for ad_id, (share, pacing) in sorted(shares.items()):
        curve = market.ad_campaign_curve(holder.platform, ad_id)
        terms.append((curve, share * pacing * JITTER_MEAN))
    return terms


def _budget_usd(market: Market, holder: BudgetHolder, day: date, minor: int | None) -> float:
    # Default: the day's effective budget (a change made during the day counts from then).
    if minor is None:
        return market.day_budget(holder.platform, holder.entity_id, day) / 100.0 * holder.fx
    return minor / 100.0 * holder.fx


def revenue_at(market: Market, holder: BudgetHolder, day: date, budget_usd: float) -> float:
    """Return the expected incremental revenue (USD) of ``holder`` at a USD budget.

    Steady state: no learning phase. The objective the oracle maximises.
    """
    total = 0.0
    for curve, coef in _terms(market, holder, day):
        total += curve.aov * curves.expected_conversions(curve, budget_usd * coef)
    return (1.0 - DARK_SHARE) * total


def _multiplier(
    market: Market, holder: BudgetHolder, day: date, budget_minor: int | None
) -> float:
    scenario = market.scenario
    if scenario is None:
        return 1.0
    if budget_minor is None:
        return market.learning(holder.platform, holder.entity_id, day)
    history = market.budget_history(holder.platform, holder.entity_id)
    hypothetical = [h for h in history if h[0] < day] + [(day, budget_minor)]
    return learning_multiplier(scenario, hypothetical, day)


def expected_revenue(
    market: Market,
    holder: BudgetHolder,
    day: date,
    budget_minor: int | None = None,
    *,
    learning: bool = True,
) -> float:
    """Return the true expected incremental revenue (USD) of ``holder`` on ``day``.

    At ``budget_minor`` (account currency cents; default: its budget that day). With
    ``learning`` the learning-phase multiplier applies: the market's own for its budget, or
    for a hypothetical ``budget_minor`` the one that setting it on ``day`` (after the actual
    history) would cause. Non-incremental view-throughs are never counted.
    """
    value = revenue_at(market, holder, day, _budget_usd(market, holder, day, budget_minor))
    if learning:
        value *= _multiplier(market, holder, day, budget_minor)
    return value


def expected_spend(
    market: Market, holder: BudgetHolder, day: date, budget_minor: int | None = None
) -> float:
    """Return the expected spend (USD) of ``holder`` on ``day`` at ``budget_minor``."""
    coef = sum(c for _, c in _terms(market, holder, day))
    return (1.0 - DARK_SHARE) * _budget_usd(market, holder, day, budget_minor) * coef


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def realised_revenue(market: Market, platforms: Iterable[str], start: date, end: date) -> float:
    """Sum expected revenue (USD) over ``start..end`` (inclusive) at the budgets held.

    Every budget holder of ``platforms`` counts (a day without delivery is worth 0), with the
    learning multipliers of the market's own budget history.
    """
    holders = _all_holders(market, platforms)
    return sum(expected_revenue(market, h, d) for d in _days(start, end) for h in holders)


def path_revenue(
    market: Market,
    holders: Sequence[BudgetHolder],
    start: date,
    end: date,
    budgets: Callable[[date], Mapping[Key, int]],
) -> float:
    """Sum expected revenue (USD) over ``start..end`` at the budgets ``budgets(day)``.

    The learning phase follows that hypothetical path: the actual history before ``start``,
    then the path's budgets.
    """
    days = _days(start, end)
    plan = [budgets(d) for d in days]
    total = 0.0
    for holder in holders:
        path = [(d, p[holder.key]) for d, p in zip(days, plan, strict=True)]
        history = [h for h in market.budget_history(*holder.key) if h[0] < start] + path
        for d, minor in path:
            value = revenue_at(market, holder, d, minor / 100.0 * holder.fx)
            if market.scenario is not None:
                value *= learning_multiplier(market.scenario, history, d)
            total += value
    return total


def pool_usd(market: Market, platforms: Iterable[str], day: date) -> float:
    """Return the USD sum of every budget held in a campaign ACTIVE on ``day``.

    The pool as the platforms' budget resources report it, the money a planner reading them
    steers: a budget the market spreads over ad groups counts whole (Google's campaign budget
    is their sum), whether or not each group has an ad delivering that day.
    """
    total = 0.0
    for holder in _all_holders(market, platforms):
        entity = market.entity(holder.platform, holder.entity_id)
        campaign_id = getattr(entity, "campaign_id", holder.entity_id)
        if market.status(holder.platform, campaign_id, day) != "ACTIVE":
            continue
        total += (market.budget(holder.platform, holder.entity_id, day) or 0) / 100.0 * holder.fx
    return total


def static_budgets(market: Market, holders: Sequence[BudgetHolder], day: date) -> dict[Key, int]:
    """Budgets (minor units) the holders have on ``day``."""
    return {h.key: market.budget(h.platform, h.entity_id, day) or 0 for h in holders}


def total_usd(holders: Sequence[BudgetHolder], budgets: Mapping[Key, int]) -> float:
    """Return the USD total a day of ``budgets`` (minor units) over ``holders``."""
    return sum(budgets[h.key] / 100.0 * h.fx for h in holders)


def static_revenue(
    market: Market, holders: Sequence[BudgetHolder], start: date, end: date,
    baseline: Mapping[Key, int] | None = None,
) -> float:
    """Sum expected revenue (USD) over ``start..end`` with ``baseline`` budgets held fixed.

    ``baseline`` defaults to the budgets of ``start``; pass the budgets read before anything
    changed them when ``start``'s own budgets were already moved.
    """
    fixed = baseline if baseline is not None else static_budgets(market, holders, start)
    return path_revenue(market, holders, start, end, lambda _: fixed)


def oracle_revenue(
    market: Market,
    holders: Sequence[BudgetHolder],
    start: date,
    end: date,
    *,
    per_day: bool = False,
    step_usd: float = 1.0,
    baseline: Mapping[Key, int] | None = None,
) -> float:
    """Sum expected revenue (USD) over ``start..end`` under the oracle (the static total).

    The total is that of ``baseline`` (default: the budgets of ``start``).

    By default one allocation, held fixed over the span, maximises the span's steady-state
    revenue (curves change by day only through pacing noise, weekends and paused ads).
    With ``per_day`` it is re-optimised every day. The learning phase its changes cause on
    ``start`` is paid (``path_revenue``).
    """
    if per_day:
        total = _baseline_total(market, holders, start, baseline)
        plans = {d: oracle_budgets(market, holders, d, total, step_usd=step_usd)
                 for d in _days(start, end)}
        return path_revenue(market, holders, start, end, plans.__getitem__)
    fixed = oracle_plan(market, holders, start, end, step_usd=step_usd, baseline=baseline)
    return path_revenue(market, holders, start, end, lambda _: fixed)


def _baseline_total(market: Market, holders: Sequence[BudgetHolder], start: date,
                    baseline: Mapping[Key, int] | None) -> float:
    return total_usd(holders, baseline if baseline is not None
                     else static_budgets(market, holders, start))


def oracle_plan(
    market: Market,
    holders: Sequence[BudgetHolder],
    start: date,
    end: date,
    *,
    step_usd: float = 1.0,
    baseline: Mapping[Key, int] | None = None,
) -> dict[Key, int]:
    """Return the oracle's one allocation held over ``start..end`` (see oracle_revenue).

    The total is that of ``baseline`` (default: the budgets of ``start``).
    """
    span = (end - start).days + 1
    return oracle_budgets(market, holders, start, _baseline_total(market, holders, start, baseline),
                          step_usd=step_usd, span_days=span)


@dataclass(frozen=True)
class SteeringScore:
    """How the budgets a market had over some days compare with static and oracle budgets."""

    revenue: float
    static_revenue: float
    oracle_revenue: float
    oracle_budgets: dict[Key, int]

    @property
    def captured_uplift_share(self) -> float | None:
        """(revenue − static) ÷ (oracle − static); None when the oracle does not beat static."""
        if self.oracle_revenue <= self.static_revenue:
            return None
        return ((self.revenue - self.static_revenue)
                / (self.oracle_revenue - self.static_revenue))


def score(market: Market, holders: Sequence[BudgetHolder], start: date, end: date,
          static: Mapping[Key, int]) -> SteeringScore:
    """Score the budgets the market had from ``start`` to ``end``.

    Against ``static`` held throughout and the oracle's best allocation of the same total.
    """
    revenue = path_revenue(market, holders, start, end, lambda d: {
        h.key: market.budget(h.platform, h.entity_id, d) or 0 for h in holders})
    static_value = static_revenue(market, holders, start, end, baseline=static)
    best = oracle_plan(market, holders, start, end, baseline=static)
    oracle = path_revenue(market, holders, start, end, lambda _: best)
    return SteeringScore(revenue, static_value, oracle, best)


# ---------------------------------------------------------------------------- oracle
def _hill(curve: CampaignCurve, units: Floats) -> Floats:
    emax = 2.0 * curve.half_saturation / curve.cpa_k
    s_n = np.power(units, curve.hill)
    result: Floats = emax * s_n / (curve.half_saturation**curve.hill + s_n)
    return result


def _revenue_grid(
    market: Market, holder: BudgetHolder, days: Sequence[date], budget_usd: Floats
) -> Floats:
    total = np.zeros_like(budget_usd)
    for day in days:
        for curve, coef in _terms(market, holder, day):
            total += curve.aov * _hill(curve, budget_usd * coef)
    result: Floats = (1.0 - DARK_SHARE) * total
    return result


def _hull_increments(values: Floats) -> Floats:
    # Per-step increments of the upper concave hull of (j, values[j]).
    inc = np.diff(values)
    if inc.size < 2 or bool(np.all(np.diff(inc) <= 1e-12 * (1.0 + np.abs(inc[:-1])))):
        return inc
    hull: list[int] = []
    for j in range(values.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or below the chord a -> j
            if (values[b] - values[a]) * (j - a) <= (values[j] - values[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(j)
    out = np.empty_like(inc)
    for a, b in itertools.pairwise(hull):
        out[a:b] = (values[b] - values[a]) / (b - a)
    return out


def _take(increments: Floats, steps: int) -> npt.NDArray[np.int64] | None:
    # Steps per row when the ``steps`` largest increments are taken (rows non-increasing;
    # -inf marks a step a row may not take). None when fewer steps are available.
    rows = increments.shape[0]
    if steps <= 0:
        return np.zeros(rows, dtype=np.int64)
    flat = increments.ravel()
    if steps > int(np.isfinite(flat).sum()):
        return None
    top = np.argpartition(-flat, steps - 1)[:steps]
    counts: npt.NDArray[np.int64] = np.bincount(top // increments.shape[1], minlength=rows)
    return counts


def _allocate(values: Floats, steps: int, depth: int = 4) -> npt.NDArray[np.int64]:
    # Maximise sum(values[i, c_i]) subject to sum(c_i) == steps (c_i < values.shape[1]).
    # Greedy on the concave hulls is exact when every holder stops at a hull vertex. A
    # holder stopped inside a hull chord (a non-concave stretch) is tried three ways, the
    # others re-allocated each time, recursively (``depth`` levels): capped at the chord's
    # start, floored at its end (free to take more), or fixed at its best point given the
    # others' hull value. The best on the true values wins, then a one-step polish.
    hulls = np.stack([_hull_increments(row) for row in values])
    rows = np.arange(values.shape[0])
    cols = np.arange(hulls.shape[1])

    def chord(i: int, c: int) -> tuple[int, int] | None:
        if c == 0 or c >= hulls.shape[1] or hulls[i, c - 1] != hulls[i, c]:
            return None  # at a hull vertex
        lo, hi = c, c
        while lo > 0 and hulls[i, lo - 1] == hulls[i, c]:
            lo -= 1
        while hi < hulls.shape[1] and hulls[i, hi] == hulls[i, c]:
            hi += 1
        return lo, hi

    def true(c: npt.NDArray[np.int64]) -> float:
        return float(values[rows, c].sum())

    def search(
        lower: npt.NDArray[np.int64], upper: npt.NDArray[np.int64], level: int
    ) -> npt.NDArray[np.int64] | None:
        left = steps - int(lower.sum())
        if left < 0:
            return None
        allowed = (cols[None, :] >= lower[:, None]) & (cols[None, :] < upper[:, None])
        masked = np.where(allowed, hulls, -np.inf)
        extra = _take(masked, left)
        if extra is None:
            return None
        counts = lower + extra
        partial = [i for i in range(rows.size)
                   if lower[i] < upper[i] and chord(i, int(counts[i]))]
        if not partial or level == 0:
            return counts
        i = partial[0]
        lo, hi = chord(i, int(counts[i])) or (0, 0)
        others = np.delete(masked, i, axis=0).ravel()
        gains = np.concatenate(([0.0], np.cumsum(-np.sort(-others[np.isfinite(others)]))))
        reach = np.arange(lower[i], min(upper[i], lower[i] + left) + 1)
        rest = left - (reach - lower[i])
        scores = np.where(rest < gains.size,
                          values[i, reach] + gains[np.minimum(rest, gains.size - 1)], -np.inf)
        middle = int(reach[int(np.argmax(scores))])
        options = []
        if lo >= lower[i]:
            options.append((lower[i], lo))
        options.append((min(hi, upper[i]), upper[i]))
        options.append((middle, middle))
        best, best_score = counts, true(counts)
        for low, high in options:
            lower2, upper2 = lower.copy(), upper.copy()
            lower2[i], upper2[i] = low, high
            trial = search(lower2, upper2, level - 1)
            if trial is not None and true(trial) > best_score:
                best, best_score = trial, true(trial)
        return best

    found = search(np.zeros(rows.size, dtype=np.int64),
                   np.full(rows.size, hulls.shape[1], dtype=np.int64), depth)
    assert found is not None
    return _polish(values, found)


def _polish(values: Floats, counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    # Move single steps from one holder to another while that raises the true total.
    counts = counts.copy()
    rows = np.arange(values.shape[0])
    top = values.shape[1] - 1
    for _ in range(10 * values.size):
        up = np.where(counts < top, values[rows, np.minimum(counts + 1, top)], -np.inf)
        down = np.where(counts > 0, values[rows, np.maximum(counts - 1, 0)], -np.inf)
        here = values[rows, counts]
        gain, loss = up - here, here - down
        taker = int(np.argmax(gain))
        giver = int(np.argmin(np.where(rows == taker, np.inf, loss)))
        if not gain[taker] - loss[giver] > 1e-12 * (1.0 + abs(float(here.sum()))):
            break
        counts[taker] += 1
        counts[giver] -= 1
    return counts


def oracle_budgets(
    market: Market,
    holders: Sequence[BudgetHolder],
    day: date,
    total_usd: float,
    *,
    min_share: float = 0.0,
    step_usd: float = 1.0,
    min_budget_minor: int = 100,
    span_days: int = 1,
) -> dict[Key, int]:
    """Allocate ``total_usd`` a day so as to maximise the true expected revenue.

    Knows the hidden curves: maximises the steady-state (no learning phase) revenue summed
    over ``day`` and the following ``span_days - 1`` days, on a grid of ``step_usd``.
    Every holder keeps at least ``min_budget_minor`` of its currency (the platforms'
    minimum) and ``min_share`` of an equal split. Returns ``(platform, entity_id)`` ->
    budget in account currency minor units.
    """
    if not holders:
        return {}
    days = [day + timedelta(days=i) for i in range(max(1, span_days))]
    floor = min_share * total_usd / len(holders)
    mins = np.array([max(min_budget_minor / 100.0 * h.fx, floor) for h in holders])
    free = total_usd - float(mins.sum())
    if free < -1e-9:
        raise ValueError(f"total {total_usd:.2f} is below the holders' minimums")
    steps = max(0, math.floor(free / step_usd + 1e-9))
    grid = np.arange(steps + 1, dtype=np.float64) * step_usd
    values = np.stack([_revenue_grid(market, h, days, m + grid)
                       for h, m in zip(holders, mins, strict=True)])
    usd = mins + _allocate(values, steps) * step_usd
    leftover = free - steps * step_usd
    if leftover > 1e-9:  # the remainder of the grid goes where it earns most
        gains = [float(_revenue_grid(market, h, days, np.array([b + leftover]))[0])
                 - float(_revenue_grid(market, h, days, np.array([b]))[0])
                 for h, b in zip(holders, usd, strict=True)]
        usd[int(np.argmax(gains))] += leftover
    return {h.key: max(min_budget_minor, round(b / h.fx * 100.0))
            for h, b in zip(holders, usd, strict=True)}
