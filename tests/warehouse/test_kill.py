"""Crash consistency: SIGKILL a publishing child at random offsets; every table is old or new.

For each ad platform, the parent builds an "old" warehouse (one published batch) and stages a
large second batch that restates half of the old rows and adds as many new ones, with changed
accounts, campaigns and ad groups. Each round copies that file, lets a child process publish
the staged batch, and kills it with SIGKILL after a random delay covering the whole publish
(merge, core refresh, commit, checkpoint). The reopened file must be exactly the old state or
exactly the new state (row counts and content checksums of every platform, core and ops
table, jointly), and the cursor must match the data.
"""

from __future__ import annotations

import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

import warehouse
from warehouse.platforms import TABLES as PLATFORM_TABLES

REPO = Path(__file__).resolve().parents[2]
DAY0 = date(2025, 6, 1)
N_ADS = 1500
OLD_DAYS = 80  # 120k old rows
NEW_DAYS = 80  # new batch: days 40..119 -> 60k restated, 60k new
CORE_AND_OPS = (
    "core.ad_performance_daily",
    "core.campaigns",
    "core.ad_groups",
    "core.ads",
    "core.accounts",
    "ops.loads",
    "ops.quality_results",
    "ops.extract_state",
)
VOLATILE = {"_loaded_at", "at", "updated_at"}  # wall-clock columns, differ between runs
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Shape:
    """How one platform's batch looks: its account, report stream and object rows."""

    platform: str
    account: str  # as the connector names it (landing key)
    report: str  # the daily report stream
    ids: Callable[[int], dict[str, str]]  # ad number -> its id columns in the report
    extra: dict[str, Any]  # report columns only this platform has
    objects: Callable[[int], dict[str, Rows]]  # run number -> object streams

    @property
    def tables(self) -> tuple[str, ...]:
        """Every table of the platform, then core and ops."""
        own = tuple(t for t in PLATFORM_TABLES if t.startswith(self.platform + "."))
        return own + CORE_AND_OPS


