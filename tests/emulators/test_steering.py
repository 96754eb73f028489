from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from emulators import steering
from emulators.market import Market
from emulators.steering import BudgetHolder, SteeringScenario

from .conftest import MovableClock

P3 = ("meta_ads", "google_ads", "linkedin_ads")
DAY = date(2026, 9, 1)
TODAY = date(2026, 11, 26)


def _usd(holders: list[BudgetHolder], budgets: dict[tuple[str, str], int]) -> np.ndarray:
    return np.array([budgets[h.key] / 100.0 * h.fx for h in holders])


def _objective(market: Market, holders: list[BudgetHolder], day: date, usd) -> float:
    pairs = zip(holders, usd, strict=True)
    return sum(steering.revenue_at(market, h, day, float(b)) for h, b in pairs)


# ------------------------------------------------------------------ defaults unchanged
def test_default_market_numbers_are_those_from_before_the_scenario_existed():
    # Digest of DayTruth reprs computed on the commit before emulators/steering.py existed.
    digest = hashlib.sha256()
    for seed in (1, 7):
        m = Market(seed=seed, today=TODAY, platforms=P3)
        for p in P3:
            for acc in m.accounts(p):
                for ad in m.ads(p, acc.id)[:4]:
                    for k in (1, 3, 30, 90):
                        day = TODAY - timedelta(days=k)
                        digest.update(repr(m.truth(p, ad.id, day)).encode())
    assert digest.hexdigest() == (
        "664ad41d7a9ca9ccf02a683440402f529d208b6aebf1f5e2b4e84bbd14e5b8eb")


def test_no_scenario_and_an_inert_scenario_give_the_same_truth():
    plain = Market(seed=5, today=TODAY, platforms=P3)
    explicit = Market(seed=5, today=TODAY, platforms=P3, scenario=None)
    inert = Market(seed=5, today=TODAY, platforms=P3,
                   scenario=SteeringScenario(learning_factor=1.0, inflated_platform=None))
    assert plain.inflated_campaign is None and inert.inflated_campaign is None
    for p in P3:
        for ad in plain.ads(p, plain.accounts(p)[0].id):
            for k in (2, 40):
                day = TODAY - timedelta(days=k)
                assert plain.truth(p, ad.id, day) == explicit.truth(p, ad.id, day)
                assert plain.truth(p, ad.id, day) == inert.truth(p, ad.id, day)
                assert all(e.incremental for e in plain.delivery(p, ad.id, day).events)


# ---------------------------------------------------------------------- learning phase
def _twin_markets() -> tuple[Market, Market, MovableClock]:
    clock = MovableClock(datetime(2026, 11, 2, 12, 0, tzinfo=UTC))
    penalised = Market(seed=3, clock=clock, platforms=P3, scenario=SteeringScenario())
    free = Market(seed=3, clock=clock, platforms=P3,
                  scenario=SteeringScenario(learning_factor=1.0))
    return penalised, free, clock


def _incremental(market: Market, holder: BudgetHolder, day: date) -> int:
    return sum(
        e.incremental
        for ad in market.ads(holder.platform, holder.entity_id)
        for e in market.delivery(holder.platform, ad.id, day).events
    )


def test_learning_penalty_after_a_big_change_lasts_n_days_and_not_after_a_small_one():
    penalised, free, clock = _twin_markets()
    change = clock.now.date()
    big, small = steering.budget_holders(penalised, P3)[:2]
    for m in (penalised, free):
        m.set_budget(*big.key, round((m.budget(*big.key) or 0) * 1.5))
        m.set_budget(*small.key, round((m.budget(*small.key) or 0) * 1.1))
    clock.now += timedelta(days=12)
    window = [change + timedelta(days=i) for i in range(5)]
    for day in window:
        assert penalised.learning(*big.key, day) == 0.8
        assert steering.expected_revenue(penalised, big, day) == pytest.approx(
            0.8 * steering.expected_revenue(free, big, day))
    # Drawn conversions: same uniforms, lower Poisson mean.
    drawn = sum(_incremental(penalised, big, d) for d in window)
    baseline = sum(_incremental(free, big, d) for d in window)
    assert drawn < baseline
    # It ends after N days, and it never starts before the change.
    for day in (change - timedelta(days=1), change + timedelta(days=5)):
        assert penalised.learning(*big.key, day) == 1.0
        assert _incremental(penalised, big, day) == _incremental(free, big, day)
    # A 10 % change is no new learning phase.
    for day in window:
        assert penalised.learning(*small.key, day) == 1.0
        assert _incremental(penalised, small, day) == _incremental(free, small, day)


