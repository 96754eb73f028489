"""``simulate``: the real flows steer the hidden market; the score is deterministic for a seed.

A short run (two simulated days, one account per platform) of extract -> reallocate ->
verify against the in-process emulators of a seeded market with the steering scenario. The
emulators' mutation logs are the witness of every budget change; the breach detector is held
to planted breaches.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from deployments.simulate import START, SimulationResult, _breaches, simulate
from emulators._base import Mutation
from emulators.market import Market
from emulators.steering import budget_holders

pytestmark = pytest.mark.xdist_group("prefect-flows")


def _strip(result: SimulationResult) -> dict[str, Any]:
    out = result.as_dict()
    out.pop("wall_seconds")
    return out


def test_a_short_simulation_moves_budgets_within_the_guardrails(prefect_server: str,
                                                                 tmp_path: Path):
    result = simulate(seed=2, days=2, workdir=tmp_path)
    assert result.changes_applied > 0
    assert result.guardrail_breaches == 0, result.breaches
    # what the flows report applied is what the platforms took (their mutation logs)
    assert sum(day["changes"] for day in result.days_run) == result.changes_applied
    assert result.static_revenue > 0 and result.oracle_revenue > 0
    assert result.revenue != result.static_revenue
    # the oracle pays the learning phase of its own jump: over two days it may lose
    if result.oracle_revenue > result.static_revenue:
        assert result.captured_uplift_share is not None


@pytest.mark.slow
def test_a_simulation_repeats_exactly_for_its_seed(prefect_server: str, tmp_path: Path):
    first = simulate(seed=3, days=4, workdir=tmp_path / "a")
    second = simulate(seed=3, days=4, workdir=tmp_path / "b")
    assert _strip(first) == _strip(second)
    assert first.changes_applied > 0


def _mutation(platform: str, subject: str, at: dt.datetime, old: str, new: str) -> Mutation:
    return Mutation(at=at, who="test", platform=platform, entity_type="adset",
                    entity_id=subject, field="daily_budget", before=None, after=None,
                    subject_id=subject, attribute="daily_budget", old=Decimal(old),
                    new=Decimal(new), currency="USD")


class _Log:
    def __init__(self, mutations: list[Mutation]) -> None:
        self.mutation_log = mutations


def test_the_breach_detector_flags_steps_cooldowns_minimums_and_movement():
    market = Market(seed=2, today=START, platforms=("meta_ads",), accounts_per_platform=1)
    holders = budget_holders(market, ("meta_ads",), day=START)
    first, second = holders[0].entity_id, holders[1].entity_id
    noon = dt.datetime.combine(START, dt.time(12), tzinfo=dt.UTC)
    ok = [_mutation("meta_ads", first, noon, "100.00", "119.00")]
    assert _breaches({"meta_ads": _Log(ok)}, market, cooldown=dt.timedelta(hours=72),
                     steps={"default": 0.3, "meta_ads": 0.2}, movement=1.0) == []
    planted = [
        _mutation("meta_ads", first, noon, "100.00", "130.00"),  # beyond ±20 %
        _mutation("meta_ads", first, noon + dt.timedelta(hours=5), "130.00", "120.00"),
        _mutation("meta_ads", second, noon, "1.10", "0.90"),  # below the minimum
    ]
    found = _breaches({"meta_ads": _Log(planted)}, market,
                      cooldown=dt.timedelta(hours=72),
                      steps={"default": 0.3, "meta_ads": 0.2}, movement=0.0001)
    text = "\n".join(found)
    assert "moves more than 20%" in text
    assert "changed again 5:00:00" in text
    assert "below the platform minimum" in text
    assert "of the pool" in text


def test_movement_is_measured_against_every_budget_the_platform_reports():
    # Seed 1: a Google campaign budget is the sum of three ad groups' budgets, one of which
    # has no ad delivering on the first day. A change of the whole campaign budget must be
    # measured against a pool that holds that group's budget too, as the planner sees it.
    from emulators.google_ads import resources as google
    from emulators.steering import SteeringScenario, pool_usd

    market = Market(seed=1, today=START, platforms=("google_ads",), accounts_per_platform=1,
                    scenario=SteeringScenario())
    delivering = {h.entity_id for h in budget_holders(market, ("google_ads",), day=START)}
    shared = next(c for a in market.accounts("google_ads")
                  for c in market.campaigns("google_ads", a.id) if c.budget_level == "ad_group"
                  and any(g.id not in delivering
                          for g in market.ad_groups("google_ads", c.id)))
    eve = START - dt.timedelta(days=1)
    pool = pool_usd(market, ("google_ads",), eve)
    holders_only = sum((market.budget("google_ads", h, eve) or 0) / 100 for h in delivering)
    assert pool > holders_only
    whole = Decimal(google.budget_micros(market, shared)) / 1_000_000
    noon = dt.datetime.combine(START, dt.time(12), tzinfo=dt.UTC)

    def moved(amount: Decimal) -> list[str]:
        log = [_mutation("google_ads", shared.id, noon, str(whole), str(whole - amount))]
        return _breaches({"google_ads": _Log(log)}, market, cooldown=dt.timedelta(hours=72),
                         steps={"default": 1.0, "meta_ads": 1.0}, movement=0.15)

    inside = Decimal(str(round(0.15 * pool - 0.5, 2)))
    assert inside > Decimal(str(0.15 * holders_only + 1.0))  # the old measure flagged this
    assert moved(inside) == []
    assert any("of the pool" in line for line in moved(Decimal(str(round(0.15 * pool + 2, 2)))))


def test_each_simulated_day_has_its_own_quota_window():
    # The calls of one simulated day must not throttle the next: a deployment sends one
    # day's calls a day, while the simulation runs a day in seconds.
    from deployments.simulate import MarketClock, quota_clock
    from emulators.quota import QuotaConfig, QuotaTracker

    clock = MarketClock(dt.datetime.combine(START, dt.time(9), tzinfo=dt.UTC))
    ticks = quota_clock(clock)
    tracker = QuotaTracker(QuotaConfig(window_seconds=3600), ticks)
    for _ in range(5):
        tracker.record("act_1")
    usage = tracker.usage("act_1", limit=5)
    assert usage is not None and usage.calls == 5 and usage.regain_seconds > 3000
    first = ticks()
    assert ticks() >= first  # real time runs inside a simulated day
    clock.moment += dt.timedelta(days=1)
    usage = tracker.usage("act_1", limit=5)
    assert usage is not None and usage.calls == 0
