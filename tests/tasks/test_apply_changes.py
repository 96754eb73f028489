"""Applying a plan through the Meta writer and its emulator: once each, rolled back on failure.

The emulator's mutation log is the witness: every budget change the platform took is in it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.campaign_writes import CampaignChange, CampaignWriter
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.meta_ads.campaign_writer import MetaCampaignWriter
from connectors.retry import RetryPolicy
from emulators.market import Market
from emulators.meta_ads import SANDBOX_TOKEN, MetaAdsEmulator
from store import changes, create_schema, create_store_engine
from store.changes import NewIntent, NewPlan
from tasks.apply_changes import apply_intents
from tests.connectors.fakes import FakeClock

NOW = FakeClock().now
PLAN = NewPlan("budget:test", "budget", "test plan")


class Killed(BaseException):
    """The process dies here (nothing below ``BaseException`` catches it)."""


class Sandbox:
    """One Meta emulator, a writer on it, and a store with a recorded, approved plan."""

    def __init__(self, tmp_path: Any, count: int = 4) -> None:
        self.market = Market(seed=7, today=NOW.date(), platforms=("meta_ads",))
        self.emulator = MetaAdsEmulator(self.market)
        account = self.market.accounts("meta_ads")[0]
        self.account, self.currency = account.id, account.currency
        # Budgets live on campaigns (campaign budget) or on ad sets, never both.
        holders = [("campaign", c.id) for c in self.market.campaigns("meta_ads", account.id)]
        holders += [("ad_set", g.id) for g in self.market.ad_groups("meta_ads", account.id)]
        held = sorted((i, level) for level, i in holders
                      if self.market.budget("meta_ads", i) is not None)
        assert len(held) >= count
        self.levels = dict(held[:count])
        self.ad_sets = list(self.levels)
        self.engine = create_store_engine(f"sqlite:///{tmp_path}/store.sqlite")
        create_schema(self.engine)

    def writer(self) -> MetaCampaignWriter:
        fake = FakeClock(NOW)
        connector = MetaAdsConnector(
            MetaAdsSettings(access_token=SecretStr(SANDBOX_TOKEN),
                            retry=RetryPolicy(max_attempts=2)),
            transport=self.emulator.transport(), sleep=fake.sleep, clock=fake)
        return MetaCampaignWriter(connector)

    def budgets(self) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        with self.writer() as writer:
            for level in sorted(set(self.levels.values())):
                ids = [i for i in self.ad_sets if self.levels[i] == level]
                states = writer.current(self.account, ids, level=level)
                found.update({i: states[i].daily_budget for i in ids})  # type: ignore[misc]
        return {i: found[i] for i in self.ad_sets}

    def plan(self, afters: dict[str, Decimal]) -> None:
        before = self.budgets()
        intents = [NewIntent(f"budget:test:{i}", "meta_ads", self.account, self.levels[i], i,
                             "daily_budget", str(before[i]), str(after), "test",
                             currency=self.currency)
                   for i, after in afters.items()]
        changes.record_plan(self.engine, PLAN, intents, now=NOW)
        changes.decide(self.engine, approve=[i.intent_key for i in intents], by="test", now=NOW)

    def apply(self, writer_for: Callable[[str], CampaignWriter] | None = None) -> Any:
        writer = self.writer()
        try:
            return apply_intents(self.engine, changes.list_intents(self.engine),
                                 writer_for or (lambda _platform: writer), clock=lambda: NOW)
        finally:
            writer.close()

    def budget_mutations(self) -> list[tuple[str, Any]]:
        return [(m.subject_id, m.new) for m in self.emulator.mutation_log
                if m.attribute == "daily_budget"]

    def statuses(self) -> dict[str, str]:
        return {i.entity_id: i.status for i in changes.list_intents(self.engine)}


def raised(budgets: dict[str, Decimal], by: str = "1.10") -> dict[str, Decimal]:
    return {i: (b * Decimal(by)).quantize(Decimal("0.01")) for i, b in budgets.items()}


def test_a_plan_applies_each_change_once_and_a_rerun_changes_nothing(tmp_path):
    box = Sandbox(tmp_path)
    target = raised(box.budgets())
    box.plan(target)
    report = box.apply()
    assert report.ok and sorted(report.applied) == sorted(f"budget:test:{i}" for i in target)
    assert box.budgets() == target
    assert sorted(box.budget_mutations()) == sorted(target.items())
    assert set(box.statuses().values()) == {"applied"}

    again = box.apply()
    assert again.applied == [] and again.skipped == [] and again.failed == {}
    assert len(box.budget_mutations()) == len(target)


def test_a_value_already_at_target_is_skipped_without_a_write(tmp_path):
    box = Sandbox(tmp_path, count=2)
    target = raised(box.budgets())
    box.plan(target)
    first = box.ad_sets[0]
    with box.writer() as writer:  # someone set the same value by hand
        writer.apply([CampaignChange(box.account, first, box.levels[first],
                                     daily_budget=target[first], currency=box.currency)])
    report = box.apply()
    assert report.skipped == [f"budget:test:{first}"] and len(report.applied) == 1
    assert len(box.budget_mutations()) == 2  # the hand-made one and the other ad set's


def test_a_value_changed_since_the_plan_is_left_alone_and_the_run_rolls_back(tmp_path):
    box = Sandbox(tmp_path, count=3)
    before = box.budgets()
    target = raised(before)
    box.plan(target)
    second = box.ad_sets[1]
    with box.writer() as writer:  # a person changed the second ad set after the plan
        writer.apply([CampaignChange(box.account, second, box.levels[second],
                                     daily_budget=Decimal("77.00"), currency=box.currency)])
    report = box.apply()
    assert list(report.failed) == [f"budget:test:{second}"]
    assert "changed since the plan, left alone" in report.failed[f"budget:test:{second}"]
    assert report.compensated == [f"budget:test:{box.ad_sets[0]}"]
    assert report.left_approved == [f"budget:test:{box.ad_sets[2]}"]
    after = box.budgets()
    assert after[box.ad_sets[0]] == before[box.ad_sets[0]]  # rolled back
    assert after[second] == Decimal("77.00") and after[box.ad_sets[2]] == before[box.ad_sets[2]]
    assert box.statuses() == {box.ad_sets[0]: "compensated", second: "failed",
                              box.ad_sets[2]: "approved"}


def test_a_refused_write_rolls_back_what_the_run_applied(tmp_path):
    box = Sandbox(tmp_path, count=3)
    before = box.budgets()
    target = raised(before)
    target[box.ad_sets[1]] = Decimal("0.50")  # below Meta's minimum: refused before any call
    box.plan(target)
    report = box.apply()
    assert list(report.failed) == [f"budget:test:{box.ad_sets[1]}"]
    assert "refused" in report.failed[f"budget:test:{box.ad_sets[1]}"]
    assert box.budgets() == before
    first = box.ad_sets[0]
    assert box.budget_mutations() == [(first, target[first]), (first, before[first])]


class KillingWriter:
    """A writer whose process dies just before or just after its n-th write lands."""

    def __init__(self, inner: CampaignWriter, at: int | None, after_write: bool) -> None:
        self.inner, self.at, self.after_write, self.writes = inner, at, after_write, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def apply(self, batch: Any) -> Any:
        self.writes += 1
        if self.writes == self.at and not self.after_write:
            raise Killed
        outcomes = self.inner.apply(batch)
        if self.writes == self.at:
            raise Killed
        return outcomes


STAGES = ("claimed", "before-write", "after-write", "finished")
Point = tuple[str, int]  # (stage, n): die at the n-th time this run reaches the stage


def run_killed(box: Sandbox, point: Point | None, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run the apply once, dying at ``point`` (None: no kill); return whether it died."""
    stage, n = point or ("", 0)
    seen = {"claimed": 0, "finished": 0}
    real_claim, real_finish = changes.claim, changes.finish

    def claim(*args: Any, **kwargs: Any) -> bool:
        won = real_claim(*args, **kwargs)
        seen["claimed"] += won
        if stage == "claimed" and won and seen["claimed"] == n:
            raise Killed
        return won

    def finish(*args: Any, **kwargs: Any) -> bool:
        done = real_finish(*args, **kwargs)
        seen["finished"] += 1
        if stage == "finished" and seen["finished"] == n:
            raise Killed
        return done

    inner = box.writer()
    writer = KillingWriter(inner, n if stage.endswith("write") else None,
                           after_write=stage == "after-write")
    with monkeypatch.context() as patch:
        patch.setattr(changes, "claim", claim)
        patch.setattr(changes, "finish", finish)
        try:
            apply_intents(box.engine, changes.list_intents(box.engine),
                          lambda _platform: writer,  # type: ignore[arg-type,return-value]
                          clock=lambda: NOW)
        except Killed:
            return True
        finally:
            inner.close()
    return False


