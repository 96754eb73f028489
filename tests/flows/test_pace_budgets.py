"""``pace-budgets`` end to end: today's delivery read from the platforms, hot budgets trimmed.

One seeded market's ad platforms are extracted into a warehouse (the pool), then the hourly
check reads live budgets and today's partial spend through the campaign writers, trims what
runs hot and, on the accounts' next local day, restores what it trimmed. The emulators'
mutation logs are the witness; the market's own truth says which budgets ran hot.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.description import platforms
from deployments.simulate import MarketClock, served
from emulators.market import AdGroup, Market
from tests.flows.conftest import point_at_sandbox

pytestmark = pytest.mark.xdist_group("prefect-flows")

EVENING = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)  # 16:00 in New York
AD_PLATFORMS = tuple(d.name for d in platforms("ads"))
BOUNDS = {"meta_ads": Decimal("0.20")}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Path:
    """The ad platforms extracted at the test's evening, once per module."""
    from flows.extract_ads import extract_ads

    root = tmp_path_factory.mktemp("pacing-warehouse")
    market = Market(seed=3, clock=MarketClock(EVENING), platforms=AD_PLATFORMS)
    with pytest.MonkeyPatch.context() as monkeypatch, served(market):
        point_at_sandbox(root, monkeypatch)
        assert extract_ads(platforms=list(AD_PLATFORMS)).ok
    return root / "warehouse.duckdb"


def _mutations(emulators: dict[str, Any]) -> list[tuple[str, str, Decimal, Decimal]]:
    # subject_id: the market's budget holder (for a Google campaign budget, its campaign)
    return [(p, m.subject_id, m.old, m.new) for p, e in sorted(emulators.items())
            for m in e.mutation_log if m.attribute == "daily_budget"]


def _hot(market: Market, tolerance: float = 0.05) -> dict[tuple[str, str], Decimal]:
    """Budget holders whose spend so far projects above their budget: id -> projected."""
    from emulators.steering import budget_holders

    hot = {}
    for holder in budget_holders(market, AD_PLATFORMS):
        local = market.local_now(holder.platform, holder.account_id)
        hour = local.hour + local.minute / 60
        spent = sum((market.truth(holder.platform, ad.id, local.date()).spend
                     for ad in market.ads(holder.platform, holder.entity_id)), Decimal(0))
        budget = Decimal(market.budget(holder.platform, holder.entity_id) or 0) / 100
        projected = spent * 24 / Decimal(str(hour))
        if projected > budget * Decimal(str(1 + tolerance)):
            # named as the mutation log names it: a Google budget by its campaign
            entity = market.entity(holder.platform, holder.entity_id)
            subject = (entity.campaign_id if holder.platform == "google_ads"
                       and isinstance(entity, AdGroup) else holder.entity_id)
            hot[(holder.platform, subject)] = projected
    return hot


def test_hot_budgets_are_trimmed_once_and_restored_on_the_next_local_day(
        extracted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.pace_budgets import pace_budgets
    from store import create_schema, create_store_engine
    from store.changes import list_intents
    from tasks.budgets import last_budget_changes

    shutil.copy(extracted, tmp_path / "warehouse.duckdb")
    point_at_sandbox(tmp_path, monkeypatch)
    clock = MarketClock(EVENING)
    market = Market(seed=3, clock=clock, platforms=AD_PLATFORMS)
    twin = Market(seed=3, clock=clock, platforms=AD_PLATFORMS)  # never trimmed
    hot = _hot(market)
    assert hot, "the seed should have budgets running hot by the evening"
    with served(market) as emulators:
        state = pace_budgets(return_state=True)
        assert state.is_completed(), state.message
        first = state.result()
        assert first.checked >= len(hot) and first.hot == len(hot)
        trims = _mutations(emulators)
        assert trims and len(trims) == first.trims
        wanted = set(hot)
        for platform, entity, old, new in trims:
            # only hot budgets, only down, within the step bound of the platform
            assert (platform, entity) in wanted
            assert new < old
            assert new >= old * (1 - BOUNDS.get(platform, Decimal("0.30"))) - Decimal("0.01")
        # the rest of the day spends less than the untrimmed twin's
        clock.moment = EVENING + dt.timedelta(hours=2)
        for platform, subject in hot:
            if (platform, subject) not in {(p, e) for p, e, *_ in trims}:
                continue
            ads = market.ads(platform, subject)
            day = market.local_now(platform, ads[0].account_id).date()
            spent = sum((market.truth(platform, a.id, day).spend for a in ads), Decimal(0))
            untrimmed = sum((twin.truth(platform, a.id, day).spend for a in ads), Decimal(0))
            assert spent < untrimmed
        clock.moment = EVENING

        again = pace_budgets()  # the same hour: continues its plan, writes nothing new
        assert again.resumed and _mutations(emulators) == trims

        # the next local day of every account (05:00 in New York): restore the trims
        clock.moment = EVENING + dt.timedelta(hours=14)
        restored = pace_budgets()
        assert restored.restores == len(trims)
        after = _mutations(emulators)[len(trims):]
        assert sorted((p, e, new, old) for p, e, old, new in trims) == sorted(after)

    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    create_schema(engine)
    intents = list_intents(engine)
    statuses = sorted((i.intent_key.split(":")[3], i.status) for i in intents)
    assert statuses == sorted([("trim", "reverted")] * len(trims)
                              + [("restore", "applied")] * len(trims))
    assert last_budget_changes(engine) == {}  # pacing starts no cooldown


def test_a_bad_hourly_profile_is_refused_before_anything_is_read(sandbox_env: Path) -> None:
    from flows.pace_budgets import pace_budgets

    state = pace_budgets(hourly_profile=[1.0] * 23, return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="hourly_profile: 24 non-negative shares"):
        state.result()
