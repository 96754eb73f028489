"""Ask a person to approve a plan's changes in the Prefect UI, and record the answer.

The flow pauses (``pause_flow_run``) with a typed form (:class:`ApprovalInput`): approve all,
approve some (by the short ids the plan's table shows), or reject all, with a comment. The
answer is written to the change ledger (``store.changes.decide``); no answer before the
timeout means rejected, and says so. Intents inside the auto-apply policy are approved by
``approve_within_policy`` without a pause.

Call these from a flow body: Prefect pauses flow runs, not tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field
from sqlalchemy.engine import Engine

from store import changes
from store.changes import IntentRow

__all__ = ["ApprovalInput", "Decision", "approve_within_policy", "request_approval",
           "short_id"]

POLICY = "policy"
"""Who approved an intent the auto-apply policy allowed."""


class ApprovalInput(RunInput):
    """The form a person fills in to resume a paused plan."""

    decision: Literal["approve_all", "approve_selected", "reject_all"] = Field(
        description="approve every change, only those listed in 'approved', or none")
    approved: list[str] = Field(
        default_factory=list,
        description="with approve_selected: the ids of the changes to apply (from the table)")
    reviewer: str = Field(default="", description="who decides (kept in the ledger)")
    comment: str = Field(default="", description="why (kept in the ledger)")


@dataclass(frozen=True)
class Decision:
    """What was decided for the intents that needed a person."""

    approved: frozenset[str]
    rejected: frozenset[str]
    by: str
    comment: str
    timed_out: bool = False


def short_id(intent: IntentRow) -> str:
    """Return the id a person types to pick one change (``c<ledger id>``)."""
    return f"c{intent.id}"


def approve_within_policy(engine: Engine, intents: Sequence[IntentRow], *, now: datetime
                          ) -> set[str]:
    """Approve the proposed intents that need no person; return their keys."""
    keys = [i.intent_key for i in intents if not i.needs_approval and i.status == "proposed"]
    approved, _ = changes.decide(engine, approve=keys, by=POLICY, now=now,
                                 comment="inside the auto-apply policy")
    return approved


def _description(title: str, intents: Sequence[IntentRow], timeout_seconds: int) -> str:
    lines = [f"## {title}", "",
             f"{len(intents)} change(s) need your approval. Without an answer within "
             f"{timeout_seconds:,} s they are rejected.", "",
             "| id | platform | entity | field | before | after | reason |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {short_id(i)} | {i.platform} | {i.level} {i.entity_id} | {i.field} | "
              f"{i.before or ''} | {i.after} {i.currency or ''} | {i.reason} |"
              for i in intents]
    lines += ["", "Choose `approve_all`, `reject_all`, or `approve_selected` with the ids."]
    return "\n".join(lines)


def request_approval(
    engine: Engine,
    title: str,
    intents: Sequence[IntentRow],
    *,
    clock: Callable[[], datetime],
    timeout_seconds: int = 4 * 3600,
    poll_interval_seconds: int = 10,
) -> Decision:
    """Pause the running flow until a person decides on ``intents``; record the decision.

    Only ``proposed`` intents that need approval are asked about. An id in ``approved``
    that is not one of them is ignored (the ledger keeps what was decided).

    Returns:
        The decision. A timeout is a decision too: everything asked about is rejected.

    """
    asked = [i for i in intents if i.needs_approval and i.status == "proposed"]
    if not asked:
        return Decision(frozenset(), frozenset(), by="", comment="nothing to approve")
    form = ApprovalInput.with_initial_data(
        description=_description(title, asked, timeout_seconds), decision="reject_all")
    keys = {short_id(i): i.intent_key for i in asked}
    try:
        answer = pause_flow_run(wait_for_input=form, timeout=timeout_seconds,
                                poll_interval=poll_interval_seconds)
    except FlowPauseTimeout:
        comment = f"no answer within {timeout_seconds:,} s: rejected"
        _, rejected = changes.decide(engine, reject=list(keys.values()), by="timeout",
                                     now=clock(), comment=comment)
        return Decision(frozenset(), frozenset(rejected), by="timeout", comment=comment,
                        timed_out=True)
    if answer.decision == "approve_all":
        chosen = set(keys.values())
    elif answer.decision == "approve_selected":
        chosen = {keys[s.strip()] for s in answer.approved if s.strip() in keys}
    else:
        chosen = set()
    by = answer.reviewer.strip() or "prefect-ui"
    approved, rejected = changes.decide(
        engine, approve=sorted(chosen), reject=sorted(set(keys.values()) - chosen), by=by,
        now=clock(), comment=answer.comment or None)
    return Decision(frozenset(approved), frozenset(rejected), by=by, comment=answer.comment)
