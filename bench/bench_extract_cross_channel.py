"""Cross-channel extract under declared quotas: wall time / the slowest platform's quota time.

One seeded company advertises on Meta, Google Ads and LinkedIn (one ``Market``, real clock, 20
accounts per platform by default). Each platform's emulator declares a quota of N calls per
rolling W seconds (``QuotaConfig``) and enforces it its own way: Meta answers a Graph throttle
error (code 4 for the app scope) and reports usage in ``X-App-Usage``, Google a 429
``RESOURCE_EXHAUSTED``, LinkedIn a bare 429 (no Retry-After, no usage header). Every declared
quota here is a platform-wide scope (Meta: the app, Google: the developer token, LinkedIn: the
app), so the client side gives every account of a platform ONE token bucket, paced at 95% of the
declared rate (``requests_per_second``), shared through the connectors' ``rate_limiters`` pool.
(``extract_ads`` builds one connector, hence one bucket, per account task: against a
platform-wide quota, and LinkedIn has no other, it could only divide the rate by the slots.
The bench shares the bucket instead.)

The run extracts every stream of every account (report streams: the 90 days ending yesterday
in the account's time zone) with the connectors directly (no Prefect, no warehouse): the three
platforms in parallel, the accounts of one platform in parallel threads bounded like the flow
(``EXTRACT_SLOTS_PER_PLATFORM`` = 4, one connector per account as ``extract_account`` builds
it). Account listing is part of the run, as in the flow. It reports, per platform and overall:

* calls = calls the emulator admitted (counted by its own quota tracker, per scope),
* bound = the least time the declared quota allows for those calls: a rolling window of N
  calls per W seconds admits calls 1..N at once, N more W seconds later, ..., so c calls in
  one scope need ``floor((c - 1) / N) * W`` seconds; a platform's bound is its largest scope's,
* ratio = wall time / the slowest platform's bound          (aim: <= 1.2),
* hard throttles = throttle / 429 errors the emulators returned (aim: 0),
* failed = account extractions that raised (must be 0), and rows read.

    .venv/bin/python bench/bench_extract_cross_channel.py [--accounts 20] [--days 90] [--quick]
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.calllog import CallRecorder
from connectors.description import describe
from connectors.ratelimit import KeyedPool, TokenBucket
from connectors.retry import RetryPolicy
from connectors.streams import AccountInfo, SourceConnector
from connectors.windows import extract_window
from emulators._base import Emulator
from emulators.market import Market
from emulators.quota import QuotaConfig, QuotaTracker
from emulators.registry import EMULATORS
from resources import sandbox
from resources.limits import EXTRACT_SLOTS_PER_PLATFORM

PACING = 0.95
TARGET = 1.2
SEED = 7
ORDER = ("meta_ads", "google_ads", "linkedin_ads")


@dataclass(frozen=True)
class Declared:
    """A platform's declared quota: ``calls`` per rolling ``window`` seconds on one scope."""

    scope: str
    calls: int
    window: float

    @property
    def rate(self) -> float:
        return self.calls / self.window

    def config(self) -> QuotaConfig:
        # ``app_calls`` is the app scope (Meta, LinkedIn) or the developer token (Google);
        # the per-account and per-user scopes are left undeclared.
        return QuotaConfig(
            account_calls=None, app_calls=self.calls, user_calls=None, window_seconds=self.window
        )


# LinkedIn's is the binding quota: 20 accounts need 81 calls, 80 s at 10 calls / 10 s; Google
# (101 calls, 50 s) and Meta (~230 calls with report polls, ~40 s) fit well inside it.
QUOTAS: dict[str, Declared] = {
    "meta_ads": Declared("app (Graph code 4)", 100, 20.0),
    "google_ads": Declared("developer token (429)", 20, 10.0),
    "linkedin_ads": Declared("app (bare 429)", 10, 10.0),
}


