"""Local serving: a Prefect server, the sandbox emulators and every deployment in prefect.yaml.

`campaign-ops up` calls `run_local_stack`; tests call `deployments_from_yaml` to check that every
deployment loads and its entrypoint imports.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

SANDBOX_URL_ENV = "CAMPAIGN_OPS_SANDBOX_URL_{platform}"
"""Environment variable pointing flow runs at a loopback emulator (else: in-process)."""


class LocalStackError(RuntimeError):
    """The local stack could not start (port taken, server not healthy, bad prefect.yaml)."""


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment of prefect.yaml, as written there (anchors resolved)."""

    name: str
    entrypoint: str
    raw: dict[str, Any]


PR_SET_PDEATHSIG = 1
"""Linux prctl option: the signal a child gets when its parent dies."""


def read_prefect_yaml(path: Path) -> list[DeploymentSpec]:
    """Read the deployments of a prefect.yaml file, with clear errors for missing keys."""
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise LocalStackError(f"cannot read {path}: {exc}") from exc
    specs = []
    for index, raw in enumerate(document.get("deployments") or []):
        missing = [key for key in ("name", "entrypoint") if not raw.get(key)]
        if missing:
            raise LocalStackError(f"{path}: deployments[{index}] lacks {', '.join(missing)}")
        specs.append(DeploymentSpec(name=raw["name"], entrypoint=raw["entrypoint"], raw=raw))
    return specs


def _schedules(raw: dict[str, Any]) -> list[Any]:
    from prefect.schedules import Cron, Interval, RRule

    schedules = []
    for item in raw.get("schedules") or []:
        common = {
            "timezone": item.get("timezone"),
            "active": item.get("active", True),
            "parameters": item.get("parameters") or {},
            "slug": item.get("slug"),
        }
        if "cron" in item:
            schedules.append(Cron(item["cron"], **common))
        elif "interval" in item:
            schedules.append(
                Interval(item["interval"], anchor_date=item.get("anchor_date"), **common)
            )
        elif "rrule" in item:
            common.pop("timezone")
            schedules.append(RRule(item["rrule"], **common))
        else:
            raise LocalStackError(f"schedule {item!r} has none of cron, interval, rrule")
    return schedules


