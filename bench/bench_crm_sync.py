"""Incremental CRM sync of a million HubSpot contacts: full sync vs re-sync after N changes.

The HubSpot emulator renders a population of ``--contacts`` people (in process, through
``httpx.MockTransport``). Phases:

1. build: the emulator's portal (its search index of (lastmodifieddate, id), built once).
2. full sync: every contact through the search API, in ``--chunk-days`` windows of
   modification days (each window is read, counted and dropped, as the extract lands it),
   re-anchoring past the 10,000-result cap wherever a window holds more.
3. changes: ``--changed`` contacts get a new lifecycle stage through batch upserts (100 per
   call); the market clock moves one hour on.
4. incremental re-sync: the default window (cursor = today, lookback 3 days).

For phases 2 and 4 it prints wall time, peak RSS above the phase's start (psutil, sampled
every 20 ms), calls made, rows read and re-anchors, then the ratios incremental / full. Peak
RSS includes the emulator's own rendering (same process); the population caches up to 200k
people, so the build phase carries most of the fixed memory. CPython keeps freed memory, so a
later phase that fits in what an earlier one freed shows ~0 MB above its start. A run of
1,000,000 contacts takes about 8 minutes on 2 cores (most of it rendering people).

    .venv/bin/python bench/bench_crm_sync.py [--contacts 1000000] [--changed 10000]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.calllog import CallRecorder
from connectors.hubspot import ContactUpsert, HubSpotConnector, HubSpotSettings
from connectors.streams import DateWindow
from emulators.entities import LAYOUTS
from emulators.hubspot import PRIVATE_APP_TOKEN, HubSpotEmulator, hubspot
from emulators.market import Market
from emulators.quota import QuotaConfig

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Phase:
    """Figures of one phase."""

    name: str
    seconds: float = 0.0
    peak_mb: float = 0.0
    calls: int = 0
    rows: int = 0
    reanchors: int = 0


@contextmanager
def measured(phase: Phase) -> Iterator[Phase]:
    """Time a block and sample its peak RSS above the starting RSS."""
    proc = psutil.Process()
    start_rss = proc.memory_info().rss
    peak = [start_rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], proc.memory_info().rss)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    try:
        yield phase
    finally:
        phase.seconds = time.perf_counter() - t0
        done.set()
        thread.join()
        peak[0] = max(peak[0], proc.memory_info().rss)
        phase.peak_mb = (peak[0] - start_rss) / 1e6


class Clock:
    """The connector's and market's clock; sleeping only moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(0.0, seconds))


def connector(emulator: HubSpotEmulator, clock: Clock) -> HubSpotConnector:
    """A connector in process, paced far above the emulator's (roomy) limits."""
    settings = HubSpotSettings(access_token=SecretStr(PRIVATE_APP_TOKEN),
                               requests_per_second=1e6, search_requests_per_second=1e6)
    return HubSpotConnector(settings, transport=emulator.transport(), recorder=CallRecorder(),
                            sleep=clock.sleep, clock=clock)


def read_windows(conn: HubSpotConnector, windows: list[DateWindow], phase: Phase,
                 reanchors: Callable[[], int]) -> None:
    """Read contacts window by window, keeping only counts (rows are dropped per window)."""
    account = conn.list_accounts()[0]
    for window in windows:
        result = conn.read("contacts", account, window)
        phase.rows += len(result.rows)
        del result
    phase.calls = len(conn.recorder.calls)
    phase.reanchors = reanchors()


def main() -> None:
    """Run the benchmark and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--chunk-days", type=int, default=30)
    args = parser.parse_args()

    clock = Clock(NOW)
    market = Market(seed=7, clock=lambda: clock.now, platforms=tuple(LAYOUTS))
    emulator = hubspot(market=market, size=args.contacts,
                       quota=QuotaConfig(account_calls=None, app_calls=None, user_calls=None))
    build = Phase("build emulator")
    with measured(build):
        crm = emulator.crm
    visible = len(crm.contact_ids)

    def reanchors() -> int:
        """Searches that restarted from an anchor (their first page: no offset yet)."""
        return sum(1 for r in emulator.request_log if r.path.endswith("/contacts/search")
                   and "hs_object_id" in r.params.get("filterGroups", "")
                   and "after" not in r.params)

    full = Phase("full sync")
    start = TODAY - timedelta(days=200)
    windows = []
    while start <= TODAY:
        end = min(TODAY, start + timedelta(days=args.chunk_days - 1))
        windows.append(DateWindow(start, end))
        start = end + timedelta(days=1)
    conn = connector(emulator, clock)
    with measured(full):
        read_windows(conn, windows, full, reanchors)
    conn.close()

    change = Phase("upsert changes")
    clock.sleep(3600)
    step = max(1, visible // max(1, args.changed))
    emails = [str(crm.contact_properties(int(cid))["email"])
              for cid in list(crm.contact_ids)[::step][: args.changed]]
    conn = connector(emulator, clock)
    with measured(change):
        done = conn.upsert_contacts(
            conn.list_accounts()[0],
            [ContactUpsert(e, {"lifecyclestage": "opportunity"}) for e in emails])
        change.calls, change.rows = len(conn.recorder.calls), len(done)
    conn.close()

    before = reanchors()
    incremental = Phase("incremental re-sync")
    conn = connector(emulator, clock)
    with measured(incremental):
        account = conn.list_accounts()[0]
        window = DateWindow(TODAY - timedelta(days=conn.settings.lookback_days), TODAY)
        result = conn.read("contacts", account, window)
        incremental.rows = len(result.rows)
        incremental.calls = len(conn.recorder.calls)
        incremental.reanchors = reanchors() - before
        changed_seen = sum(1 for r in result.rows if r["lifecycle_stage"] == "opportunity")
    conn.close()

    print(f"contacts in the portal: {visible:,}; changed: {len(emails):,} "
          f"(seen again by the re-sync: {changed_seen:,}); window of the re-sync: {window}")
    print(f"{'phase':<22}{'seconds':>10}{'peak RSS MB':>14}{'calls':>9}{'rows':>12}"
          f"{'re-anchors':>12}")
    for p in (build, full, change, incremental):
        print(f"{p.name:<22}{p.seconds:>10.1f}{p.peak_mb:>14.0f}{p.calls:>9,}{p.rows:>12,}"
              f"{p.reanchors:>12}")
    print("ratios incremental / full: "
          f"time {incremental.seconds / full.seconds:.3f}, "
          f"peak RSS {incremental.peak_mb / max(full.peak_mb, 1):.3f}, "
          f"calls {incremental.calls / full.calls:.3f}, rows {incremental.rows / full.rows:.3f}")
    print(f"full sync throughput: {full.rows / full.seconds:,.0f} contacts/s "
          f"({full.calls / full.seconds:,.0f} calls/s)")


if __name__ == "__main__":
    main()