class ScopeLedger:
    """Counts the calls an emulator's own ``QuotaTracker`` admits, per scope, with its limit.

    The tracker is instrumented in place (its ``usage`` and ``record`` are wrapped on this
    instance only), so the bound is computed on exactly what the emulator enforced.
    """

    def __init__(self, tracker: QuotaTracker) -> None:
        self.window = tracker.config.window_seconds
        self.limits: dict[str, int] = {}
        self.calls: Counter[str] = Counter()
        self.records = 0
        self._lock = threading.Lock()
        usage, record = tracker.usage, tracker.record

        def counted_usage(scope: str, limit: int | None) -> Any:
            if limit is not None:
                with self._lock:
                    self.limits[scope] = limit
            return usage(scope, limit)

        def counted_record(*scopes: str) -> None:
            record(*scopes)
            with self._lock:
                self.records += 1
                self.calls.update(scopes)

        tracker.usage = counted_usage  # type: ignore[method-assign]
        tracker.record = counted_record  # type: ignore[method-assign]

    def admitted(self) -> int:
        """Calls the emulator admitted (and counted against its quotas)."""
        with self._lock:
            return self.records

    def bound(self) -> tuple[float, str]:
        """Least seconds the declared quotas allow for the admitted calls, and its scope."""
        best, where = 0.0, "-"
        with self._lock:
            for scope, limit in self.limits.items():
                count = self.calls[scope]
                seconds = math.floor((count - 1) / limit) * self.window if count else 0.0
                if seconds > best or where == "-":
                    best, where = seconds, scope
        return best, where


@dataclass
class PlatformRun:
    platform: str
    declared: Declared
    accounts: int = 0
    rows: int = 0
    rejects: int = 0
    hard_throttles: int = 0
    other_errors: int = 0
    failed: int = 0
    elapsed: float = 0.0
    admitted: int = 0
    bound: float = 0.0
    scope: str = "-"
    min_rate: float = float("inf")
    errors: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> str:
        # A platform whose calls fit in one window at once has no bound to compare with.
        return f"{self.elapsed / self.bound:.2f}" if self.bound else "-"


def bench_settings(platform: str) -> Any:
    """The sandbox settings of ``resources.environment``, paced under the declared quota."""
    description = describe(platform)
    base = description.settings_cls()(
        **sandbox.connector_settings(platform, description.live_base_url or ""))
    return type(base).model_validate(
        {
            **base.model_dump(),
            "requests_per_second": PACING * QUOTAS[platform].rate,
            "retry": RetryPolicy(max_attempts=8, max_total_seconds=120),
            "timeout_seconds": 30,
        }
    )


def shared_pool(settings: Any) -> KeyedPool[str, TokenBucket]:
    """One bucket for every account key (the declared quota is platform-wide).

    It is built as ``BaseConnector`` builds its per-account buckets from the same settings
    (rate, burst, headroom threshold; 0.2, the base default, where a platform has none).
    """
    bucket = TokenBucket(
        settings.requests_per_second,
        burst=settings.burst,
        threshold=getattr(settings, "headroom_threshold", 0.2),
    )
    return KeyedPool(lambda _account: bucket)


def make_connector(
    platform: str,
    settings: Any,
    emulator: Emulator,
    recorder: CallRecorder,
    limiters: KeyedPool[str, TokenBucket],
) -> SourceConnector:
    """A connector as ``Environment.connector`` builds it in process, sharing ``limiters``."""
    connector: SourceConnector = describe(platform).connector_cls()(
        settings, transport=emulator.transport(), recorder=recorder, rate_limiters=limiters
    )
    return connector


def extract_account(
    run: PlatformRun,
    emulator: Emulator,
    settings: Any,
    recorder: CallRecorder,
    limiters: KeyedPool[str, TokenBucket],
    account: AccountInfo,
    now: datetime,
    days: int,
    lock: threading.Lock,
) -> None:
    """Every stream of one account, as ``tasks.extract.extract_account`` reads them."""
    connector: SourceConnector | None = None
    try:
        connector = make_connector(run.platform, settings, emulator, recorder, limiters)
        bucket = limiters.get(account.id)
        for stream in connector.streams():
            window = None
            if stream.is_report:
                window = extract_window(
                    timezone_name=account.timezone,
                    now=now,
                    lookback_days=days,
                    initial_days=days,
                )
                if window is None:
                    continue
            result = connector.read(stream.name, account, window)
            with lock:
                run.min_rate = min(run.min_rate, bucket.rate)
                run.rows += len(result.rows)
                run.rejects += len(result.rejects)
    except Exception as exc:
        with lock:
            run.failed += 1
            run.errors.append(f"{account.id}: {type(exc).__name__}: {exc}")
    finally:
        if connector is not None:
            connector.close()