def _meta_objects(run: int) -> dict[str, Rows]:
    return {
        "accounts": [{"account_id": "1001", "name": f"Shop v{run}", "currency": "EUR",
                      "timezone_name": "Europe/Berlin", "account_status": 1}],
        "campaigns": [
            {"account_id": "1001", "campaign_id": str(100 + c), "name": f"c{c} v{run}",
             "status": "ACTIVE", "effective_status": "ACTIVE", "objective": "OUTCOME_SALES",
             "daily_budget": 1000 * (c + run), "lifetime_budget": None, "created_time": None,
             "updated_time": None}
            for c in range(N_ADS // 50 + run)
        ],
        "ad_sets": [
            {"account_id": "1001", "campaign_id": str(100 + s // 5), "ad_set_id": str(1000 + s),
             "name": f"s{s}", "status": "ACTIVE", "effective_status": "ACTIVE",
             "daily_budget": 100 * run, "created_time": None, "updated_time": None}
            for s in range(N_ADS // 10)
        ],
    }


def _google_objects(run: int) -> dict[str, Rows]:
    return {
        "accounts": [{"account_id": "4810000001", "name": f"Shop v{run}", "currency": "EUR",
                      "timezone_name": "Europe/Berlin", "status": "ENABLED",
                      "is_manager": False}],
        "campaigns": [
            {"account_id": "4810000001", "campaign_id": str(200 + c), "name": f"c{c} v{run}",
             "status": "ENABLED", "channel_type": "SEARCH", "start_date": DAY0,
             "budget_id": str(900 + c), "daily_budget_micros": 10_000_000 * (c + run)}
            for c in range(N_ADS // 50 + run)
        ],
        "ad_groups": [
            {"account_id": "4810000001", "campaign_id": str(200 + g // 5),
             "ad_group_id": str(2000 + g), "name": f"g{g} v{run}", "status": "ENABLED",
             "type": "SEARCH_STANDARD"}
            for g in range(N_ADS // 10)
        ],
    }


def _linkedin_objects(run: int) -> dict[str, Rows]:
    return {
        "accounts": [{"account_id": "508001001", "name": f"Shop v{run}", "currency": "USD",
                      "timezone_name": "America/New_York", "status": "ACTIVE",
                      "type": "BUSINESS"}],
        "campaigns": [
            {"account_id": "508001001", "campaign_id": str(300 + c),
             "campaign_group_id": str(30 + c // 10), "name": f"c{c} v{run}", "status": "ACTIVE",
             "type": "SPONSORED_UPDATES", "cost_type": "CPM",
             "objective_type": "LEAD_GENERATION", "daily_budget": Decimal(50 + c + run),
             "currency": "USD", "created_time": None, "updated_time": None}
            for c in range(N_ADS // 10 + run)
        ],
    }


SHAPES = {
    "meta_ads": Shape(
        "meta_ads", "act_1001", "ad_insights_daily",
        lambda a: {"account_id": "1001", "campaign_id": str(100 + a // 50),
                   "ad_set_id": str(1000 + a // 10), "ad_id": str(10_000 + a)},
        {"currency": "EUR", "attribution_setting": "7d_click_1d_view"},
        _meta_objects,
    ),
    "google_ads": Shape(
        "google_ads", "4810000001", "ad_performance_daily",
        lambda a: {"account_id": "4810000001", "campaign_id": str(200 + a // 50),
                   "ad_group_id": str(2000 + a // 10), "ad_id": str(20_000 + a)},
        {"currency": "EUR"},
        _google_objects,
    ),
    "linkedin_ads": Shape(
        "linkedin_ads", "508001001", "ad_analytics_daily",
        lambda a: {"account_id": "508001001", "campaign_id": str(300 + a // 10),
                   "creative_id": str(30_000 + a)},
        {"currency": "USD"},
        _linkedin_objects,
    ),
}
ROUNDS = {"meta_ads": 25, "google_ads": 12, "linkedin_ads": 12}

CHILD = """
import pickle, sys
import warehouse
db, payload = sys.argv[1], sys.argv[2]
with open(payload, "rb") as fh:
    staged, report, cursors = pickle.load(fh)
wh = warehouse.connect(db)
print("READY", flush=True)
warehouse.publish(wh, staged, report, cursors)
print("DONE", flush=True)
wh.close()
"""


def _report(shape: Shape, days: range, restate: bool) -> Rows:
    rows = []
    for a in range(N_ADS):
        ids = shape.ids(a)
        for d in days:
            rows.append(
                {
                    **ids,
                    "date": DAY0 + timedelta(days=d),
                    "spend": Decimal(a % 97) + Decimal(d) / 100,
                    "impressions": 1000 + a + d,
                    "clicks": (a + d) % 50,
                    "conversions": Decimal((a * d) % 7 + (3 if restate else 0)),
                    "conversion_value": Decimal((a * d) % 7) * Decimal("12.5"),
                    **shape.extra,
                }
            )
    return rows


def _batch(wh: warehouse.Warehouse, shape: Shape, run_id: str, streams: dict[str, Rows]
           ) -> warehouse.StagedBatch:
    files = tuple(
        warehouse.write_landing(wh.landing_root, platform=shape.platform, stream=stream,
                                account_id=shape.account, run_id=run_id, rows=rows)
        for stream, rows in streams.items()
    )
    return warehouse.stage_batch(wh, warehouse.LoadBatch(shape.platform, shape.account, run_id,
                                                         files))


def _state(path: Path, tables: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    con = duckdb.connect(str(path))
    try:
        state: dict[str, tuple[Any, ...]] = {}
        for table in tables:
            schema, name = table.split(".")
            cols = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                    "AND table_name = ? ORDER BY ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in VOLATILE
            ]
            row = con.execute(
                f"SELECT count(*), coalesce(sum(hash({', '.join(cols)})), 0) FROM {table}"
            ).fetchone()
            state[table] = tuple(row) if row else ()
        state["cursor"] = tuple(
            con.execute("SELECT stream, cursor_date FROM ops.extract_state ORDER BY ALL").fetchall()
        )
        return state
    finally:
        con.close()


@dataclass
class Scenario:
    shape: Shape
    base: Path
    payload: Path
    old: dict[str, tuple[Any, ...]]
    new: dict[str, tuple[Any, ...]]
    publish_seconds: float


def _run_child(db: Path, payload: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(payload)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "READY", (line, proc.stderr.read() if proc.stderr else "")


@pytest.fixture(scope="module", params=list(SHAPES))
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    shape = SHAPES[request.param]
    tmp = tmp_path_factory.mktemp(f"kill-{shape.platform}")
    base = tmp / "base.duckdb"
    wh = warehouse.connect(base, landing_root=tmp / "landing")
    old_days, new_days = range(OLD_DAYS), range(OLD_DAYS // 2, OLD_DAYS // 2 + NEW_DAYS)
    old = _batch(wh, shape, "old", {shape.report: _report(shape, old_days, False),
                                    **shape.objects(1)})
    ok = warehouse.run_quality(wh, old, warehouse.QualityContext(engine="duckdb"))
    assert not ok.has_errors, ok
    cursor = warehouse.CursorUpdate(shape.report, DAY0 + timedelta(OLD_DAYS - 1))
    warehouse.publish(wh, old, ok, [cursor])
    new = _batch(wh, shape, "new", {shape.report: _report(shape, new_days, True),
                                    **shape.objects(2)})
    report = warehouse.run_quality(wh, new, warehouse.QualityContext(engine="duckdb"))
    assert not report.has_errors, report
    cursors = [warehouse.CursorUpdate(shape.report, DAY0 + timedelta(new_days[-1]))]
    wh.close()
    payload = tmp / "payload.pickle"
    payload.write_bytes(pickle.dumps((new, report, cursors)))

    # the new state, by an unkilled child
    done = tmp / "done.duckdb"
    shutil.copy(base, done)
    proc = _run_child(done, payload)
    _wait_ready(proc)
    started = time.perf_counter()
    out, err = proc.communicate(timeout=120)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 0 and "DONE" in out, err
    scen = Scenario(shape, base, payload, _state(base, shape.tables), _state(done, shape.tables),
                    elapsed)
    changed = {t for t in shape.tables if scen.old[t] != scen.new[t]}
    assert {f"{shape.platform}.{shape.report}", "core.ad_performance_daily", "core.campaigns",
            "core.accounts", "ops.extract_state"} <= changed
    assert scen.new[f"{shape.platform}.{shape.report}"][0] == N_ADS * (OLD_DAYS // 2 + NEW_DAYS)
    assert scen.new["core.ad_performance_daily"][0] == N_ADS * (OLD_DAYS // 2 + NEW_DAYS)
    return scen


def _kill_rounds(scenario: Scenario, tmp: Path, rounds: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    outcome = {"old": 0, "new": 0}
    for i in range(rounds):
        db = tmp / f"round{i}.duckdb"
        shutil.copy(scenario.base, db)
        proc = _run_child(db, scenario.payload)
        _wait_ready(proc)
        time.sleep(rng.uniform(0, scenario.publish_seconds * 1.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        state = _state(db, scenario.shape.tables)  # reopening replays the WAL
        if state == scenario.old:
            outcome["old"] += 1
        elif state == scenario.new:
            outcome["new"] += 1
        else:
            diff = {
                k: (scenario.old[k], scenario.new[k], state[k])
                for k in state
                if state[k] not in (scenario.old[k], scenario.new[k])
            }
            mixed = {k for k in state if state[k] == scenario.old[k]}
            pytest.fail(
                f"round {i}: torn state; tables neither old nor new: {diff}; "
                f"old tables: {sorted(mixed)}"
            )
        # cursor consistent with data: the cursor moved if and only if the data did
        moved = state["cursor"] == scenario.new["cursor"]
        report = f"{scenario.shape.platform}.{scenario.shape.report}"
        assert moved == (state[report] == scenario.new[report])
        for suffix in ("", ".wal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"{scenario.shape.platform} kill rounds={rounds} "
          f"publish={scenario.publish_seconds:.2f}s outcome={outcome}")
    return outcome


def test_sigkill_during_publish_leaves_old_or_new(scenario: Scenario, tmp_path: Path) -> None:
    rounds = ROUNDS[scenario.shape.platform]
    outcome = _kill_rounds(scenario, tmp_path, rounds=rounds, seed=20261126)
    assert outcome["old"] + outcome["new"] == rounds
    assert outcome["old"] > 0  # some kills landed before the commit


@pytest.mark.slow
def test_sigkill_during_publish_many_rounds(scenario: Scenario, tmp_path: Path) -> None:
    outcome = _kill_rounds(scenario, tmp_path, rounds=200, seed=7)
    assert outcome["old"] > 0 and outcome["new"] > 0
