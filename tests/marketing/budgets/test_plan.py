"""A reallocation run's guardrails: holds, bounds, movement cap, deadband, minimums, rounding."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.budgets.curves import ResponseCurve, linear, saturating
from marketing.budgets.guardrails import (
    EntityState,
    GuardrailPolicy,
    PlatformLimits,
    in_deadband,
    to_platform,
)
from marketing.budgets.pacing import month_pace
from marketing.budgets.plan import BudgetPlan
from marketing.budgets.reallocate import plan_budgets
from marketing.budgets.reasons import Reason

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
LOOSE = GuardrailPolicy(max_movement_share=1.0)


def _curve(a: float, b: float, days: int = 28) -> ResponseCurve:
    return ResponseCurve(saturating(a, b).kind, a, b, data_days=days)


def _entity(eid: str, current: int, a: float, b: float, platform: str = "google_ads",
            **kw: Any) -> EntityState:
    return EntityState(eid, platform, Decimal(current), _curve(a, b), **kw)


def _by_id(plan: BudgetPlan) -> dict[str, tuple[Decimal, tuple[Reason, ...]]]:
    return {c.entity_id: (c.after, c.reasons) for c in plan.changes}


def test_money_moves_to_the_better_curve_within_step_bounds() -> None:
    plan = plan_budgets([_entity("good", 100, 2000, 400), _entity("poor", 100, 150, 100)],
                        now=NOW, policy=LOOSE)
    rows = _by_id(plan)
    assert rows["good"] == (Decimal(130), (Reason.REALLOCATED, Reason.STEP_BOUND))
    assert rows["poor"][0] == Decimal(70)
    assert plan.total_after == plan.total_before == Decimal(200)
    assert plan.expected_effect > 0
    meta = plan_budgets([_entity("good", 100, 2000, 400, platform="meta_ads"),
                         _entity("poor", 100, 150, 100)], now=NOW, policy=LOOSE)
    assert _by_id(meta)["good"][0] == Decimal(120)  # ±20 % on Meta
    assert _by_id(meta)["poor"][0] == Decimal(80)


@pytest.mark.parametrize(("kw", "reason"), [
    ({"learning": True}, Reason.LEARNING),
    ({"excluded": True}, Reason.EXCLUDED),
    ({"last_changed_at": NOW - timedelta(hours=71)}, Reason.COOLDOWN),
])
def test_held_entities_do_not_move(kw: dict[str, Any], reason: Reason) -> None:
    plan = plan_budgets([_entity("good", 100, 2000, 400, **kw), _entity("poor", 100, 150, 100)],
                        now=NOW, policy=LOOSE)
    assert _by_id(plan)["good"] == (Decimal(100), (reason,))
    # the held budget counts against the total: the other one cannot take it
    assert _by_id(plan)["poor"][0] == Decimal(100)


def test_cooldown_ends_after_72_hours() -> None:
    plan = plan_budgets([_entity("good", 100, 2000, 400, last_changed_at=NOW - timedelta(hours=73)),
                         _entity("poor", 100, 150, 100)], now=NOW, policy=LOOSE)
    assert _by_id(plan)["good"][0] == Decimal(130)


def test_delivery_cap_and_fallback_curve_show_in_the_reasons() -> None:
    capped = EntityState("capped", "google_ads", Decimal(100),
                         ResponseCurve(saturating(1, 1).kind, 2000, 400, cap=112, data_days=28))
    shrunk = EntityState("shrunk", "google_ads", Decimal(100),
                         ResponseCurve(linear(1).kind, 0.5, data_days=28, note=Reason.POOR_FIT))
    plan = plan_budgets([capped, shrunk, _entity("mid", 100, 400, 200)], now=NOW, policy=LOOSE)
    rows = _by_id(plan)
    assert rows["capped"] == (Decimal(112), (Reason.REALLOCATED, Reason.DELIVERY_CAP))
    assert rows["shrunk"] == (Decimal(70), (Reason.REALLOCATED, Reason.STEP_BOUND,
                                            Reason.POOR_FIT))
    ev = plan.changes[0].evidence
    assert ev.cap == 112 and ev.data_days == 28 and ev.marginal_roas == 0.0


def test_thin_history_is_held() -> None:
    thin = EntityState("thin", "google_ads", Decimal(100), _curve(2000, 400, days=5))
    plan = plan_budgets([thin, _entity("poor", 100, 150, 100)], now=NOW, policy=LOOSE)
    assert _by_id(plan)["thin"] == (Decimal(100), (Reason.THIN_DATA,))


def test_total_movement_is_capped_at_15_percent_of_the_pool() -> None:
    plan = plan_budgets([_entity("good", 100, 2000, 400), _entity("poor", 100, 150, 100)],
                        now=NOW)
    moved = sum(abs(c.after - c.before) for c in plan.changes)
    assert moved <= Decimal(30)  # 15 % of 200
    assert moved >= Decimal(29)
    assert all(Reason.TOTAL_MOVEMENT in c.reasons for c in plan.changes)


def test_deadband_skips_small_changes() -> None:
    # nearly equal curves: the optimum is a couple of units away, below max(5 %, 1)
    plan = plan_budgets([_entity("x", 100, 1000, 300), _entity("y", 100, 1010, 300)],
                        now=NOW, policy=LOOSE)
    assert {c.after for c in plan.changes} == {Decimal(100)}
    assert all(Reason.DEADBAND in c.reasons for c in plan.changes)
    policy = GuardrailPolicy()
    assert in_deadband(Decimal(100), Decimal("104.99"), policy)
    assert not in_deadband(Decimal(100), Decimal(105), policy)
    assert in_deadband(Decimal(10), Decimal("10.99"), policy)  # the 1-unit floor


def test_platform_rounding_goes_down_or_toward_current_and_never_below_minimum() -> None:
    limits = PlatformLimits(minimum=Decimal(5), step=Decimal(1))
    assert to_platform(Decimal("17.9"), limits) == (Decimal(17), Reason.ROUNDING)
    # a cut rounds up toward the current budget, a raise down toward it
    assert to_platform(Decimal("17.1"), limits, toward=Decimal(20)) == (Decimal(18),
                                                                       Reason.ROUNDING)
    assert to_platform(Decimal("17.9"), limits, toward=Decimal(10)) == (Decimal(17),
                                                                       Reason.ROUNDING)
    assert to_platform(Decimal("4.2"), limits) == (Decimal(5), Reason.PLATFORM_MINIMUM)
    assert to_platform(Decimal(17), limits) == (Decimal(17), None)


def test_month_pacing_sets_the_total_and_says_so() -> None:
    pace = month_pace(Decimal(31_000), Decimal(0), NOW.date().replace(day=20))
    # 31,000 unspent over 12 days is 2,583/day, clipped to +25 % of 1,000
    assert pace.total == Decimal(1250) and pace.clipped
    # December 7th, 9,300 left over 25 days: 372/day, clipped to -25 % of 1,000
    entities = [_entity(f"e{i}", 100 * (i + 1), 3000, 500) for i in range(4)]
    plan = plan_budgets(entities, now=NOW, pace=month_pace(Decimal(31_000), Decimal(21_700),
                                                           NOW.date()), policy=LOOSE)
    assert plan.target_total == Decimal(750) and plan.total_after == Decimal(750)
    assert all(Reason.PACING in c.reasons for c in plan.changes)


def test_target_roas_cuts_what_does_not_clear_the_target() -> None:
    plan = plan_budgets([_entity("good", 100, 2000, 400), _entity("poor", 100, 150, 100)],
                        now=NOW, mode="target_roas", target=3.0, policy=LOOSE)
    rows = _by_id(plan)
    assert rows["good"][0] == Decimal(130) and rows["poor"][0] == Decimal(70)
    assert plan.total_after == Decimal(200)


@st.composite
def accounts(draw: st.DrawFn) -> list[EntityState]:
    out = []
    for i in range(draw(st.integers(1, 7))):
        curve = (_curve(draw(st.floats(50, 5000)), draw(st.floats(10, 500)))
                 if draw(st.booleans()) else
                 ResponseCurve(linear(1.0).kind, draw(st.floats(0.1, 8)), data_days=30,
                               cap=draw(st.floats(20, 1000))))
        status = draw(st.sampled_from(["free", "free", "learning", "cooldown", "excluded"]))
        out.append(EntityState(
            f"e{i}", draw(st.sampled_from(["meta_ads", "google_ads", "linkedin_ads"])),
            Decimal(draw(st.integers(1, 500))), curve,
            PlatformLimits(minimum=Decimal(draw(st.integers(0, 20))),
                           step=Decimal(draw(st.sampled_from(["0.01", "1"])))),
            last_changed_at=NOW - timedelta(hours=10) if status == "cooldown" else None,
            learning=status == "learning", excluded=status == "excluded"))
    return out


@settings(max_examples=60, deadline=None)
@given(accounts(), st.randoms(use_true_random=False))
def test_plan_invariants(entities: list[EntityState], rnd: random.Random) -> None:
    plan = plan_budgets(entities, now=NOW)
    policy = GuardrailPolicy()
    by_id = {e.entity_id: e for e in entities}
    for c in plan.changes:
        e = by_id[c.entity_id]
        if e.learning or e.excluded or e.last_changed_at is not None:
            assert c.after == c.before
            continue
        if c.changed:
            assert c.after >= e.limits.minimum
            delta = Decimal(str(policy.step_bound(e.platform)))
            assert c.after <= max(e.current * (1 + delta), e.limits.minimum)
            # rounding goes toward the current budget: never past the step bound
            assert c.after >= min(e.current * (1 - delta), e.limits.minimum)
            assert not in_deadband(c.before, c.after, policy)
    moved = sum(abs(c.after - c.before) for c in plan.changes)
    # raising a budget that sits below the platform minimum is forced, not chosen
    forced = sum(max(by_id[c.entity_id].limits.minimum - c.before, Decimal(0))
                 for c in plan.changes if c.changed)
    # nor past the run's movement cap
    assert moved - forced <= plan.total_before * Decimal("0.15")
    shuffled = list(entities)
    rnd.shuffle(shuffled)
    assert repr(plan_budgets(shuffled, now=NOW)) == repr(plan)