def run_platform(
    run: PlatformRun, emulator: Emulator, market: Market, accounts: int, days: int
) -> None:
    """List the accounts, then extract them SLOTS at a time; all under one shared bucket."""
    started = time.perf_counter()
    recorder = CallRecorder()
    settings = bench_settings(run.platform)
    limiters = shared_pool(settings)
    lock = threading.Lock()
    listing: SourceConnector | None = None
    infos: list[AccountInfo] = []
    try:
        listing = make_connector(run.platform, settings, emulator, recorder, limiters)
        infos = listing.list_accounts()[:accounts]
    except Exception as exc:
        run.failed = accounts
        run.errors.append(f"list_accounts: {type(exc).__name__}: {exc}")
    finally:
        if listing is not None:
            listing.close()
    run.accounts = len(infos)
    now = market.now()
    with ThreadPoolExecutor(EXTRACT_SLOTS_PER_PLATFORM, f"{run.platform}-account") as pool:
        for info in infos:
            pool.submit(
                extract_account, run, emulator, settings, recorder, limiters, info, now, days, lock
            )
    run.elapsed = time.perf_counter() - started
    calls = recorder.calls
    run.hard_throttles = sum(1 for c in calls if c.error_class == "RateLimitError")
    run.other_errors = sum(1 for c in calls if c.error and c.error_class != "RateLimitError")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20, help="accounts per platform")
    parser.add_argument("--days", type=int, default=90, help="report days (ending yesterday)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 3 accounts x 14 days (ratio not judged)"
    )
    args = parser.parse_args()
    accounts, days = (3, 14) if args.quick else (args.accounts, args.days)

    market = Market(seed=SEED, accounts_per_platform=accounts, platforms=ORDER)
    emulators: dict[str, Emulator] = {}
    ledgers: dict[str, ScopeLedger] = {}
    for platform in ORDER:
        emulators[platform] = EMULATORS[platform](market=market, quota=QUOTAS[platform].config())
        ledgers[platform] = ScopeLedger(emulators[platform].quota)
    runs = {p: PlatformRun(p, QUOTAS[p]) for p in ORDER}

    print(
        f"{len(ORDER)} platforms x {accounts} accounts x {days} days, in process; accounts "
        f"{EXTRACT_SLOTS_PER_PLATFORM} at a time per platform, platforms in parallel; one "
        f"client bucket per platform paced at {PACING:.0%} of its declared quota\n"
    )
    cpu0 = time.process_time()
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=run_platform,
            args=(runs[p], emulators[p], market, accounts, days),
            name=f"bench-{p}",
        )
        for p in ORDER
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0

    for platform, run in runs.items():
        run.admitted = ledgers[platform].admitted()
        run.bound, run.scope = ledgers[platform].bound()

    header = (
        f"{'platform':<14}{'quota':>12}{'req/s':>7}{'accts':>6}{'calls':>7}{'rows':>8}"
        f"{'throttles':>10}{'failed':>7}{'min r/s':>8}{'secs':>7}{'bound':>7}{'ratio':>7}"
        "  binding scope"
    )
    print(header)
    print("-" * len(header))
    for run in runs.values():
        q = run.declared
        print(
            f"{run.platform:<14}{f'{q.calls}/{q.window:g}s':>12}{PACING * q.rate:>7.2f}"
            f"{run.accounts:>6}{run.admitted:>7}{run.rows:>8}{run.hard_throttles:>10}"
            f"{run.failed:>7}{run.min_rate:>8.2f}{run.elapsed:>7.1f}{run.bound:>7.1f}{run.ratio:>7}"
            f"  {q.scope}: {run.scope}"
        )
        for error in run.errors[:5]:
            print(f"  failed: {error}", file=sys.stderr)

    slowest = max(runs.values(), key=lambda r: r.bound)
    throttles = sum(r.hard_throttles for r in runs.values())
    failed = sum(r.failed for r in runs.values())
    other = sum(r.other_errors for r in runs.values())
    ratio = wall / slowest.bound if slowest.bound else float("inf")
    in_series = sum(r.bound for r in runs.values())
    print(
        f"\nwall {wall:.1f} s (process CPU {cpu:.1f} s); slowest quota: {slowest.platform} "
        f"{slowest.bound:.1f} s; the three bounds one after another: {in_series:.1f} s"
    )
    print(
        f"ratio wall / slowest platform's bound = {ratio:.2f} (aim <= {TARGET}); "
        f"failed account extractions {failed}; hard throttles {throttles}; "
        f"other errors {other}"
    )
    rows = sum(r.rows for r in runs.values())
    rejects = sum(r.rejects for r in runs.values())
    print(f"rows read {rows} ({rejects} rejected records)")
    ok = failed == 0 and throttles == 0 and (args.quick or ratio <= TARGET)
    verdict = "PASS" if ok else "BELOW TARGET"
    judged = "no failed run, no hard throttle" + ("" if args.quick else f", ratio <= {TARGET}")
    print(f"\ncross-channel extract: {verdict} ({judged})")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
