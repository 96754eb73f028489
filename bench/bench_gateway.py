"""What durability costs the webhook gateway: the durable inbox vs a no-op store, side by side.

Both runs serve the same app (signature check, parsing, receipt) from a child process on
loopback and take the same load: ``--total`` signed web-form deliveries from
``--concurrency`` senders (tests/gateway/load.py). The only difference is the inbox:

* ``durable``: the SQLite inbox (WAL, ``synchronous=FULL``: each answer waits for its
  commit to be on disk), the default store;
* ``no-op``: an in-memory set that only remembers ids (what a gateway that answers before
  storing anything would cost).

Prefect forwarding is off in both (PREFECT_API_URL unset). Prints requests/s, p50 and p99
latency per run, and durable / no-op.

    .venv/bin/python bench/bench_gateway.py [--total 3000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store import AddOutcome, InboxRow, NewDelivery
from tests.gateway.load import GatewayProcess, free_port, gateway_env, run_load


class NullInbox:
    """Remembers delivery ids in memory; stores nothing."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        pass

    def add(self, deliveries: Sequence[NewDelivery]) -> list[AddOutcome]:
        outcomes = []
        with self._lock:
            for d in deliveries:
                key = (d.source, d.delivery_id)
                outcomes.append(AddOutcome(d, inserted=key not in self._seen, row_id=None))
                self._seen.add(key)
        return outcomes

    def claim(self, **_: object) -> list[InboxRow]:
        return []

    def mark_forwarded(self, row_ids: Sequence[int], **_: object) -> int:
        return 0

    def mark_failed(self, row_ids: Sequence[int], **_: object) -> int:
        return 0

    def backlog(self) -> int:
        return 0

    def check(self) -> None:
        pass

    def close(self) -> None:
        pass


def serve(kind: str, port: int) -> None:
    import uvicorn

    from gateway.app import create_app
    from gateway.serve import settings_from_environ

    settings = settings_from_environ()
    app = create_app(settings, inbox=NullInbox()) if kind == "no-op" else create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def measure(kind: str, total: int, concurrency: int, workdir: Path) -> dict[str, float]:
    port = free_port()
    store_url = f"sqlite:///{workdir}/{kind}-store.sqlite"
    command = [sys.executable, __file__, "--serve", kind, "--port", str(port)]
    gateway = GatewayProcess(port, gateway_env(store_url), workdir / f"{kind}.log", command)
    gateway.start()
    try:
        asyncio.run(run_load(gateway.base_url, total=200, concurrency=concurrency,
                             prefix=f"warm-{kind}"))
        result = asyncio.run(run_load(gateway.base_url, total=total, concurrency=concurrency,
                                      prefix=kind))
    finally:
        gateway.stop()
    assert len(result.acked) == total, result.answers
    return {"rps": result.rps, "p50": result.percentile(50) * 1000,
            "p99": result.percentile(99) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", choices=["durable", "no-op"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        rows = {kind: measure(kind, args.total, args.concurrency, Path(tmp))
                for kind in ("no-op", "durable")}
    print(f"gateway: {args.total} signed web-form deliveries, {args.concurrency} senders, "
          "loopback, one uvicorn process")
    print(f"{'inbox':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, row in rows.items():
        print(f"{kind:<10}{row['rps']:>10.0f}{row['p50']:>10.1f}{row['p99']:>10.1f}")
    ratio = rows["durable"]["rps"] / rows["no-op"]["rps"]
    print(f"durable / no-op throughput: {ratio:.2f} "
          f"(p99 {rows['durable']['p99'] / rows['no-op']['p99']:.1f}x)")


if __name__ == "__main__":
    main()
