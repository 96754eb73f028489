"""``campaign-ops simulate``: the real flows steer the simulated market, day by day.

A seeded market with the steering scenario's hidden behaviours (diminishing returns, noise,
day-of-week, conversion lag, a learning-phase penalty after big budget jumps, one campaign
whose platform-reported value is inflated by view-throughs) is served in process. Each
simulated morning the clock moves to 09:00 UTC, ``extract-ads`` reads the platforms into a
fresh DuckDB warehouse, ``reallocate-budgets`` plans and applies the day's budgets through the
platforms' APIs (every change inside the auto-apply policy: no reviewer is simulated), and
``verify-budget-changes`` judges the changes a week old and reverts those that clearly hurt.
The true curves stay hidden from the flows; only the scoring reads them:

- ``revenue``: expected incremental revenue (USD) at the budgets the market actually had;
- ``static_revenue``: the same days with the first day's budgets held;
- ``oracle_revenue``: the same days under the best allocation of the static total, knowing
  the true curves;
- ``captured_uplift_share`` = (revenue − static) ÷ (oracle − static);
- ``guardrail_breaches``: budget changes the platforms took (their mutation logs) that break
  the policy: a step beyond its bound, a second change inside the cooldown, a budget below the
  platform minimum, or a day moving more than its share of the pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from emulators.market import Market
from emulators.registry import EMULATORS
from emulators.steering import (
    SteeringScenario,
    budget_holders,
    pool_usd,
    score,
    static_budgets,
    total_usd,
)

__all__ = ["MarketClock", "SimulationResult", "served", "simulate"]

PLATFORMS = ("meta_ads", "google_ads", "linkedin_ads")
START = dt.date(2026, 6, 1)
"""The first simulated day: fixed, so a seed gives the same run on any day it is run."""
MORNING = dt.time(9, 0)
MINIMUM = Decimal("1.00")


@dataclass
class SimulationResult:
    """One simulated run's figures (``--json`` prints them as one object)."""

    seed: int
    days: int
    start: str
    end: str
    revenue: float
    static_revenue: float
    oracle_revenue: float
    captured_uplift_share: float | None
    guardrail_breaches: int
    changes_applied: int
    changes_reverted: int
    budget_holders: int
    daily_total_usd: float
    wall_seconds: float
    breaches: list[str] = field(default_factory=list)
    days_run: list[dict[str, Any]] = field(default_factory=list)
    budgets: list[dict[str, Any]] = field(default_factory=list)
    """Per budget (USD a day): the static budget, the flows' last one and the oracle's."""

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready values."""
        return asdict(self)


class MarketClock:
    """A market clock that its owner moves (the simulation, tests)."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        """Return the moment the owner set."""
        return self.moment


def quota_clock(clock: MarketClock) -> Callable[[], float]:
    """Return the emulators' quota clock: the market's moment plus real seconds since.

    A simulated day lasts seconds, so on a real clock the calls of a dozen simulated days
    fell into one hour's quota and the platforms throttled what a deployment, one run a day,
    never sends at once. Each simulated day now gets its own window, and real time still
    runs inside it, so a throttled call regains access as it would.
    """
    def now() -> float:
        return clock.moment.timestamp() + time.monotonic()
    return now


@contextlib.contextmanager
def served(market: Market, clock: MarketClock | None = None) -> Iterator[dict[str, Any]]:
    """Serve the market's ad platforms in process for the block; yield their emulators.

    With ``clock``, the emulators count their quotas on it (:func:`quota_clock`).
    """
    from resources.sandbox import use_sandbox_emulator

    ticks = None if clock is None else quota_clock(clock)
    emulators = {p: EMULATORS[p](market=market, quota_clock=ticks) for p in PLATFORMS}
    with contextlib.ExitStack() as stack:
        for platform, emulator in emulators.items():
            stack.enter_context(use_sandbox_emulator(platform, emulator))
        yield emulators


def _fx(market: Market, platform: str, subject_id: str) -> float:
    # A mutation names the platform's budget resource (a campaign holding its ad groups'
    # budgets included): its account's hidden rate converts the change to USD.
    entity = market.entity(platform, subject_id)
    account_id = getattr(entity, "account_id", None)
    return market.fx_rate(platform, account_id) if account_id is not None else 1.0


def _breaches(emulators: dict[str, Any], market: Market,
              *, cooldown: dt.timedelta, steps: dict[str, float], movement: float,
              ) -> list[str]:
    """Return every applied budget change that breaks the policy, as one line each."""
    found: list[str] = []
    last: dict[tuple[str, str], dt.datetime] = {}
    moved: dict[dt.date, float] = defaultdict(float)
    for platform, emulator in sorted(emulators.items()):
        for m in emulator.mutation_log:
            if m.attribute != "daily_budget":
                continue
            where = f"{platform} {m.subject_id} on {m.at:%Y-%m-%d %H:%M}"
            old, new = Decimal(m.old), Decimal(m.new)
            bound = steps.get(platform, steps["default"])
            if old > 0 and abs(new / old - 1) > Decimal(str(bound)) + Decimal("0.005"):
                found.append(f"{where}: {old} -> {new} moves more than {bound:.0%}")
            if new < MINIMUM:
                found.append(f"{where}: {new} is below the platform minimum {MINIMUM}")
            key = (platform, m.subject_id)
            if key in last and m.at - last[key] < cooldown:
                found.append(f"{where}: changed again {m.at - last[key]} after the last change")
            last[key] = m.at
            moved[m.at.date()] += float(abs(new - old)) * _fx(market, platform, m.subject_id)
    for day, amount in sorted(moved.items()):
        # the pool the mutations are measured against: every budget resource, as the
        # platforms report it, not only the holders delivering on the day
        pool = pool_usd(market, sorted(emulators), day - dt.timedelta(days=1))
        if amount > movement * pool + 1.0:
            found.append(f"{day}: moved {amount:,.2f} USD, more than {movement:.0%} of the "
                         f"pool {pool:,.2f}")
    return found


def simulate(
    *, seed: int, days: int, workdir: Path | None = None, lookback_days: int = 7,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
    flow_parameters: dict[str, Any] | None = None, accounts_per_platform: int = 1,
) -> SimulationResult:
    """Run ``days`` simulated days of extract + reallocate on a market seeded ``seed``.

    Args:
        seed: the market's seed (the run is deterministic for it).
        days: simulated days of steering (each: extract, then plan and apply).
        workdir: where the warehouse and store go (default: a temporary folder, removed).
        lookback_days: days each daily extract re-reads (late conversions restate them).
        progress: called after each day with (day number, days, that day's figures).
        flow_parameters: overrides of ``reallocate-budgets``' parameters.
        accounts_per_platform: ad accounts per platform (each extract loads every account:
            a daily cycle takes about 4 s per account).

    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    with contextlib.ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="campaign-ops-simulate-")))
        return _run(seed, days, root, lookback_days, progress, flow_parameters or {},
                    accounts_per_platform)


