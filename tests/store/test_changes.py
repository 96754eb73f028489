"""The change ledger: plans recorded once, decisions and applies as compare-and-set moves.

Runs on SQLite and (marked ``postgres``) PostgreSQL, like the other store tests.
"""

from __future__ import annotations

import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import store
from store import changes
from store.changes import TRANSITIONS, ChangePlanError, NewIntent, NewPlan
from store.schema import (
    _UPGRADES,
    change_intents,
    change_plans,
    conversion_uploads,
    inbox,
    schema_info,
)

T0 = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
PLAN = NewPlan("budget:2026-12-04:pool-a", "budget", "Budgets for 4 December",
               {"mode": "fixed_total", "total": "1500.00"})


def intent(n: int, *, plan: str = "budget:2026-12-04:pool-a", needs_approval: bool = True
           ) -> NewIntent:
    return NewIntent(
        intent_key=f"{plan}:meta_ads:{n}:daily_budget", platform="meta_ads",
        account_id="act_1001", level="ad_set", entity_id=f"2380000{n}", field="daily_budget",
        before="100.00", after=f"{100 + n}.00", currency="USD",
        reason="marginal ROAS 2.4 above the pool's 1.8",
        evidence={"marginal_roas": 2.4, "days": 28}, expected={"value_per_day": [210, 236]},
        needs_approval=needs_approval,
    )


def statuses(engine) -> dict[str, str]:
    return {i.intent_key: i.status for i in changes.list_intents(engine)}


def test_a_plan_is_recorded_once_and_a_rerun_finds_it_as_it_stands(engine):
    first = changes.record_plan(engine, PLAN, [intent(1), intent(2)], now=T0, run_id="run-1")
    assert first.inserted and first.plan.run_id == "run-1"
    assert first.plan.parameters == {"mode": "fixed_total", "total": "1500.00"}
    assert [(i.entity_id, i.before, i.after, i.status) for i in first.intents] == [
        ("23800001", "100.00", "101.00", "proposed"), ("23800002", "100.00", "102.00",
                                                       "proposed")]
    assert first.intents[0].evidence == {"marginal_roas": 2.4, "days": 28}

    changes.decide(engine, approve=[intent(1).intent_key], by="ana@example.com",
                   now=T0 + timedelta(minutes=5))
    again = changes.record_plan(engine, PLAN, [intent(1), intent(2)], now=T0 + timedelta(hours=1),
                                run_id="run-2")
    assert not again.inserted and again.plan.id == first.plan.id
    assert again.plan.run_id == "run-1" and again.plan.created_at == T0
    assert [i.status for i in again.intents] == ["approved", "proposed"]
    with engine.connect() as con:
        assert con.execute(sa.select(sa.func.count()).select_from(change_plans)).scalar() == 1
        assert con.execute(sa.select(sa.func.count()).select_from(change_intents)).scalar() == 2


def test_a_plan_key_reused_for_other_changes_is_refused(engine):
    changes.record_plan(engine, PLAN, [intent(1)], now=T0)
    with pytest.raises(ChangePlanError, match="recorded before with other changes"):
        changes.record_plan(engine, PLAN, [intent(1), intent(2)], now=T0)
    other = NewPlan("budget:2026-12-05:pool-a", "budget", "Budgets for 5 December")
    with pytest.raises(ChangePlanError, match="already belong to another plan"):
        changes.record_plan(engine, other, [intent(1)], now=T0)
    with pytest.raises(ChangePlanError, match="names an intent key twice"):
        changes.record_plan(engine, other, [intent(3), intent(3)], now=T0)
    # Nothing of the refused plans was written.
    assert list(statuses(engine)) == [intent(1).intent_key]
    with pytest.raises(ChangePlanError, match="no change plan"):
        changes.get_plan(engine, other.plan_key)


def test_decisions_move_only_proposed_intents_and_say_what_they_moved(engine):
    changes.record_plan(engine, PLAN, [intent(n) for n in range(1, 5)], now=T0)
    keys = [intent(n).intent_key for n in range(1, 5)]
    approved, rejected = changes.decide(engine, approve=keys[:2], reject=keys[2:3],
                                        by="ana@example.com", now=T0, comment="not the brand one")
    assert approved == set(keys[:2]) and rejected == {keys[2]}
    # The same decision again, or a contrary one, changes nothing.
    assert changes.decide(engine, approve=keys[:3], by="bo@example.com", now=T0) == (set(), set())
    assert changes.decide(engine, reject=keys[:2], by="bo@example.com", now=T0) == (set(), set())
    rows = {i.intent_key: i for i in changes.list_intents(engine, plan_key=PLAN.plan_key)}
    assert [rows[k].status for k in keys] == ["approved", "approved", "rejected", "proposed"]
    assert rows[keys[0]].decided_by == "ana@example.com"
    assert rows[keys[2]].comment == "not the brand one"
    with pytest.raises(ChangePlanError, match="both approved and rejected"):
        changes.decide(engine, approve=keys[3:], reject=keys[3:], by="x", now=T0)
    with pytest.raises(ChangePlanError, match="no change intent 'nope'"):
        changes.decide(engine, approve=["nope"], by="x", now=T0)