def _kill_plans(count: int, seed: int) -> list[tuple[Point, ...]]:
    """Every single kill point of a 4-change plan, then seeded sequences of two and three."""
    points = [(stage, n) for n in range(1, 5) for stage in STAGES]
    plans: list[tuple[Point, ...]] = [(p,) for p in points]
    rng = random.Random(seed)
    while len(plans) < count:
        plans.append(tuple(rng.choice(points) for _ in range(rng.choice((2, 3)))))
    return plans[:count]


def _check_once_each(box: Sandbox, target: dict[str, Decimal]) -> None:
    assert box.budgets() == target
    assert set(box.statuses().values()) == {"applied"}
    # Each budget changed exactly once on the platform: the emulator's log is the witness.
    assert sorted(box.budget_mutations()) == sorted(target.items())


@pytest.mark.parametrize("kills", _kill_plans(25, seed=1), ids=str)
def test_a_run_killed_anywhere_and_run_again_applies_each_change_once(
    tmp_path, monkeypatch, kills
):
    box = Sandbox(tmp_path)
    target = raised(box.budgets())
    box.plan(target)
    for point in kills:
        run_killed(box, point, monkeypatch)
    assert not run_killed(box, None, monkeypatch)
    _check_once_each(box, target)


@pytest.mark.slow
@pytest.mark.parametrize("kills", _kill_plans(100, seed=2), ids=str)
def test_a_hundred_kill_sequences_each_apply_every_change_once(tmp_path, monkeypatch, kills):
    box = Sandbox(tmp_path)
    target = raised(box.budgets())
    box.plan(target)
    for point in kills:
        run_killed(box, point, monkeypatch)
    assert not run_killed(box, None, monkeypatch)
    _check_once_each(box, target)