def _run(seed: int, days: int, root: Path, lookback_days: int,
         progress: Callable[[int, int, dict[str, Any]], None] | None,
         overrides: dict[str, Any], accounts: int) -> SimulationResult:
    from config import load_settings
    from flows.extract_ads import extract_ads
    from flows.reallocate_budgets import reallocate_budgets
    from flows.verify_budget_changes import verify_budget_changes
    from resources.environment import use_settings

    began = time.perf_counter()
    clock = MarketClock(dt.datetime.combine(START, MORNING, tzinfo=dt.UTC))
    market = Market(seed=seed, clock=clock, platforms=PLATFORMS, scenario=SteeringScenario(),
                    accounts_per_platform=accounts)
    holders = budget_holders(market, PLATFORMS, day=START)
    static = static_budgets(market, holders, START)  # before any flow changes one
    parameters: dict[str, Any] = {"attribution_model": None, "auto_apply_max_change": 1.0,
                                  "approval_timeout_seconds": 60}
    parameters.update(overrides)
    settings = load_settings(env="sandbox", warehouse=root / "warehouse.duckdb",
                             data_dir=root / "data",
                             store_url=f"sqlite:///{root / 'store.sqlite'}")
    log: list[dict[str, Any]] = []
    reverted = 0
    with served(market, clock) as emulators, use_settings(settings):
        for number in range(days):
            day = START + dt.timedelta(days=number)
            clock.moment = dt.datetime.combine(day, MORNING, tzinfo=dt.UTC)
            extract_ads(platforms=list(PLATFORMS),
                        lookback_days=None if number == 0 else lookback_days)
            result = reallocate_budgets(**parameters)
            verified = verify_budget_changes(attribution_model=None, auto_apply_reverts=True,
                                             min_post_days=2)
            reverted += len(verified.reverted)
            row = {"day": day.isoformat(), "changes": len(result.applied),
                   "verdicts": verified.verdicts, "reverted": len(verified.reverted),
                   "expected_value_delta": result.expected_value_delta,
                   "total_usd": round(result.total_after or 0.0, 2)}
            log.append(row)
            if progress is not None:
                progress(number + 1, days, row)
    end = START + dt.timedelta(days=days - 1)
    scored = score(market, holders, START, end, static)
    revenue, static_value, oracle = (scored.revenue, scored.static_revenue,
                                     scored.oracle_revenue)
    oracle_budgets = scored.oracle_budgets
    budgets = [{"platform": h.platform, "entity_id": h.entity_id,
                "static_usd": round(static[h.key] / 100 * h.fx, 2),
                "final_usd": round((market.budget(h.platform, h.entity_id, end) or 0)
                                   / 100 * h.fx, 2),
                "oracle_usd": round(oracle_budgets[h.key] / 100 * h.fx, 2)} for h in holders]
    policy = {"default": float(parameters.get("max_step_other", 0.3)),
              "meta_ads": float(parameters.get("max_step_meta", 0.2))}
    breaches = _breaches(
        emulators, market,
        cooldown=dt.timedelta(hours=int(parameters.get("cooldown_hours", 72))),
        steps=policy, movement=float(parameters.get("max_movement_share", 0.15)))
    applied = sum(1 for e in emulators.values() for m in e.mutation_log
                  if m.attribute == "daily_budget")
    share = scored.captured_uplift_share
    return SimulationResult(
        seed=seed, days=days, start=START.isoformat(), end=end.isoformat(),
        revenue=round(revenue, 2), static_revenue=round(static_value, 2),
        oracle_revenue=round(oracle, 2),
        captured_uplift_share=None if share is None else round(share, 4),
        guardrail_breaches=len(breaches), changes_applied=applied - reverted,
        changes_reverted=reverted,
        budget_holders=len(holders),
        daily_total_usd=round(total_usd(holders, static), 2),
        wall_seconds=round(time.perf_counter() - began, 1), breaches=breaches, days_run=log,
        budgets=budgets)