def test_expected_revenue_prices_the_learning_a_hypothetical_budget_would_cause():
    market = Market(seed=3, today=TODAY, platforms=P3, scenario=SteeringScenario())
    holder = steering.budget_holders(market, P3)[0]
    now = market.budget(*holder.key) or 0
    jump, nudge = round(now * 1.5), round(now * 1.2)
    assert steering.expected_revenue(market, holder, TODAY, jump) == pytest.approx(
        0.8 * steering.expected_revenue(market, holder, TODAY, jump, learning=False))
    assert steering.expected_revenue(market, holder, TODAY, nudge) == (
        steering.expected_revenue(market, holder, TODAY, nudge, learning=False))


# -------------------------------------------------------------------- inflated campaign
def test_inflated_campaign_reports_non_incremental_view_throughs_that_earn_nothing():
    market = Market(seed=4, today=TODAY, platforms=P3, scenario=SteeringScenario())
    honest = Market(seed=4, today=TODAY, platforms=P3,
                    scenario=SteeringScenario(inflated_platform=None))
    assert market.inflated_campaign is not None
    platform, inflated = market.inflated_campaign
    assert platform == "meta_ads"
    days = [TODAY - timedelta(days=k) for k in range(30, 60)]
    shares: dict[bool, list[float]] = {True: [], False: []}
    reported_value = incremental_value = 0.0
    for campaign in market.campaigns(platform, market.accounts(platform)[0].id):
        views = total = 0
        for ad in market.ads(platform, campaign.id):
            for day in days:
                truth = market.truth(platform, ad.id, day)
                views += truth.conversions_by_window["1d_view"]
                total += truth.conversions
                if campaign.id == inflated:
                    reported_value += float(truth.value)
                    events = market.delivery(platform, ad.id, day).events
                    incremental_value += sum(float(e.value) for e in events if e.incremental)
        if total:
            shares[campaign.id == inflated].append(views / total)
    assert min(shares[True]) > 0.5 > 0.3 > max(shares[False])
    assert reported_value > 2.0 * incremental_value
    # The true value ignores them: same as in the market without the inflation.
    for holder in steering.budget_holders(market, [platform]):
        for day in days[:3]:
            assert steering.expected_revenue(market, holder, day) == (
                steering.expected_revenue(honest, holder, day))


def test_expected_spend_and_revenue_match_what_the_market_draws():
    market = Market(seed=2, today=TODAY, platforms=P3)
    holders = steering.budget_holders(market, P3)
    days = [TODAY - timedelta(days=k) for k in range(1, 41)]
    expected_spend = expected_revenue = spend = revenue = 0.0
    for holder in holders:
        for day in days:
            expected_spend += steering.expected_spend(market, holder, day)
            expected_revenue += steering.expected_revenue(market, holder, day)
            for ad in market.ads(holder.platform, holder.entity_id):
                spend += float(market.spend(holder.platform, ad.id, day)) * holder.fx
                events = market.delivery(holder.platform, ad.id, day).events
                revenue += sum(float(e.value) for e in events) * holder.fx
    assert spend == pytest.approx(expected_spend, rel=0.01)
    assert revenue == pytest.approx(expected_revenue, rel=0.03)


def test_realised_revenue_is_static_revenue_while_nobody_changes_budgets():
    market = Market(seed=1, today=TODAY, platforms=P3, scenario=SteeringScenario())
    start, end = TODAY - timedelta(days=40), TODAY - timedelta(days=11)
    holders = steering.budget_holders(market, P3, start)
    static = steering.static_revenue(market, holders, start, end)
    assert steering.realised_revenue(market, P3, start, end) == pytest.approx(static)


# ------------------------------------------------------------------------------ oracle
ORACLE_MARKET = Market(seed=1, today=DAY, platforms=P3, scenario=SteeringScenario())
HOLDERS = steering.budget_holders(ORACLE_MARKET, P3, DAY)
STATIC = steering.static_budgets(ORACLE_MARKET, HOLDERS, DAY)
TOTAL = float(_usd(HOLDERS, STATIC).sum())
ORACLE = steering.oracle_budgets(ORACLE_MARKET, HOLDERS, DAY, TOTAL)
MINS = np.array([h.fx for h in HOLDERS])  # 1.00 of each account currency


