"""Lifecycle stages: move CRM contacts forward (lead → MQL → SQL → customer) from the facts.

Scheduled daily. The facts come from the warehouse (forms, sessions, ad clicks, key events,
deals, orders, offline deals, joined through identity links); each contact's current stage is
read live from the CRM right before planning, so a change made by a person since the last
extract is respected; the plan only moves forward and says why; the changes are written in
batches of 100 and read back.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Annotated

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from pydantic import BaseModel, Field

from marketing.lifecycle import ScoringRules, StageChange, plan_stage_changes
from resources import environment as environments
from tasks.crm import crm_portal, read_contacts, upsert_contacts
from tasks.lifecycle import gather_person_facts

__all__ = ["LifecycleResult", "TooManyStageChanges", "update_lifecycle_stages"]


class TooManyStageChanges(RuntimeError):
    """The plan moves more contacts than the run allows; nothing was written."""


class LifecycleResult(BaseModel):
    """What one lifecycle run planned and wrote."""

    contacts: int
    planned: int
    written: int
    confirmed: int
    moves: dict[str, int] = Field(default_factory=dict)  # "before -> after": count
    dry_run: bool = False


@flow(name="update-lifecycle-stages", log_prints=True)
def update_lifecycle_stages(
    scoring_days: Annotated[int, Field(ge=1, le=365)] = 30,
    mql_threshold: Annotated[int, Field(ge=1)] = 25,
    max_changes: Annotated[int, Field(ge=1)] = 5_000,
    dry_run: bool = False,
) -> LifecycleResult:
    """Plan and apply forward lifecycle-stage moves for every CRM contact.

    Args:
        scoring_days: the window of sessions, ad clicks and key events that score a lead.
        mql_threshold: the score at which a lead becomes a marketing-qualified lead.
        max_changes: refuse a plan that moves more contacts than this (a guard against a
            broken extract flooding the CRM); raise it deliberately for a backfill.
        dry_run: plan and report, write nothing.

    Raises:
        TooManyStageChanges: the plan is larger than ``max_changes``; nothing was written.

    """
    logger = get_run_logger()
    environment = environments.current()
    facts = gather_person_facts(environment, scoring_days)
    portal = crm_portal(environment)
    live = read_contacts(environment, portal, [f.crm_id for f in facts],
                         ["email", "lifecyclestage"], by="hs_object_id")
    current = [
        dataclasses.replace(f, current_stage=live[f.crm_id].properties.get("lifecyclestage"))
        for f in facts if f.crm_id in live
    ]
    changes = plan_stage_changes(current, ScoringRules(mql_threshold=mql_threshold))
    moves = Counter(f"{c.before or '(none)'} -> {c.after}" for c in changes)
    logger.info("%d contacts, %d stage moves planned", len(current), len(changes))
    if len(changes) > max_changes:
        raise TooManyStageChanges(
            f"{len(changes)} stage moves planned, more than max_changes={max_changes}; "
            f"nothing written. Moves: {dict(moves)}"
        )
    written = confirmed = 0
    if changes and not dry_run:
        emails = {c.crm_id: live[c.crm_id].properties.get("email") for c in changes}
        upserts = {str(emails[c.crm_id]): {"lifecyclestage": c.after}
                   for c in changes if emails[c.crm_id]}
        written = len(upsert_contacts(environment, portal, upserts))
        after = read_contacts(environment, portal, [c.crm_id for c in changes],
                              ["lifecyclestage"], by="hs_object_id")
        confirmed = sum(1 for c in changes
                        if c.crm_id in after
                        and after[c.crm_id].properties.get("lifecyclestage") == c.after)
    result = LifecycleResult(contacts=len(current), planned=len(changes), written=written,
                             confirmed=confirmed, moves=dict(moves), dry_run=dry_run)
    _artifacts(result, changes)
    return result


def _artifacts(result: LifecycleResult, changes: list[StageChange]) -> None:
    verb = "planned (dry run)" if result.dry_run else f"written, {result.confirmed} read back"
    lines = [f"## Lifecycle stages: {result.planned} moves {verb}", "",
             f"{result.contacts} CRM contacts checked.", "", "| move | contacts |", "|---|---|"]
    lines += [f"| {move} | {n} |" for move, n in sorted(result.moves.items())]
    create_markdown_artifact(key="lifecycle-summary", markdown="\n".join(lines),
                             description="Lifecycle stage moves")
    if changes:
        create_table_artifact(
            key="lifecycle-moves",
            table=[{"contact": c.crm_id, "before": c.before or "", "after": c.after,
                    "reason": c.reason} for c in changes[:500]],
            description="Stage moves and why (first 500)",
        )