def deployments_from_yaml(path: Path) -> list[Any]:
    """Build a Prefect `RunnerDeployment` for every deployment in `path` (for `serve`)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig
    from prefect.events import DeploymentEventTrigger
    from prefect.flows import Flow, load_flow_from_entrypoint

    result = []
    for spec in read_prefect_yaml(path):
        raw = spec.raw
        entrypoint = spec.entrypoint
        file_part, _, function = entrypoint.partition(":")
        if not Path(file_part).is_absolute():
            entrypoint = f"{path.parent / file_part}:{function}"
        flow: Flow[..., Any] = load_flow_from_entrypoint(entrypoint, use_placeholder_flow=False)
        limit = raw.get("concurrency_limit")
        if isinstance(limit, dict):
            limit = ConcurrencyLimitConfig(**limit)
        result.append(
            flow.to_deployment(
                name=spec.name,
                description=raw.get("description"),
                tags=raw.get("tags") or [],
                parameters=raw.get("parameters") or {},
                schedules=_schedules(raw),
                concurrency_limit=limit,
                enforce_parameter_schema=raw.get("enforce_parameter_schema", True),
                triggers=[DeploymentEventTrigger(**t) for t in raw.get("triggers") or []],
            )
        )
    return result


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def wait_for_prefect(
    api_url: str, timeout: float = 180.0, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Wait until a Prefect API answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LocalStackError(f"Prefect server exited with code {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise LocalStackError(f"Prefect server at {api_url} not healthy after {timeout:.0f} s")


def _libc_prctl() -> Any:
    # Looked up before any fork: a child of a threaded process must not load libraries.
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


_PRCTL = _libc_prctl()


def _stop_with_parent() -> None:
    """Ask Linux to SIGTERM this child when the process that started it dies.

    The server runs in its own session so a Ctrl-C reaches the runner first and the server
    is stopped last, by :func:`prefect_server`. If ``up`` itself is killed (SIGKILL, or a
    Ctrl-C it never finishes handling) that cleanup never runs and the server would outlive
    it, keeping its port. Elsewhere than Linux this does nothing.
    """
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGTERM))


@contextlib.contextmanager
def prefect_server(port: int, prefect_home: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Run `prefect server start` (SQLite under `prefect_home`) and yield its API URL."""
    if not _port_free(host, port):
        raise LocalStackError(f"port {port} on {host} is taken: is another Prefect server running?")
    prefect_home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home.resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
    }
    env.pop("PREFECT_API_URL", None)
    log = (prefect_home / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_stop_with_parent,
    )
    api_url = f"http://{host}:{port}/api"
    try:
        wait_for_prefect(api_url, process=process)
        yield api_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def check_local_stack(
    *, prefect_port: int, sandbox_port: int, prefect_home: Path, platforms: tuple[str, ...]
) -> None:
    """Check what `run_local_stack` needs before it starts a server it would have to stop.

    Raises:
        LocalStackError: the environment variables, a port or the Prefect home are unusable.

    """
    from deployments.preflight import PreflightError, check_folder, check_port
    from resources import EnvironmentConfigError, current

    last = sandbox_port + len(platforms) - 1
    if last > 65535:
        raise LocalStackError(
            f"--sandbox-port {sandbox_port}: the {len(platforms)} emulators need ports "
            f"{sandbox_port}-{last}, beyond 65535")
    if sandbox_port <= prefect_port <= last:
        raise LocalStackError(
            f"--port {prefect_port} is one of the emulators' ports {sandbox_port}-{last} "
            "(--sandbox-port)")
    try:
        current()  # every served run reads it: refuse it once now, not in each run
        check_port("127.0.0.1", prefect_port)
        for port in range(sandbox_port, last + 1):
            check_port("127.0.0.1", port, "--sandbox-port")
        check_folder(prefect_home, "--prefect-home")
    except (EnvironmentConfigError, PreflightError) as exc:
        raise LocalStackError(str(exc)) from None


def run_local_stack(
    *,
    prefect_port: int,
    sandbox_port: int,
    prefect_home: Path,
    project_dir: Path,
    platforms: tuple[str, ...] | None = None,
) -> None:
    """Start everything `campaign-ops up` promises and block until Ctrl-C, then stop it all.

    Raises:
        LocalStackError: something it needs is unusable (checked before anything starts),
            or the Prefect server did not start.

    """
    from emulators.registry import EMULATORS
    from emulators.serve import serve_in_thread
    from resources.sandbox import sandbox_emulator

    platforms = platforms or tuple(EMULATORS)
    check_local_stack(prefect_port=prefect_port, sandbox_port=sandbox_port,
                      prefect_home=prefect_home, platforms=platforms)
    with contextlib.ExitStack() as stack:
        api_url = stack.enter_context(prefect_server(prefect_port, prefect_home))
        os.environ["PREFECT_API_URL"] = api_url
        print(f"Prefect UI and API: {api_url.removesuffix('/api')}", flush=True)
        for offset, platform in enumerate(platforms):
            # The process's sandbox emulators: one seeded company and one population.
            emulator = sandbox_emulator(platform)
            server = stack.enter_context(serve_in_thread(emulator, port=sandbox_port + offset))
            os.environ[SANDBOX_URL_ENV.format(platform=platform.upper())] = server.base_url
            print(f"Sandbox {platform}: {server.base_url}", flush=True)
        os.environ.setdefault("CAMPAIGN_OPS_ENV", "sandbox")
        os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "5")

        from prefect import serve

        os.chdir(project_dir)
        deployments = deployments_from_yaml(project_dir / "prefect.yaml")
        serve(*deployments, print_starting_message=True)
