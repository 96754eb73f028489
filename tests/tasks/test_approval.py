"""Approval through a real Prefect server: the flow pauses, typed input resumes it.

The resume goes through the API as the UI's form sends it; the ledger records the decision.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

from store import changes, create_schema, create_store_engine
from store.changes import NewIntent, NewPlan
from tasks.approval import approve_within_policy, request_approval, short_id

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = datetime(2026, 12, 4, 6, tzinfo=UTC)
PLAN = NewPlan("budget:approval-test", "budget", "Budgets for 4 December")


def _intents(plan_key: str) -> list[NewIntent]:
    return [NewIntent(f"{plan_key}:{n}", "meta_ads", "act_1001", "ad_set", f"2380{n}",
                      "daily_budget", "100.00", f"{110 + n}.00", f"reason {n}", currency="USD",
                      needs_approval=n != 0)
            for n in range(3)]


@flow(name="approval-under-test")
def approval_flow(store_url: str, plan_key: str, timeout_seconds: int) -> dict[str, Any]:
    engine = create_store_engine(store_url)
    try:
        recorded = changes.record_plan(engine, NewPlan(plan_key, "budget", "Budgets"),
                                       _intents(plan_key), now=NOW)
        auto = approve_within_policy(engine, recorded.intents, now=NOW)
        decision = request_approval(
            engine, "Budgets", changes.get_plan(engine, plan_key).intents,
            clock=lambda: NOW, timeout_seconds=timeout_seconds, poll_interval_seconds=1)
        return {"auto": sorted(auto), "approved": sorted(decision.approved),
                "rejected": sorted(decision.rejected), "by": decision.by,
                "timed_out": decision.timed_out}
    finally:
        engine.dispose()


def _resume_when_paused(run_input: dict[str, Any] | None, found: dict[str, Any]) -> None:
    """Find the paused run, resume it with ``run_input`` (or, with None, leave it)."""
    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            paused = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
            if paused:
                found["run"] = paused[0]
                if run_input is not None:
                    resume_flow_run(paused[0].id, run_input=run_input)
                return
            time.sleep(0.5)


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/store.sqlite"
    engine = create_store_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


def test_a_person_approves_some_changes_through_the_paused_run(prefect_server, tmp_path):
    url, key = _store(tmp_path), "budget:approval-some"
    found: dict[str, Any] = {}
    # The ledger ids are 1, 2, 3 in a fresh store: approve the second change only.
    resumer = threading.Thread(target=_resume_when_paused, args=(
        {"decision": "approve_selected", "approved": ["c2", "c9"], "reviewer": "ana",
         "comment": "only the prospecting one"}, found))
    resumer.start()
    result = approval_flow(url, key, 300)
    resumer.join()

    assert found["run"].state.type.value == "PAUSED"
    assert result == {"auto": [f"{key}:0"], "approved": [f"{key}:1"],
                      "rejected": [f"{key}:2"], "by": "ana", "timed_out": False}
    engine = create_store_engine(url)
    rows = {i.intent_key: i for i in changes.list_intents(engine, plan_key=key)}
    engine.dispose()
    assert [short_id(rows[f"{key}:{n}"]) for n in range(3)] == ["c1", "c2", "c3"]
    assert {k: (r.status, r.decided_by) for k, r in rows.items()} == {
        f"{key}:0": ("approved", "policy"), f"{key}:1": ("approved", "ana"),
        f"{key}:2": ("rejected", "ana")}
    assert rows[f"{key}:1"].comment == "only the prospecting one"


def test_a_resume_with_a_wrong_type_is_refused_by_the_server(prefect_server, tmp_path):
    url, key = _store(tmp_path), "budget:approval-bad"
    found: dict[str, Any] = {}
    errors: list[str] = []

    def bad_then_good() -> None:
        _resume_when_paused(None, found)
        try:
            resume_flow_run(found["run"].id, run_input={"decision": "maybe"})
        except Exception as exc:  # the server validates against the form's schema
            errors.append(str(exc))
        resume_flow_run(found["run"].id, run_input={"decision": "reject_all"})

    resumer = threading.Thread(target=bad_then_good)
    resumer.start()
    result = approval_flow(url, key, 300)
    resumer.join()
    assert errors and "maybe" in errors[0]
    assert result["approved"] == [] and result["rejected"] == [f"{key}:1", f"{key}:2"]


def test_no_answer_before_the_timeout_rejects_the_changes(prefect_server, tmp_path):
    url, key = _store(tmp_path), "budget:approval-timeout"
    result = approval_flow(url, key, 3)
    assert result == {"auto": [f"{key}:0"], "approved": [], "by": "timeout",
                      "rejected": [f"{key}:1", f"{key}:2"], "timed_out": True}
    engine = create_store_engine(url)
    rows = changes.list_intents(engine, plan_key=key)
    engine.dispose()
    assert [r.status for r in rows] == ["approved", "rejected", "rejected"]
    assert rows[1].comment == "no answer within 3 s: rejected"