def test_apply_moves_claim_finish_fail_retry_and_release(engine):
    changes.record_plan(engine, PLAN, [intent(1), intent(2), intent(3)], now=T0)
    one, two, three = (intent(n).intent_key for n in (1, 2, 3))
    assert not changes.claim(engine, one, now=T0)  # not approved yet
    changes.decide(engine, approve=[one, two, three], by="policy", now=T0)

    assert changes.claim(engine, one, now=T0) and not changes.claim(engine, one, now=T0)
    assert changes.finish(engine, one, "applied", now=T0, observed="101.00")
    assert not changes.finish(engine, one, "failed", now=T0)  # finished once

    assert changes.claim(engine, two, now=T0)
    assert changes.finish(engine, two, "failed", now=T0, error="RateLimitError: retries spent")
    assert changes.claim(engine, two, now=T0 + timedelta(hours=1))  # a failed write may retry
    assert changes.finish(engine, two, "skipped", now=T0, observed="102.00")

    assert changes.claim(engine, three, now=T0)
    assert changes.release(engine, three, now=T0, observed="100.00")  # the write never landed
    assert changes.claim(engine, three, now=T0)

    rows = {i.intent_key: i for i in changes.list_intents(engine)}
    assert (rows[one].status, rows[one].observed, rows[one].attempts) == ("applied", "101.00", 1)
    assert (rows[two].status, rows[two].attempts, rows[two].error) == ("skipped", 2, None)
    assert (rows[three].status, rows[three].attempts) == ("applying", 2)
    assert [i.intent_key for i in changes.list_intents(engine, status="applying")] == [three]

    assert changes.mark_reverted(engine, [one, two], now=T0, note="value fell 30 % vs control"
                                 ) == {one}
    assert changes.mark_compensated(engine, [one], now=T0, note="plan rolled back") == set()
    assert statuses(engine)[one] == "reverted"


def test_two_runs_claiming_the_same_intents_apply_each_once(store_url):
    engines = [store.create_store_engine(store_url) for _ in range(2)]
    try:
        store.create_schema(engines[0])
        intents = [intent(n, needs_approval=False) for n in range(40)]
        changes.record_plan(engines[0], PLAN, intents, now=T0)
        changes.decide(engines[0], approve=[i.intent_key for i in intents], by="policy", now=T0)
        won: list[list[str]] = [[], []]
        start = threading.Barrier(2)

        def run(n: int) -> None:
            start.wait()
            for i in intents:
                if changes.claim(engines[n], i.intent_key, now=T0):
                    won[n].append(i.intent_key)
                    changes.finish(engines[n], i.intent_key, "applied", now=T0)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won[0] + won[1]) == sorted(i.intent_key for i in intents)
        assert not set(won[0]) & set(won[1])
        assert {i.attempts for i in changes.list_intents(engines[0])} == {1}
    finally:
        for engine in engines:
            engine.dispose()


def test_a_version_2_store_is_upgraded_to_hold_the_change_ledger(store_url):
    engine = store.create_store_engine(store_url)
    try:
        with engine.begin() as con:  # what version-2 code created
            schema_info.create(con)
            inbox.create(con)
            conversion_uploads.create(con)
            con.execute(sa.insert(schema_info).values(version=2, applied_at=T0))
        assert not sa.inspect(engine).has_table("change_intents")
        assert store.create_schema(engine) == store.SCHEMA_VERSION == 3
        assert store.schema_version(engine) == 3
        changes.record_plan(engine, PLAN, [intent(1)], now=T0)
        assert len(changes.list_intents(engine)) == 1
        with engine.begin() as con:
            _UPGRADES[3](con)  # again: harmless
    finally:
        engine.dispose()


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["approve", "reject", "claim", "applied", "skipped", "failed",
                               "release", "revert", "compensate"]),
              st.integers(0, 2)),
    max_size=30,
)


# Each operation: the status it moves to, and the only statuses it moves from.
MOVES = {
    "approve": ("approved", {"proposed"}), "reject": ("rejected", {"proposed"}),
    "claim": ("applying", {"approved", "failed"}), "applied": ("applied", {"applying"}),
    "skipped": ("skipped", {"applying"}), "failed": ("failed", {"applying"}),
    "release": ("approved", {"applying"}), "revert": ("reverted", {"applied"}),
    "compensate": ("compensated", {"applied"}),
}


@settings(max_examples=40, deadline=None)
@given(operations=OPERATIONS)
def test_any_sequence_of_moves_follows_the_transitions(operations):
    with tempfile.TemporaryDirectory() as folder:
        engine = store.create_store_engine(f"sqlite:///{Path(folder) / 'store.sqlite'}")
        try:
            store.create_schema(engine)
            changes.record_plan(engine, PLAN, [intent(n) for n in range(3)], now=T0)
            keys = [intent(n).intent_key for n in range(3)]
            model = dict.fromkeys(keys, "proposed")
            applied_count = dict.fromkeys(keys, 0)
            for op, n in operations:
                key, before = keys[n], model[keys[n]]
                target, sources = MOVES[op]
                allowed = before in sources
                assert not allowed or target in TRANSITIONS[before]
                if op == "approve":
                    moved = key in changes.decide(engine, approve=[key], by="x", now=T0)[0]
                elif op == "reject":
                    moved = key in changes.decide(engine, reject=[key], by="x", now=T0)[1]
                elif op == "claim":
                    moved = changes.claim(engine, key, now=T0)
                elif op in ("applied", "skipped", "failed"):
                    moved = changes.finish(engine, key, op, now=T0)
                elif op == "release":
                    moved = changes.release(engine, key, now=T0)
                elif op == "revert":
                    moved = key in changes.mark_reverted(engine, [key], now=T0, note="n")
                else:
                    moved = key in changes.mark_compensated(engine, [key], now=T0, note="n")
                assert moved == allowed, (op, before)
                if moved:
                    model[key] = target
                    applied_count[key] += target == "applied"
            assert statuses(engine) == model
            assert max(applied_count.values(), default=0) <= 1
        finally:
            engine.dispose()
