"""Quota use of the Meta connector: achieved request rate / allowed rate, no hard throttles.

The Meta emulator declares a Business Use Case quota of N calls per rolling W seconds per ad
account (``QuotaConfig``) and answers a call beyond it with the platform's own throttle
error (code 80004 / 80000). The connector is told the documented quota (it paces at 95% of
it, ``requests_per_second``) and adapts to the usage headers the emulator returns (it slows
down when the remaining headroom falls below 5%, as Airbyte's 95% rule). Each scenario runs
repeated extractions of the account's campaigns, ad sets and ads (all in the
``ads_management`` use case, so the allowed rate is exactly N/W) for a fixed time and
reports:

* achieved = calls the emulator admitted for the account / elapsed seconds,
* ratio = achieved / (N / W)          (aim: >= 0.9),
* hard throttles = throttle errors the emulator returned to the connector (aim: 0),
* failed runs = extractions that raised (aim: 0).

Scenarios: in process (``httpx.MockTransport``), loopback HTTP (uvicorn) with two accounts
extracted in parallel (one bucket each), and loopback with a "noisy neighbour" that spends
30% of the same account's quota behind the connector's back (only the usage headers tell).

    .venv/bin/python bench/bench_extract_quota.py [--seconds 20] [--calls 100] [--window 10]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.calllog import CallRecorder
from connectors.errors import ConnectorError
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.retry import RetryPolicy
from connectors.streams import AccountInfo
from emulators._base import Emulator
from emulators.market import Market
from emulators.meta_ads.auth import SANDBOX_TOKEN
from emulators.quota import QuotaConfig
from emulators.registry import EMULATORS
from emulators.serve import serve_in_thread

STREAMS = ("campaigns", "ad_sets", "ads")
PACING = 0.95


@dataclass
class Result:
    scenario: str
    account: str
    admitted: int = 0
    elapsed: float = 0.0
    allowed_rps: float = 0.0
    hard_throttles: int = 0
    other_errors: int = 0
    runs: int = 0
    failed_runs: int = 0
    neighbour_calls: int = 0
    min_rate: float = field(default=float("inf"))

    @property
    def achieved_rps(self) -> float:
        return self.admitted / self.elapsed if self.elapsed else 0.0

    @property
    def ratio(self) -> float:
        return self.achieved_rps / self.allowed_rps if self.allowed_rps else 0.0


def make_emulator(calls: int, window: float) -> Emulator:
    quota = QuotaConfig(account_calls=calls, app_calls=None, user_calls=None, window_seconds=window)
    return EMULATORS["meta_ads"](market=Market(seed=3, today=date(2026, 11, 20)), quota=quota)


def make_connector(
    calls: int, window: float, transport: httpx.BaseTransport | None, base_url: str
) -> MetaAdsConnector:
    settings = MetaAdsSettings(
        base_url=base_url,
        access_token=SecretStr(SANDBOX_TOKEN),
        object_page_size=2,
        requests_per_second=PACING * calls / window,
        headroom_threshold=0.05,
        retry=RetryPolicy(max_attempts=8, max_total_seconds=120),
        timeout_seconds=10,
    )
    return MetaAdsConnector(settings, transport=transport, recorder=CallRecorder())


def extract_loop(
    connector: MetaAdsConnector,
    account: AccountInfo,
    seconds: float,
    result: Result,
) -> None:
    bucket = connector.rate_limiters.get(account.id)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result.runs += 1
        try:
            for stream in STREAMS:
                connector.read(stream, account)
                result.min_rate = min(result.min_rate, bucket.rate)
        except ConnectorError as exc:
            result.failed_runs += 1
            print(f"  run failed: {exc}", file=sys.stderr)


def summarise(
    result: Result, connector: MetaAdsConnector, account: str, calls: int, window: float
) -> None:
    mine = [c for c in connector.recorder.calls if c.account_id == account]
    ok = [c for c in mine if c.error is None]
    result.admitted = len(ok)
    result.hard_throttles = sum(1 for c in mine if c.error_class == "RateLimitError")
    result.other_errors = sum(1 for c in mine if c.error and c.error_class != "RateLimitError")
    if ok:
        start = min(c.started_at for c in mine).timestamp()
        end = max(c.started_at for c in mine).timestamp()
        # N admitted calls span N-1 intervals.
        result.elapsed = end - start
        result.admitted = len(ok) - 1
    result.allowed_rps = calls / window


def run_scenario(
    name: str,
    *,
    loopback: bool,
    accounts: int,
    neighbour_share: float,
    seconds: float,
    calls: int,
    window: float,
) -> list[Result]:
    emulator = make_emulator(calls, window)
    server = serve_in_thread(emulator).start() if loopback else None
    try:
        base_url = server.base_url if server else "https://graph.facebook.com"
        transport = None if server else emulator.transport()
        probe = make_connector(10_000, 1, transport, base_url)
        infos = probe.list_accounts()[:accounts]
        probe.close()
        time.sleep(window)  # let the probe's calls leave the rolling window
        connector = make_connector(calls, window, transport, base_url)
        results = [Result(name, a.id) for a in infos]
        stop = threading.Event()
        neighbour_count = [0]
        threads = [
            threading.Thread(target=extract_loop, args=(connector, a, seconds, r))
            for a, r in zip(infos, results, strict=True)
        ]
        if neighbour_share > 0:
            threads.append(
                threading.Thread(
                    target=neighbour,
                    args=(
                        base_url,
                        infos[0].id,
                        neighbour_share * calls / window,
                        stop,
                        neighbour_count,
                    ),
                )
            )
        for t in threads:
            t.start()
        for t in threads[: len(infos)]:
            t.join()
        stop.set()
        for t in threads[len(infos) :]:
            t.join()
        for a, r in zip(infos, results, strict=True):
            summarise(r, connector, a.id, calls, window)
        results[0].neighbour_calls = neighbour_count[0]
        connector.close()
        return results
    finally:
        if server:
            server.stop()


def neighbour(
    base_url: str, account: str, rate: float, stop: threading.Event, count: list[int]
) -> None:
    """Another app spending the same account's quota at a steady rate, blind to throttles."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        next_at = time.monotonic()
        while not stop.is_set():
            response = client.get(
                f"/v26.0/{account}/campaigns",
                params={"fields": "id", "limit": 1, "access_token": SANDBOX_TOKEN},
            )
            if response.status_code == 200:
                count[0] += 1
            next_at += 1.0 / rate
            time.sleep(max(0.0, next_at - time.monotonic()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="extraction time per scenario")
    parser.add_argument(
        "--calls", type=int, default=100, help="quota: calls per window per account"
    )
    parser.add_argument("--window", type=float, default=10.0, help="quota: rolling window (s)")
    args = parser.parse_args()
    scenarios: list[tuple[str, bool, int, float]] = [
        # name, loopback, accounts, neighbour share
        ("in-process, 1 account", False, 1, 0.0),
        ("loopback, 2 accounts", True, 2, 0.0),
        ("loopback, neighbour 30%", True, 1, 0.3),
    ]
    print(
        f"quota: {args.calls} calls / {args.window:g} s per account "
        f"(allowed {args.calls / args.window:.2f} req/s); connector paced at {PACING:.0%}, "
        f"slows below 5% headroom; {args.seconds:g} s per scenario\n"
    )
    header = (
        f"{'scenario':<26}{'account':<10}{'calls':>7}{'secs':>7}{'req/s':>8}{'allowed':>9}"
        f"{'ratio':>7}{'throttles':>10}{'failed':>8}{'min rate':>9}"
    )
    print(header)
    print("-" * len(header))
    all_results: list[Result] = []
    for name, loopback, accounts, share in scenarios:
        results = run_scenario(
            name,
            loopback=loopback,
            accounts=accounts,
            neighbour_share=share,
            seconds=args.seconds,
            calls=args.calls,
            window=args.window,
        )
        for r in results:
            all_results.append(r)
            print(
                f"{r.scenario:<26}{r.account:<10}{r.admitted:>7}{r.elapsed:>7.1f}"
                f"{r.achieved_rps:>8.2f}{r.allowed_rps:>9.2f}{r.ratio:>7.2f}"
                f"{r.hard_throttles:>10}{r.failed_runs:>8}{r.min_rate:>9.2f}"
            )
            if r.neighbour_calls:
                share = r.neighbour_calls / r.elapsed / r.allowed_rps if r.elapsed else 0.0
                total = r.ratio + share
                print(
                    f"{'  + neighbour':<26}{'':<10}{r.neighbour_calls:>7}{'':>7}{'':>8}{'':>9}"
                    f"{share:>7.2f}   (account total {total:.2f} of its quota)"
                )
    solo = [r for r in all_results if "neighbour" not in r.scenario]
    ok = all(r.ratio >= 0.9 and r.hard_throttles == 0 and r.failed_runs == 0 for r in solo)
    print(
        "\nsolo scenarios: "
        + ("PASS (ratio >= 0.90, no hard throttle, no failed run)" if ok else "BELOW TARGET")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
