"""``verify-budget-changes``: a change that clearly hurt is found and reverted through the loop.

A real cut is applied on the Meta emulator ten days before "now" (through the ledger and the
campaign writer, as a plan would), the market delivers the days since at the cut budget, the
extract reads them into the warehouse, and the verification judges the change against the
untouched ad sets and campaigns. The cut is chosen, with the market's hidden curves, as the
one that loses the most value beyond the spend it saves, so the verdict must be ``hurt``; the
revert is witnessed by the emulator's mutation log and recorded in the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from emulators.market import Market
from emulators.registry import EMULATORS
from emulators.steering import BudgetHolder, budget_holders, expected_revenue
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
CHANGED = NOW - dt.timedelta(days=10)
CUT = 0.3  # the budget is cut to 30 %


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def test_a_change_that_clearly_hurt_is_judged_so_and_reverted(sandbox_env: Path):
    from flows.extract_ads import extract_ads
    from flows.verify_budget_changes import verify_budget_changes
    from resources import current
    from store import changes
    from store.changes import NewIntent, NewPlan
    from tasks.apply_changes import apply_intents
    from tasks.decision_loop import ledger_engine, writers

    clock = Clock(CHANGED)
    market = Market(seed=3, clock=clock, platforms=("meta_ads",))
    emulator = EMULATORS["meta_ads"](market=market)
    day = CHANGED.date()

    def loss(holder: BudgetHolder) -> float:
        budget = market.budget(holder.platform, holder.entity_id) or 0
        kept = round(budget * CUT)
        lost = (expected_revenue(market, holder, day, budget)
                - expected_revenue(market, holder, day, kept))
        return lost - (budget - kept) / 100 * holder.fx

    holder = max(budget_holders(market, ("meta_ads",), day=day), key=loss)
    assert loss(holder) > 0
    before = Decimal(market.budget("meta_ads", holder.entity_id) or 0) / 100
    after = (before * Decimal(str(CUT))).quantize(Decimal("0.01"))
    level = "campaign" if holder.level == "campaign" else "ad_set"

    with use_sandbox_emulator("meta_ads", emulator):
        environment = current()
        engine = ledger_engine(environment)
        key = f"budgets:test:{holder.entity_id}"
        changes.record_plan(engine, NewPlan("budgets:test", "budgets", "a cut"), [NewIntent(
            key, "meta_ads", holder.account_id, level, holder.entity_id, "daily_budget",
            str(before), str(after), "cut for the test", currency=holder.currency,
            expected={"value_before": 0, "value_after": 0, "rate": "1"})], now=CHANGED)
        changes.decide(engine, approve=[key], by="test", now=CHANGED)
        with writers(environment) as writer_for:
            report = apply_intents(engine, changes.list_intents(engine), writer_for,
                                   clock=clock)
        assert report.applied == [key]

        clock.moment = NOW
        assert extract_ads(platforms=["meta_ads"]).ok
        result = verify_budget_changes(attribution_model=None, auto_apply_reverts=True)

    assert result.judged == 1 and result.verdicts == {"hurt": 1}, result.rows
    row = result.rows[0]
    assert row["counterfactual"] == "control" and row["revert"] is True
    assert result.reverted == [key]
    budget_changes = [(m.old, m.new) for m in emulator.mutation_log
                      if m.attribute == "daily_budget"]
    assert budget_changes == [(before, after), (after, before)]
    assert Decimal(market.budget("meta_ads", holder.entity_id) or 0) / 100 == before
    statuses = {i.intent_key: (i.status, i.reverts_key) for i in changes.list_intents(engine)}
    assert statuses[key] == ("reverted", None)
    assert [v for k, v in statuses.items() if k != key] == [("applied", key)]
