"""``reallocate-budgets`` end to end: the warehouse's history in, budgets changed on the platforms.

The real pipeline on in-process sandboxes of one seeded market: the ad platforms and the
touch and conversion sources are extracted by their flows, the attribution report builds the
credit the values are calibrated with, then the budget flow plans, records, decides and
applies through the campaign writers. The emulators' mutation logs are the witness of what
reached the platforms; the Prefect server holds the run's artifacts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pytest

from connectors.description import platforms
from emulators.market import Market
from emulators.population import Population
from emulators.registry import EMULATORS
from resources.sandbox import use_sandbox_emulator
from tests.flows.conftest import point_at_sandbox

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
AD_PLATFORMS = tuple(d.name for d in platforms("ads"))
SOURCES = ("ga4", "hubspot")
MODEL: Final = "linear"


class Sandbox:
    """The market, its emulators and the paths of one test's warehouse and store."""

    def __init__(self, root: Path, market: Market, emulators: dict[str, Any]) -> None:
        self.root = root
        self.market = market
        self.emulators = emulators

    def budget_mutations(self) -> list[tuple[str, str, Any]]:
        """Every budget change the platforms took: (platform, entity id on the wire, new)."""
        return [(p, m.entity_id, m.new) for p, e in sorted(self.emulators.items())
                if p in AD_PLATFORMS for m in e.mutation_log if m.attribute == "daily_budget"]

    def intents(self) -> list[Any]:
        from store import create_schema, create_store_engine
        from store.changes import list_intents

        engine = create_store_engine(f"sqlite:///{self.root / 'store.sqlite'}")
        create_schema(engine)
        return list_intents(engine)


@contextlib.contextmanager
def _sandbox(root: Path, *, sources: bool) -> Iterator[Sandbox]:
    market = Market(seed=3, today=NOW, platforms=AD_PLATFORMS)
    emulators: dict[str, Any] = {p: EMULATORS[p](market=market) for p in AD_PLATFORMS}
    if sources:
        population = Population(market, size=800)
        emulators.update({s: EMULATORS[s](market=market, population=population)
                          for s in SOURCES})
    with contextlib.ExitStack() as stack:
        for name, emulator in emulators.items():
            stack.enter_context(use_sandbox_emulator(name, emulator))
        yield Sandbox(root, market, emulators)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Path:
    """Ads and sources extracted and the linear attribution report built, once per module.

    Only ``linear`` credit exists, so asking for ``markov`` finds no attribution.
    """
    from flows.attribution import build_attribution_report
    from flows.extract_ads import extract_ads
    from flows.extract_sources import extract_sources

    root = tmp_path_factory.mktemp("budget-warehouse")
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_at_sandbox(root, monkeypatch)
        with _sandbox(root, sources=True):
            assert extract_ads(platforms=list(AD_PLATFORMS)).ok
            assert extract_sources(platforms=list(SOURCES)).ok
            end = NOW.date() - dt.timedelta(days=1)
            build_attribution_report(period_start=end - dt.timedelta(days=29), period_end=end,
                                     models=[MODEL], push_conversions=False)
    return root / "warehouse.duckdb"


