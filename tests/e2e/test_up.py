"""`campaign-ops up` registers every deployment with its schedules, and serves runs to completion.

Starts the real command in a subprocess (its own Prefect server on SQLite, the sandbox
emulators on loopback, `serve` of prefect.yaml), then talks to it only through the Prefect REST
API, as the UI would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("up")]

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(
    predicate,
    timeout: float,
    what: str,
    process: subprocess.Popen | None = None,
    log: Path | None = None,
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"`campaign-ops up` exited early ({process.returncode}):\n"
                f"{log.read_text()[-4000:] if log else ''}"
            )
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-4000:] if log else ''}")


def _post_retrying_busy(client: httpx.Client, url: str, **kwargs) -> httpx.Response:
    """POST as Prefect's own client does: a 503 (SQLite busy while `serve` registers every
    deployment's schedules and automations) is retried after a pause, a few times."""
    for attempt in range(6):
        answer = client.post(url, **kwargs)
        if answer.status_code != 503:
            return answer
        time.sleep(1 + attempt)
    return answer


def _postgres_database():
    """A fresh PostgreSQL database for the production backend, or a skip with the reason."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.skip("psycopg is not installed")
    name = f"campaign_ops_up_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as con:
            con.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at 127.0.0.1:5432 ({exc})")
    return name


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_up_serves_deployments_with_schedules_and_runs_complete(tmp_path, backend):
    """The same check on Prefect's default SQLite and on its production backend, PostgreSQL."""
    database = _postgres_database() if backend == "postgres" else None
    try:
        _check_up(tmp_path, database)
        if database:
            import psycopg

            # The runs really lived in PostgreSQL, not in a fallback SQLite file.
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{database}"
            with psycopg.connect(url, connect_timeout=3) as con:
                runs = con.execute("select count(*) from flow_run").fetchone()
            assert runs is not None and runs[0] >= 1
    finally:
        if database:
            _drop_database(database)


def _check_up(tmp_path, database: str | None) -> None:
    port, sandbox_port = _free_port(), _free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "up.log"
    env = {
        **os.environ,
        "CAMPAIGN_OPS_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    if database:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = (
            f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
        )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli",
                "up",
                "--port",
                str(port),
                "--sandbox-port",
                str(sandbox_port),
                "--prefect-home",
                str(tmp_path / "prefect"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = httpx.Client(base_url=api, timeout=10)

        def deployment():
            try:
                found = client.post(
                    "/deployments/filter", json={"deployments": {"name": {"any_": ["extract-ads"]}}}
                )
            except httpx.HTTPError:
                return None
            return found.json()[0] if found.status_code == 200 and found.json() else None

        dep = _wait(deployment, 240, "the extract-ads deployment", process, log)
        schedules = client.get(f"/deployments/{dep['id']}/schedules").json()
        assert {s["slug"] for s in schedules} == {"daily-full-lookback", "hourly-recent"}
        assert all(s["active"] for s in schedules)
        assert {s["schedule"]["cron"] for s in schedules} == {"15 6 * * *", "5 * * * *"}
        assert "lookback_days" in dep["parameter_openapi_schema"]["properties"]

        run = _post_retrying_busy(
            client,
            f"/deployments/{dep['id']}/create_flow_run",
            json={
                "parameters": {
                    "platforms": ["meta_ads"],
                    "accounts": ["act_1001"],
                    "lookback_days": 3,
                }
            },
        )
        assert run.status_code == 201, run.text
        run_id = run.json()["id"]

        def finished():
            state = client.get(f"/flow_runs/{run_id}").json()["state"]
            return (
                state if state["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"} else None
            )

        state = _wait(finished, 300, "the flow run to finish", process, log)
        assert state["type"] == "COMPLETED", f"{state}\n{log.read_text()[-4000:]}"

        artifacts = client.post(
            "/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}
        ).json()
        keys = {a["key"] for a in artifacts}
        assert {
            "extract-summary",
            "extract-rows-per-table",
            "extract-quality-results",
            "extract-api-calls",
        } <= keys
        rows = next(a for a in artifacts if a["key"] == "extract-rows-per-table")
        assert "meta_ads.ad_insights_daily" in str(rows["data"])
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Ctrl-C stops everything `up` started: its Prefect server no longer answers (within
    # seconds: if `up` had to be killed, the server is stopped by its parent-death signal).
    def down():
        try:
            httpx.get(f"{api}/health", timeout=2)
        except httpx.HTTPError:
            return True
        return False

    assert _wait(down, 60, "the Prefect server of `up` to stop")


def test_a_killed_up_takes_its_prefect_server_with_it(tmp_path):
    """`up` killed outright (SIGKILL: its own Ctrl-C cleanup never runs) must not leave its
    Prefect server running on the port; the server asks Linux to stop it with its parent."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux's")
    port, sandbox_port = _free_port(), _free_port()
    api = f"http://127.0.0.1:{port}/api"
    log = tmp_path / "up.log"
    env = {**os.environ, "CAMPAIGN_OPS_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
           "CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "data"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "up", "--port", str(port), "--sandbox-port",
             str(sandbox_port), "--prefect-home", str(tmp_path / "prefect")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def healthy():
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(healthy, 180, "the Prefect server of `up`", process, log)
        process.kill()  # the `up` process only, not its group: no cleanup of its own
        process.wait(timeout=30)
        gone = _wait(lambda: not healthy(), 30, "the orphaned Prefect server to stop")
        assert gone
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        subprocess.run(["pkill", "-f", f"prefect server start --host 127.0.0.1 --port {port}"],
                       check=False)
