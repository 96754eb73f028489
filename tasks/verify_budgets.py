"""Judge applied budget changes days later, and propose reverting the ones that clearly hurt.

Each applied change (not itself a revert) old enough to judge is compared with its prediction
and with a control: the same platform's budgets that no change touched over the same days
(``marketing.budgets.verify``). The change day itself is left out (it is part before, part
after), and the post-period ends before the next change of the same budget: a superseded
change is judged on the days it alone was live, and never reverted (its ``before`` is no
longer what the budget was last set from). A ``hurt`` verdict becomes a revert intent
(``after`` back to ``before``) that goes through the same decision loop as any plan; once
applied, the original is marked reverted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from marketing.budgets.verify import DayResult, Verification, VerifyPolicy, verify_change
from store import changes
from store.changes import IntentRow, NewIntent
from tasks.budgets import is_pacing
from warehouse.budget_inputs import BudgetEntity, BudgetHistory

__all__ = ["Judged", "changes_to_verify", "judge", "mark_reverted",
           "revert_intents", "verdict_rows"]


@dataclass(frozen=True)
class Judged:
    """One applied change and its verdict."""

    intent: IntentRow
    verification: Verification
    superseded: bool = False
    """A later change moved the same budget: the post-period stops before it, and no revert."""


def changes_to_verify(engine: Engine, *, now: datetime, min_age_days: int, max_age_days: int,
                      ) -> list[IntentRow]:
    """Return applied changes made between ``max_age`` and ``min_age`` days ago.

    Reverts and pacing's intraday trims and restores are not judged.
    """
    young, old = now - timedelta(days=min_age_days), now - timedelta(days=max_age_days)
    return [i for i in changes.list_intents(engine, status="applied")
            if i.field == "daily_budget" and i.reverts_key is None and i.finished_at
            and not is_pacing(i) and old <= _aware(i.finished_at, now) <= young]


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def _days(entity: BudgetEntity, first: date, last: date) -> list[DayResult]:
    return [DayResult(float(d.spend), float(d.value)) for d in entity.days
            if first <= d.date <= last]


def judge(
    history: BudgetHistory, intents: Sequence[IntentRow], *, changed: Sequence[IntentRow],
    pre_days: int, post_days: int, policy: VerifyPolicy,
) -> list[Judged]:
    """Judge each of ``intents`` on ``history`` against its prediction and a control.

    ``changed`` are all applied changes: the control is the same platform's entities none of
    them touched over the compared days.
    """
    touched: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for c in changed:
        assert c.finished_at is not None
        touched[(c.platform, c.entity_id)].append(c.finished_at)
    found: list[Judged] = []
    for intent in intents:
        assert intent.finished_at is not None
        day = intent.finished_at.date()
        later = [t for t in touched[(intent.platform, intent.entity_id)]
                 if t > intent.finished_at]
        first = day - timedelta(days=pre_days)
        last = day + timedelta(days=post_days)
        if later:
            last = min(last, min(later).date() - timedelta(days=1))
        try:
            entity = history.entity(intent.platform, intent.entity_id, intent.level)
        except KeyError:
            continue
        controls = {
            other.entity_id: (_days(other, first, day - timedelta(days=1)),
                              _days(other, day + timedelta(days=1), last))
            for other in history.entities
            if other.platform == intent.platform and other.entity_id != intent.entity_id
            and not any(first <= t.date() <= last
                        for t in touched[(other.platform, other.entity_id)])
            and other.days}
        rate = Decimal(str(intent.expected.get("rate", "1")))
        predicted = (float(intent.expected.get("value_after", 0))
                     - float(intent.expected.get("value_before", 0))) / float(rate or 1)
        verification = verify_change(
            f"{intent.platform}:{intent.level}:{intent.entity_id}",
            _days(entity, first, day - timedelta(days=1)),
            _days(entity, day + timedelta(days=1), last),
            before=Decimal(intent.before or "0"), after=Decimal(intent.after),
            predicted_value_delta=predicted,
            controls={k: v for k, v in controls.items() if v[0] and v[1]} or None,
            policy=policy)
        found.append(Judged(intent, verification, superseded=bool(later)))
    return found


def revert_intents(judged: Sequence[Judged], *, key: str, auto_apply: bool) -> list[NewIntent]:
    """Return a revert intent for each change judged ``hurt`` (``after`` back to ``before``)."""
    return [NewIntent(
        intent_key=f"{key}:{j.intent.intent_key}", platform=j.intent.platform,
        account_id=j.intent.account_id, level=j.intent.level, entity_id=j.intent.entity_id,
        field="daily_budget", before=j.intent.after, after=j.intent.before or j.intent.after,
        currency=j.intent.currency,
        reason=f"revert: {j.verification.note}"[:500],
        evidence={"verdict": j.verification.verdict, "net": j.verification.net,
                  "net_interval": list(j.verification.net_interval),
                  "counterfactual": j.verification.counterfactual},
        expected={"net_per_day": j.verification.net}, needs_approval=not auto_apply,
        reverts_key=j.intent.intent_key)
        for j in judged if j.verification.revert and not j.superseded]


def mark_reverted(engine: Engine, intents: Sequence[IntentRow], *, now: datetime) -> set[str]:
    """Mark the originals of the applied reverts in ``intents`` as reverted."""
    done = [i.reverts_key for i in intents if i.status == "applied" and i.reverts_key]
    return changes.mark_reverted(engine, [k for k in done if k], now=now,
                                 note="reverted by verification: the change hurt")


def verdict_rows(judged: Sequence[Judged]) -> list[dict[str, Any]]:
    """Return one table row per judged change."""
    return [{"platform": j.intent.platform, "entity": j.intent.entity_id,
             "changed_on": str(j.intent.finished_at.date()) if j.intent.finished_at else "",
             "before": j.intent.before or "", "after": j.intent.after,
             "verdict": j.verification.verdict, "counterfactual": j.verification.counterfactual,
             "net_per_day": round(j.verification.net, 2),
             "net_interval": [round(x, 2) for x in j.verification.net_interval],
             "predicted": round(j.verification.predicted, 2),
             "revert": j.verification.revert and not j.superseded,
             "superseded": j.superseded, "note": j.verification.note} for j in judged]