@pytest.fixture
def box(extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A copy of the extracted warehouse, an empty store and a fresh market of the same seed."""
    shutil.copy(extracted, tmp_path / "warehouse.duckdb")
    point_at_sandbox(tmp_path, monkeypatch)
    with _sandbox(tmp_path, sources=False) as sandbox:
        yield sandbox


def _artifacts(run_id: str) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[uuid.UUID(run_id)])))
    return {a.key: a for a in found if a.key}


def test_a_plan_moves_budgets_on_the_platforms_once_and_a_rerun_continues_it(box):
    from flows.reallocate_budgets import reallocate_budgets

    assert box.intents() == []
    result = reallocate_budgets(attribution_model=MODEL, auto_apply_max_change=1.0,
                                max_movement_share=0.3, return_state=True)
    assert result.is_completed(), result.message
    outcome = result.result()
    assert outcome.value_source == f"attribution:{MODEL}"
    assert outcome.intents > 0 and outcome.applied, outcome
    assert not outcome.failed and not outcome.compensated

    intents = box.intents()
    assert {i.status for i in intents} <= {"applied", "skipped"}
    applied = [i for i in intents if i.status == "applied"]
    assert sorted(outcome.applied) == sorted(i.intent_key for i in applied)
    # each applied change reached its platform once, at the planned value ...
    mutations = box.budget_mutations()
    assert sorted(mutations) == sorted(
        (i.platform, i.entity_id, Decimal(i.after)) for i in applied)
    assert {i.decided_by for i in applied} == {"policy"}
    # ... within the guardrails: ±20 % on Meta, ±30 % elsewhere, 30 % of the pool moved at most
    moved = Decimal(0)
    pool = sum(Decimal(line["before (USD)"]) for line in outcome.lines)
    for intent in applied:
        share = abs(Decimal(intent.after) / Decimal(intent.before) - 1)
        assert share <= (Decimal("0.2") if intent.platform == "meta_ads" else Decimal("0.3"))
    for line in outcome.lines:
        moved += abs(Decimal(line["after (USD)"]) - Decimal(line["before (USD)"]))
    assert moved <= pool * Decimal("0.3") + 1
    # the fixed total is kept (to rounding)
    assert outcome.total_after == pytest.approx(outcome.total_before, abs=len(outcome.lines))

    # the run's page shows the plan, its summary and the outcome
    run_id = str(result.state_details.flow_run_id)
    artifacts = _artifacts(run_id)
    assert {"budget-plan", "budget-plan-summary", "budget-apply", "budget-changes"} <= set(
        artifacts)
    assert applied[0].entity_id in str(artifacts["budget-changes"].data)

    # the same parameters on the same day continue the recorded plan: nothing is written again
    again = reallocate_budgets(attribution_model=MODEL, auto_apply_max_change=1.0,
                               max_movement_share=0.3)
    assert again.resumed and again.plan_key == outcome.plan_key
    assert not again.applied
    assert box.budget_mutations() == mutations

    # a new plan on the same day holds what was just changed (cooldown)
    other = reallocate_budgets(attribution_model=MODEL, auto_apply_max_change=1.0,
                               max_movement_share=0.3, deadband_share=0.01, dry_run=True)
    changed = {f"{i.platform}:{i.level}:{i.entity_id}" for i in applied}
    held = [line for line in other.lines
            if f"{line['platform']}:{line['level']}:{line['entity']}" in changed]
    assert held and all("cooldown" in line["reasons"] for line in held)


def test_changes_beyond_the_policy_wait_for_a_person_and_no_answer_rejects_them(box):
    from flows.reallocate_budgets import reallocate_budgets

    outcome = reallocate_budgets(attribution_model=None, auto_apply_max_change=0.0,
                                 approval_timeout_seconds=2)
    assert outcome.intents > 0
    assert outcome.timed_out and outcome.rejected == outcome.intents
    assert not outcome.applied
    assert box.budget_mutations() == []
    assert {i.status for i in box.intents()} == {"rejected"}
    assert {i.decided_by for i in box.intents()} == {"timeout"}


def test_a_dry_run_plans_and_shows_but_records_and_applies_nothing(box):
    from flows.reallocate_budgets import reallocate_budgets

    outcome = reallocate_budgets(attribution_model=None, auto_apply_max_change=1.0,
                                 dry_run=True)
    assert outcome.dry_run and outcome.lines and outcome.value_source == "platform_reported"
    assert box.intents() == []
    assert box.budget_mutations() == []


BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"mode": "target_roas", "target": -1.5}, "target: Input should be greater than 0"),
    ({"mode": "target_roas"}, "mode target_roas needs a target"),
    ({"view_through_weight": 1.5},
     "view_through_weight: Input should be less than or equal to 1"),
    ({"attribution_model": None, "pool": ["999999999"]},
     "pool names 1 unknown campaign(s) or budget(s): 999999999"),
    ({"attribution_model": None, "daily_total": "1"}, "daily_total 1 USD is below"),
    ({"attribution_model": "markov"}, "attribution_model 'markov' has no attribution credit"),
]


def test_bad_input_fails_before_anything_is_recorded_or_applied(box):
    from flows.reallocate_budgets import reallocate_budgets

    for parameters, message in BAD_INPUTS:
        state = reallocate_budgets(  # type: ignore[call-overload]
            **parameters, auto_apply_max_change=1.0, return_state=True)
        assert state.is_failed(), parameters
        with pytest.raises(Exception) as raised:
            state.result()
        assert message in str(raised.value), (parameters, str(raised.value))
    assert box.intents() == []
    assert box.budget_mutations() == []
