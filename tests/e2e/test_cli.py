"""The CLI as a newcomer runs it: `campaign-ops demo` and `campaign-ops sandbox serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from emulators.meta_ads.auth import SANDBOX_TOKEN
from tests.cli_env import cli_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


_env = cli_env


def test_demo_extracts_the_sandbox_and_prints_what_it_did(tmp_path):
    """`make demo` runs this: a temporary Prefect, the emulators, the warehouse file."""
    done = subprocess.run(
        [sys.executable, "-m", "cli", "demo"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for expected in (
        "Rows per table",
        "meta_ads.ad_insights_daily",
        "core.ad_performance_daily",
        "Quality checks",
        "API calls",
        "act_1001",
        "Warehouse:",
        "Attribution ",
        "Report:",
        "Budget plan (fixed_total",
        "Shown only: nothing recorded or applied",
    ):
        assert expected in out, f"{expected!r} missing from demo output:\n{out[-3000:]}"
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    assert str(warehouse) in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select count(*) from core.ad_performance_daily").fetchone()
    assert rows is not None and rows[0] > 0
    assert SANDBOX_TOKEN not in out + done.stderr
    # The demo ends with the attribution report built over what it extracted.
    report = Path(out.split("Report:", 1)[1].split()[0])
    assert report.is_file() and report.suffix == ".html", out[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select count(*), min(report_path) from marts.attribution_runs"
                           ).fetchone()
    assert runs == (1, str(report))


def test_demo_says_what_is_wrong_without_a_traceback(tmp_path):
    env = {**_env(tmp_path), "CAMPAIGN_OPS_REPORTING_CURRENCY": "XYZ", "CAMPAIGN_OPS_ENV": "live"}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "error: CAMPAIGN_OPS_REPORTING_CURRENCY='XYZ' is not an ISO 4217 code" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_demo_rejects_an_unknown_platform(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--platform", "tiktok"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown platform(s) tiktok" in done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sandbox_serve_answers_graph_calls_until_interrupted(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "sandbox",
            "serve",
            "--platform",
            "meta_ads",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/v26.0/me/adaccounts"
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(
                    url, params={"access_token": SANDBOX_TOKEN, "fields": "id,currency"}
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, (
                    process.stdout.read().decode() if process.stdout else ""
                )
                assert time.monotonic() < deadline, "emulator did not come up"
                time.sleep(0.3)
        assert answer.status_code == 200
        assert {a["id"] for a in answer.json()["data"]} >= {"act_1001", "act_1002", "act_1003"}
        refused = httpx.get(url, params={"access_token": "wrong"})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == 190
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)


def test_attribution_refuses_bad_parameters_before_starting_prefect(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cli", "attribution", "--start", "2026-11-10", "--end",
         "2026-11-01"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "period_start 2026-11-10 is after period_end 2026-11-01" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Starting temporary server" not in done.stdout + done.stderr
    assert not (tmp_path / "wh" / "warehouse.duckdb").exists()  # nothing opened


def test_budgets_refuses_a_missing_warehouse_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cli", "budgets"],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "CAMPAIGN_OPS_WAREHOUSE" in done.stderr and "Traceback" not in done.stderr
    assert "Starting temporary server" not in done.stdout + done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--mode", "nonsense"], "mode: Input should be 'fixed_total', 'target_roas' or"),
    (["--mode", "target_roas", "--target", "-1"], "target: Input should be greater than 0"),
    (["--view-through-weight", "1.5"], "view_through_weight: Input should be less than or equal"),
])
def test_budgets_refuses_bad_parameters_before_starting_prefect(tmp_path, args, message):
    done = subprocess.run(
        [sys.executable, "-m", "cli", "budgets", *args],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "Starting temporary server" not in done.stdout + done.stderr