def test_budget_holders_are_sorted_delivering_budget_holders():
    assert sorted(HOLDERS) == HOLDERS and len(HOLDERS) > 10
    assert {h.platform for h in HOLDERS} == set(P3)
    for h in HOLDERS:
        assert ORACLE_MARKET.budget(*h.key) is not None
        assert any(ORACLE_MARKET.delivering(h.platform, ad.id, DAY)
                   for ad in ORACLE_MARKET.ads(h.platform, h.entity_id))


def test_oracle_spends_the_total_and_keeps_every_minimum():
    assert set(ORACLE) == {h.key for h in HOLDERS}
    assert all(minor >= 100 for minor in ORACLE.values())
    assert float(_usd(HOLDERS, ORACLE).sum()) == pytest.approx(TOTAL, abs=0.01 * len(HOLDERS))


def test_oracle_beats_static():
    oracle = _objective(ORACLE_MARKET, HOLDERS, DAY, _usd(HOLDERS, ORACLE))
    static = _objective(ORACLE_MARKET, HOLDERS, DAY, _usd(HOLDERS, STATIC))
    assert oracle > 1.05 * static
    end = DAY + timedelta(days=29)
    assert steering.oracle_revenue(ORACLE_MARKET, HOLDERS, DAY, end) > (
        1.05 * steering.static_revenue(ORACLE_MARKET, HOLDERS, DAY, end))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=len(HOLDERS), max_size=len(HOLDERS)))
def test_oracle_beats_any_feasible_reallocation_of_the_same_total(weights):
    w = np.array(weights) + 1e-3
    usd = MINS + w / w.sum() * (TOTAL - MINS.sum())
    oracle = _objective(ORACLE_MARKET, HOLDERS, DAY, _usd(HOLDERS, ORACLE))
    assert oracle >= _objective(ORACLE_MARKET, HOLDERS, DAY, usd) * (1 - 1e-4)


def test_oracle_is_within_one_percent_of_scipy():
    def negative(x: np.ndarray) -> float:
        return -_objective(ORACLE_MARKET, HOLDERS, DAY, x)

    best = -np.inf
    for start in (np.full(len(HOLDERS), TOTAL / len(HOLDERS)), _usd(HOLDERS, STATIC)):
        found = minimize(
            negative, start, method="SLSQP", bounds=[(m, None) for m in MINS],
            constraints=[{"type": "eq", "fun": lambda x: x.sum() - TOTAL}],
            options={"maxiter": 500, "ftol": 1e-10},
        )
        assert abs(found.x.sum() - TOTAL) < 0.01
        best = max(best, -found.fun)
    oracle = _objective(ORACLE_MARKET, HOLDERS, DAY, _usd(HOLDERS, ORACLE))
    assert oracle == pytest.approx(best, rel=0.01)


def test_oracle_is_deterministic():
    again = Market(seed=1, today=DAY, platforms=P3, scenario=SteeringScenario())
    holders = steering.budget_holders(again, P3, DAY)
    assert steering.oracle_budgets(again, holders, DAY, TOTAL) == ORACLE
    other = Market(seed=2, today=DAY, platforms=P3, scenario=SteeringScenario())
    others = steering.budget_holders(other, P3, DAY)
    assert steering.oracle_budgets(other, others, DAY, TOTAL) != ORACLE


def _brute_force(values: np.ndarray, steps: int) -> float:
    return max(
        float(values[0, a] + values[1, b] + values[2, steps - a - b])
        for a in range(steps + 1) for b in range(steps + 1 - a)
    )


def test_allocation_handles_s_shaped_curves_like_brute_force():
    grid = np.arange(41, dtype=np.float64)
    cases = [np.stack([10 * grid**3 / (15.0**3 + grid**3),
                       10 * (0.8 * grid) ** 3 / (15.0**3 + (0.8 * grid) ** 3),
                       4 * grid / (10.0 + grid)])]
    rng = np.random.default_rng(0)
    for _ in range(40):  # Hill shapes like the market's (exponent 0.7..1.5)
        n, k, e = rng.uniform(0.7, 1.5, 3), rng.uniform(3, 30, 3), rng.uniform(1, 10, 3)
        cases.append(np.stack([e[i] * grid**n[i] / (k[i] ** n[i] + grid**n[i])
                               for i in range(3)]))
    for values in cases:
        for steps in (5, 19, 33, 40):
            counts = steering._allocate(values[:, : steps + 1], steps)
            assert int(counts.sum()) == steps
            got = values[np.arange(3), counts].sum()
            assert got == pytest.approx(_brute_force(values, steps), rel=1e-9)
