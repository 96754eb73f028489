"""The budget flow's steering value: a platform-reported value's view-through part is weighed.

Two Meta campaigns spend alike; one's reported value is mostly view-throughs. Counted whole
(weight 1) it looks the better buy; on click-through value only (weight 0) it is the worse.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.campaign_writes import writer_class
from marketing.budgets import plan_budgets
from marketing.budgets.guardrails import GuardrailPolicy
from tasks.budgets import (
    BudgetInputs,
    PoolEntity,
    _frame,
    entity_states,
    plan_intents,
    select_pool,
)
from warehouse.budget_inputs import PLATFORM_REPORTED, BudgetDay, BudgetEntity, BudgetHistory

END = dt.date(2026, 11, 19)
DAYS = 28
SINCE = END - dt.timedelta(days=DAYS - 1)
NOW = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _entity(entity_id: str, roas: str, view_roas: str, *,
            source: str = PLATFORM_REPORTED) -> BudgetEntity:
    days = []
    for i in range(DAYS):
        spend = Decimal(50 + round(20 * math.sin(i))).quantize(Decimal("0.01"))
        value = spend * Decimal(roas)
        days.append(BudgetDay(SINCE + dt.timedelta(days=i), spend, Decimal(3), value, value,
                              spend * Decimal(view_roas)))
    return BudgetEntity(
        platform="meta_ads", account_id="meta_ads:act_1", native_account_id="act_1",
        level="campaign", entity_id=entity_id, core_ids=(f"meta_ads:{entity_id}",),
        campaign_ids=(f"meta_ads:{entity_id}",), name=f"campaign {entity_id}", currency="USD",
        daily_budget=Decimal("50.00"), status="ACTIVE", attribution_keys=(),
        value_source=source, value_note=None, calibration=None, days=tuple(days))


def _pool(*entities: BudgetEntity, rate: str = "1") -> list[PoolEntity]:
    rules = writer_class("meta_ads").rules
    return [PoolEntity(e, rules, Decimal(rate), excluded=False) for e in entities]


VIEWY = _entity("1", roas="4", view_roas="3")   # reported ROAS 4, of which 3 from views
CLICKY = _entity("2", roas="2", view_roas="0")  # reported ROAS 2, all from clicks


@pytest.mark.parametrize(("weight", "roas"), [(0.0, 1.0), (0.5, 2.5), (1.0, 4.0)])
def test_frame_counts_the_view_through_part_at_the_weight(weight: float, roas: float) -> None:
    frame = _frame(VIEWY, Decimal("0.5"), "value", SINCE, weight)  # reporting = half the USD
    assert frame["value"].sum() == pytest.approx(roas * frame["spend"].sum())
    assert frame["spend"].sum() == pytest.approx(float(VIEWY.spend) * 0.5)


def test_frame_never_goes_below_zero_and_leaves_other_values_alone() -> None:
    over = _entity("3", roas="1", view_roas="2")  # views above the total: clamp at 0
    assert (_frame(over, Decimal(1), "value", SINCE, 0.0)["value"] == 0).all()
    calibrated = _entity("4", roas="4", view_roas="3", source="attribution:linear")
    frame = _frame(calibrated, Decimal(1), "value", SINCE, 0.0)
    assert frame["value"].sum() == pytest.approx(float(calibrated.value))
    conversions = _frame(VIEWY, Decimal(1), "conversions", SINCE, 0.0)
    assert (conversions["value"] == 3).all()


def test_weight_zero_steers_by_click_through_value_and_records_the_weight() -> None:
    pool = _pool(VIEWY, CLICKY)
    predicted = {}
    for weight in (0.0, 1.0):
        states = entity_states(pool, value="value", last_changes={}, since=SINCE,
                               view_through_weight=weight)
        predicted[weight] = {s.entity_id: s.curve.value(50.0) for s in states}
        plan = plan_budgets(states, now=NOW, grid_step=Decimal("0.01"))
        intents = plan_intents(plan, pool, key="k", auto_apply_max_change=1.0,
                               value_source=PLATFORM_REPORTED, view_through_weight=weight)
        assert intents, weight
        after = {i.entity_id: Decimal(i.after) for i in intents}
        # the money goes to whichever return is higher once the views are weighed
        richer, poorer = ("2", "1") if weight == 0.0 else ("1", "2")
        assert after[richer] > Decimal("50.00") > after[poorer], (weight, after)
        assert {i.evidence["view_through_weight"] for i in intents} == {weight}
    viewy, clicky = "meta_ads:campaign:1", "meta_ads:campaign:2"
    assert predicted[1.0][viewy] > 3 * predicted[0.0][viewy]
    assert predicted[0.0][viewy] < predicted[0.0][clicky]


def test_a_calibrated_value_is_not_weighed_and_its_evidence_says_so() -> None:
    calibrated = _entity("5", roas="4", view_roas="3", source="attribution:linear")
    pool = _pool(calibrated, CLICKY)
    states = {w: entity_states(pool, value="value", last_changes={}, since=SINCE,
                               view_through_weight=w) for w in (0.0, 1.0)}
    key = "meta_ads:campaign:5"
    curves = {w: next(s.curve for s in found if s.entity_id == key)
              for w, found in states.items()}
    assert curves[0.0].value(50.0) == pytest.approx(curves[1.0].value(50.0))
    plan = plan_budgets(states[0.0], now=NOW, grid_step=Decimal("0.01"))
    intents = plan_intents(plan, pool, key="k", auto_apply_max_change=1.0,
                           value_source="attribution:linear", view_through_weight=0.0)
    weights = {i.entity_id: i.evidence["view_through_weight"] for i in intents}
    assert weights == {"5": None, "2": 0.0}


def _budget(platform: str, level: str, entity_id: str, *, status: str = "ACTIVE",
            budget: str | None = "50.00") -> BudgetEntity:
    e = _entity(entity_id, roas="2", view_roas="0")
    return replace(e, platform=platform, account_id=f"{platform}:1", native_account_id="1",
                   level=level, status=status,
                   daily_budget=None if budget is None else Decimal(budget))


def test_select_pool_keeps_linkedin_campaign_groups_and_says_what_it_leaves_out() -> None:
    """LinkedIn groups holding a budget are writable (Campaign Group Budget Optimization);
    a level no writer takes, a paused budget and a group without one stay out, each named."""
    entities = (_budget("linkedin_ads", "campaign_group", "g1"),
                _budget("linkedin_ads", "campaign", "c1"),
                _budget("linkedin_ads", "campaign_group", "g2", status="PAUSED"),
                _budget("linkedin_ads", "campaign_group", "g3", budget=None),
                _budget("google_ads", "campaign", "x1"))
    history = BudgetHistory(SINCE, END, None, None, None, entities)
    inputs = BudgetInputs(history, None, {"USD": Decimal(1)}, "USD", SINCE)
    chosen, notes = select_pool(inputs, pool=None, exclude=())
    assert [(p.entity.level, p.entity.entity_id) for p in chosen] == [
        ("campaign_group", "g1"), ("campaign", "c1")]
    assert chosen[0].rules.minimum("USD") == Decimal("10.00")
    assert any("google_ads campaign x1: not writable" in n for n in notes)
    assert not any("g2" in n or "g3" in n for n in notes)  # not asked for by name: silent
    _, named = select_pool(inputs, pool=["g2", "g3", "g1"], exclude=())
    assert sum("not active with a daily budget" in n for n in named) == 2


def test_account_currency_rounding_never_moves_more_than_the_plan() -> None:
    # 1 account unit = 0.73 reporting units and a movement cap that splits the move: the
    # plan's cents fall between the account's, and each budget rounds toward its current
    # value, so no change grows (a cut rounded down broke the cap by a cent per line).
    pool = _pool(VIEWY, CLICKY, rate="0.73")
    states = entity_states(pool, value="value", last_changes={}, since=SINCE)
    plan = plan_budgets(states, now=NOW, grid_step=Decimal("0.01"),
                        policy=GuardrailPolicy(max_movement_share=0.13))
    intents = plan_intents(plan, pool, key="k", auto_apply_max_change=1.0,
                           value_source=PLATFORM_REPORTED)
    lines = {line.entity_id.rsplit(":", 1)[-1]: line for line in plan.moved()}
    assert {i.entity_id for i in intents} == set(lines) == {"1", "2"}
    rate = Decimal("0.73")
    rounded = 0
    for intent in intents:
        before, after = Decimal(str(intent.before)), Decimal(str(intent.after))
        planned = lines[intent.entity_id].after / rate
        rounded += after != planned
        assert abs(after - before) <= abs(planned - before), intent
    assert rounded  # the account's cents really did round somewhere


def test_frame_prices_each_days_conversions_at_the_entitys_average_order_value() -> None:
    # order values scatter from day to day; the fit sees conversions x the entity's value
    # per conversion over every day read, also those before the fit window
    days = []
    for i in range(DAYS):
        conversions = Decimal(2 + i % 3)
        value = conversions * Decimal(40 if i % 2 else 80)  # AOV 40 or 80, 60 on average
        days.append(BudgetDay(SINCE + dt.timedelta(days=i), Decimal(50), conversions, value,
                              value, Decimal(0)))
    entity = replace(VIEWY, days=tuple(days))
    since = SINCE + dt.timedelta(days=7)
    frame = _frame(entity, Decimal(1), "value", since, 0.0)
    total_value = sum(float(d.value) for d in days)
    aov = total_value / sum(float(d.conversions) for d in days)
    assert len(frame) == DAYS - 7
    assert frame["value"].tolist() == pytest.approx((frame["conversions"] * aov).tolist())
    # without conversions the reported value is kept as it is
    no_conversions = replace(entity, days=tuple(replace(d, conversions=Decimal(0))
                                                for d in days))
    kept = _frame(no_conversions, Decimal(1), "value", since, 0.0)
    assert kept["value"].tolist() == [float(d.value) for d in days[7:]]
