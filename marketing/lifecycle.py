"""Lifecycle stages: where a person stands (lead → MQL → SQL → customer) and why.

Pure: the lifecycle flow gathers each person's facts from the warehouse and the CRM, this
module decides the target stage and explains it, and the flow applies the changes. A stage
never moves backwards (HubSpot refuses that too unless the property is cleared first), so
a re-run after a partial apply plans only what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["STAGES", "PersonFacts", "ScoringRules", "StageChange", "plan_stage_changes",
           "target_stage"]

Stage = Literal[
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer", "evangelist", "other",
]
# HubSpot's internal values, in funnel order ("other" sits outside the funnel).
STAGES: tuple[str, ...] = (
    "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
    "customer", "evangelist",
)


@dataclass(frozen=True)
class ScoringRules:
    """How engagement becomes a marketing-qualified lead.

    Attributes:
        form_points: points per form submission.
        session_points: points per web session in the recent window.
        paid_click_points: points per ad click in the recent window.
        key_event_points: points per key event (demo request, pricing view...).
        mql_threshold: score at which a lead becomes an MQL.

    """

    form_points: int = 10
    session_points: int = 3
    paid_click_points: int = 2
    key_event_points: int = 5
    mql_threshold: int = 25

    def __post_init__(self) -> None:
        if self.mql_threshold <= 0:
            raise ValueError("mql_threshold must be > 0")
        if min(self.form_points, self.session_points, self.paid_click_points,
               self.key_event_points) < 0:
            raise ValueError("points must be >= 0")


@dataclass(frozen=True)
class PersonFacts:
    """What the warehouse and the CRM know of one person.

    Attributes:
        person_key: the warehouse person key.
        crm_id: the CRM contact id (changes are applied to it).
        current_stage: the CRM's lifecycle stage now (None when unset).
        forms: form submissions ever.
        recent_sessions: web sessions in the scoring window.
        recent_paid_clicks: ad clicks in the scoring window.
        key_events: key events in the scoring window.
        open_deals: deals in progress.
        won_deals: closed-won deals (CRM or offline conversions).
        orders: web shop orders.

    """

    person_key: str
    crm_id: str
    current_stage: str | None
    forms: int = 0
    recent_sessions: int = 0
    recent_paid_clicks: int = 0
    key_events: int = 0
    open_deals: int = 0
    won_deals: int = 0
    orders: int = 0

    def score(self, rules: ScoringRules) -> int:
        """Return the engagement score under ``rules``."""
        return (self.forms * rules.form_points + self.recent_sessions * rules.session_points
                + self.recent_paid_clicks * rules.paid_click_points
                + self.key_events * rules.key_event_points)


@dataclass(frozen=True)
class StageChange:
    """One planned move: the contact, its stage before and after, and why."""

    person_key: str
    crm_id: str
    before: str | None
    after: str
    reason: str


def _rank(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def target_stage(facts: PersonFacts, rules: ScoringRules) -> tuple[str, str] | None:
    """Return the stage the facts justify and the reason, or None when they justify none."""
    if facts.won_deals or facts.orders:
        what = []
        if facts.won_deals:
            what.append(f"{facts.won_deals} won deal(s)")
        if facts.orders:
            what.append(f"{facts.orders} order(s)")
        return "customer", " and ".join(what)
    if facts.open_deals:
        return "salesqualifiedlead", f"{facts.open_deals} open deal(s)"
    score = facts.score(rules)
    if facts.forms and score >= rules.mql_threshold:
        return "marketingqualifiedlead", f"score {score} >= {rules.mql_threshold}"
    if facts.forms:
        return "lead", f"{facts.forms} form submission(s)"
    return None


def plan_stage_changes(
    people: list[PersonFacts], rules: ScoringRules | None = None
) -> list[StageChange]:
    """Return the forward moves the facts justify, in ``people`` order.

    A person already at or past the target (or marked ``other``) is left alone.
    """
    rules = rules or ScoringRules()
    changes = []
    for facts in people:
        found = target_stage(facts, rules)
        if found is None or facts.current_stage == "other":
            continue
        stage, reason = found
        if _rank(stage) > _rank(facts.current_stage):
            changes.append(StageChange(facts.person_key, facts.crm_id, facts.current_stage,
                                       stage, reason))
    return changes
