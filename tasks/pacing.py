"""The hourly pacing check's steps: read today's delivery, trim what runs hot, restore at dawn.

A trim is an intraday correction, not a reallocation: it lowers a budget for the rest of one
local day only. So the ledger keeps pacing intents apart (their keys start with
``pacing:``): the reallocation's cooldown and the verification never count them, and on the
account's next local day the check restores the budget the day was planned with (the first
trim's ``before``), unless something else changed the budget since.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from connectors.campaign_writes import CampaignWriter, SpendSoFar
from marketing.budgets.pacing import IntradayDecision, IntradayEntity
from store import changes
from store.changes import IntentRow, NewIntent, NewPlan
from tasks.budgets import PACING_PLAN_KIND, PoolEntity, is_pacing

__all__ = [
    "Delivery",
    "close_restored",
    "intraday_entities",
    "pacing_plan",
    "planned_budget",
    "read_delivery",
    "restore_intents",
    "trim_intents",
    "trims",
]

def pacing_plan(key: str, title: str, parameters: Mapping[str, Any]) -> NewPlan:
    """Return the ledger's plan record of one pacing check."""
    return NewPlan(key, PACING_PLAN_KIND, title, dict(parameters))


@dataclass(frozen=True)
class Delivery:
    """One pool entity during its account's day: live budget, spend so far, the day's plan."""

    pool: PoolEntity
    budget: Decimal
    read: SpendSoFar

    @property
    def spent(self) -> Decimal:
        """Spend so far today (account currency)."""
        return self.read.spend.get(self.pool.entity.entity_id, Decimal(0))


def read_delivery(pool: Sequence[PoolEntity],
                  writer_for: Callable[[str], CampaignWriter]) -> list[Delivery]:
    """Read each entity's live budget and today's spend so far, one call pair per account.

    Entities the platform no longer returns, or that no longer hold a budget, are left out.
    """
    groups: dict[tuple[str, str, str], list[PoolEntity]] = defaultdict(list)
    for p in pool:
        groups[(p.entity.platform, p.entity.native_account_id, p.entity.level)].append(p)
    out: list[Delivery] = []
    for (platform, account, level), members in sorted(groups.items()):
        writer = writer_for(platform)
        ids = [m.entity.entity_id for m in members]
        live = writer.current(account, ids, level=level)
        read = writer.spend_today(account, ids, level=level)
        for member in members:
            state = live.get(member.entity.entity_id)
            if state is None or state.daily_budget is None:
                continue
            out.append(Delivery(member, state.daily_budget, read))
    return out


def trims(engine: Engine) -> dict[tuple[str, str], list[IntentRow]]:
    """Return the applied (not yet restored) trims per (platform, entity), oldest first."""
    found: dict[tuple[str, str], list[IntentRow]] = defaultdict(list)
    for intent in changes.list_intents(engine, status="applied"):
        if is_pacing(intent) and intent.reverts_key is None:
            found[(intent.platform, intent.entity_id)].append(intent)
    return dict(found)


def _day(intent: IntentRow) -> date:
    return date.fromisoformat(str(intent.evidence["day"]))


def planned_budget(delivery: Delivery, open_trims: Sequence[IntentRow]) -> Decimal:
    """Return the budget the entity's day was planned with: before today's first trim."""
    today = [t for t in open_trims if _day(t) == delivery.read.day]
    if today and today[0].before is not None:
        return Decimal(today[0].before)
    return delivery.budget


def intraday_entities(deliveries: Sequence[Delivery],
                      open_trims: Mapping[tuple[str, str], Sequence[IntentRow]]
                      ) -> list[IntradayEntity]:
    """Return the allocator's view of each delivery (ids are ``platform:level:id``)."""
    return [IntradayEntity(
        entity_id=d.pool.key, platform=d.pool.entity.platform,
        planned=planned_budget(d, open_trims.get((d.pool.entity.platform,
                                                  d.pool.entity.entity_id), ())),
        budget=d.budget, spent=d.spent, limits=d.pool.account_limits(),
        excluded=d.pool.excluded) for d in deliveries]


def trim_intents(decisions: Iterable[IntradayDecision], deliveries: Sequence[Delivery], *,
                 key: str, auto_apply: bool) -> list[NewIntent]:
    """Return one intent per trimmed entity (``after < before``)."""
    by_key = {d.pool.key: d for d in deliveries}
    out = []
    for decision in decisions:
        if decision.after >= decision.before:
            continue
        d = by_key[decision.entity_id]
        e = d.pool.entity
        out.append(NewIntent(
            intent_key=f"{key}:trim:{e.platform}:{e.level}:{e.entity_id}",
            platform=e.platform, account_id=e.native_account_id, level=e.level,
            entity_id=e.entity_id, field="daily_budget", before=str(decision.before),
            after=str(decision.after), currency=d.pool.currency,
            reason=", ".join(r.value for r in decision.reasons) + f" ({e.name or e.entity_id})",
            evidence={"day": d.read.day.isoformat(), "hour": round(d.read.hour, 2),
                      "spent": str(d.spent), "projected": str(decision.projected),
                      "name": e.name},
            expected={"spend_after": str(decision.after)},
            needs_approval=not auto_apply))
    return out


def _last_earlier_day(trimmed: Sequence[IntentRow], today: date) -> list[IntentRow]:
    # The trims of the latest local day before today (older ones were restored or superseded).
    earlier = [t for t in trimmed if _day(t) < today]
    if not earlier:
        return []
    last_day = max(_day(t) for t in earlier)
    return [t for t in earlier if _day(t) == last_day]


def restore_intents(deliveries: Sequence[Delivery],
                    open_trims: Mapping[tuple[str, str], Sequence[IntentRow]], *,
                    key: str, auto_apply: bool) -> tuple[list[NewIntent], list[str]]:
    """Return restores of budgets trimmed on an earlier local day, and notes on the rest.

    A budget still at its last trim goes back to what its trimmed day was planned with; one
    changed since (by a person or a reallocation) is left alone, with a note.
    """
    out: list[NewIntent] = []
    notes: list[str] = []
    for d in deliveries:
        e = d.pool.entity
        earlier = _last_earlier_day(open_trims.get((e.platform, e.entity_id), ()),
                                    d.read.day)
        if not earlier:
            continue
        first, last = earlier[0], earlier[-1]
        if Decimal(last.after) != d.budget or first.before is None:
            notes.append(f"{e.platform} {e.entity_id}: trimmed on {_day(first)} to "
                         f"{last.after}, changed since to {d.budget}: not restored")
            continue
        out.append(NewIntent(
            intent_key=f"{key}:restore:{e.platform}:{e.level}:{e.entity_id}",
            platform=e.platform, account_id=e.native_account_id, level=e.level,
            entity_id=e.entity_id, field="daily_budget", before=str(d.budget),
            after=first.before, currency=d.pool.currency,
            reason=f"pacing: restore the budget {_day(first)} was planned with "
                   f"({e.name or e.entity_id})",
            evidence={"day": d.read.day.isoformat(), "hour": round(d.read.hour, 2),
                      "trims": [t.intent_key for t in earlier], "name": e.name},
            expected={"spend_after": first.before},
            needs_approval=not auto_apply, reverts_key=first.intent_key))
    return out, notes


def close_restored(engine: Engine, intents: Sequence[IntentRow], *, now: datetime) -> set[str]:
    """Mark the trims behind each applied restore in ``intents`` as reverted."""
    keys = [str(k) for i in intents if i.status == "applied" and i.reverts_key
            for k in i.evidence.get("trims", ())]
    return changes.mark_reverted(engine, keys, now=now,
                                 note="restored by pacing for the next day")
