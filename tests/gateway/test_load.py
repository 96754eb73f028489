"""Load on loopback: 50 concurrent senders, then the same with the gateway SIGKILLed and
restarted mid-load. What was answered 2xx is in the inbox, once.

Small by default; ``-m slow`` runs the larger version. Throughput and p99 are printed
(``-s``), never asserted.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from tests.gateway.conftest import inbox_rows
from tests.gateway.load import GatewayProcess, free_port, gateway_env, run_load

pytestmark = pytest.mark.xdist_group("gateway-load")


@pytest.fixture(autouse=True)
def _larger_runs_only_with_m_slow(request):
    # The slow-marked variants run when asked for (`-m slow`), not in the default run.
    if request.node.get_closest_marker("slow") and "slow" not in (
        request.config.option.markexpr or ""
    ):
        pytest.skip("larger run: select it with -m slow")


def _report(label, result):
    print(f"\n{label}: {len(result.latencies)} answers 2xx in {result.seconds:.1f} s = "
          f"{result.rps:.0f} req/s, p50 {result.percentile(50) * 1000:.1f} ms, "
          f"p99 {result.percentile(99) * 1000:.1f} ms; {dict(result.answers)}")


def _check_inbox(store_url, result, total, prefix):
    rows = inbox_rows(store_url)
    stored = [r["delivery_id"] for r in rows]
    assert len(stored) == len(set(stored))  # one row per delivery
    assert set(stored) == set(result.acked)  # every 2xx is stored, nothing else is
    assert len(result.acked) == total
    assert {r["payload"]["email"] for r in rows} == {
        f"person{i}@example.com" for i in range(total)}
    return rows


@pytest.mark.parametrize("total", [400, pytest.param(5000, marks=pytest.mark.slow)])
def test_fifty_senders_every_2xx_is_one_inbox_row(tmp_path, total):
    store_url = f"sqlite:///{tmp_path}/store.sqlite"
    gateway = GatewayProcess(free_port(), gateway_env(store_url), tmp_path / "gateway.log")
    gateway.start()
    try:
        result = asyncio.run(run_load(gateway.base_url, total=total, concurrency=50))
    finally:
        gateway.stop()
    _report(f"load {total}", result)
    _check_inbox(store_url, result, total, "load")
    # Nothing was retried: the number of 2xx answers equals the number of rows.
    assert result.answers == {"200 accepted": total}


@pytest.mark.parametrize(
    ("total", "kills"), [(600, 1), pytest.param(5000, 3, marks=pytest.mark.slow)]
)
def test_sigkill_mid_load_loses_nothing_that_was_answered(tmp_path, total, kills):
    store_url = f"sqlite:///{tmp_path}/store.sqlite"
    gateway = GatewayProcess(free_port(), gateway_env(store_url), tmp_path / "gateway.log")
    gateway.start()
    marks = [total * (k + 1) // (kills + 2) for k in range(kills)]  # kill at these ack counts
    done_kills: list[int] = []

    async def scenario():
        restarted = asyncio.Event()

        def progress(acked: int) -> None:
            if marks and acked >= marks[0]:
                marks.pop(0)
                gateway.kill()  # SIGKILL: no shutdown, requests in flight are cut
                done_kills.append(acked)
                restarted.clear()
                loop.call_soon(lambda: asyncio.ensure_future(restart()))

        async def restart() -> None:
            await asyncio.to_thread(gateway.start)
            restarted.set()

        loop = asyncio.get_running_loop()
        return await run_load(gateway.base_url, total=total, concurrency=50, prefix="kill",
                              on_progress=progress)

    try:
        result = asyncio.run(scenario())
    finally:
        gateway.stop()
    _report(f"kill x{len(done_kills)} at {done_kills}", result)
    assert len(done_kills) == kills
    rows = _check_inbox(store_url, result, total, "kill")
    # Answers lost in a kill after the commit came back as "duplicate" on retry; no row
    # exists that no sender was told about, and no delivery was stored twice.
    accepted = sum(1 for s in result.acked.values() if s == "accepted")
    assert accepted + sum(1 for s in result.acked.values() if s == "duplicate") == len(rows)
    database = str(tmp_path / "store.sqlite")
    with sqlite3.connect(database) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
