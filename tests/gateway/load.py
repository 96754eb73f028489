"""A load generator for the gateway: N concurrent senders posting signed web-form deliveries.

Each delivery has its own webhook id. A sender retries a delivery (re-signed, same id)
until it gets a 2xx, after a connection error, timeout or 5xx, like a real webhook sender
does; the gateway answers ``duplicate`` when an earlier attempt was stored but its answer
was lost. Also used by bench/bench_gateway.py.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_" + base64.b64encode(b"load-test-webform-secret").decode()


@dataclass
class LoadResult:
    """What the senders saw."""

    acked: dict[str, str] = field(default_factory=dict)  # delivery id -> status of the 2xx
    latencies: list[float] = field(default_factory=list)  # seconds, 2xx answers only
    answers: Counter[str] = field(default_factory=Counter)  # "200 accepted", "conn error"...
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _sign(msg_id: str, body: bytes) -> dict[str, str]:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    timestamp = str(int(time.time()))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        "content-type": "application/json",
    }


def _body(index: int) -> bytes:
    return json.dumps({
        "type": "form.submitted",
        "data": {"email": f"person{index}@example.com", "first_name": "Load",
                 "consent": True, "utm": {"source": "google", "medium": "cpc"},
                 "click_ids": {"gclid": f"gclid-{index}"}},
    }).encode()


class _Connection:
    """One keep-alive HTTP/1.1 connection written by hand: httpx's pool, shared by 50
    concurrent senders in one process, became the bottleneck (about 230 req/s against an
    app that does nothing, with a 1.5 s p99), so the load generator would have measured
    itself."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        )
        try:
            await self.writer.drain()
            status_line = await self.reader.readuntil(b"\r\n")
            length, close = 0, False
            while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            content = await self.reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            await self.close()
            raise
        if close:
            await self.close()
        return int(status_line.split()[1]), content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def run_load(
    base_url: str,
    *,
    total: int,
    concurrency: int = 50,
    prefix: str = "load",
    on_progress: Callable[[int], None] | None = None,
    deadline_seconds: float = 300,
) -> LoadResult:
    """Post ``total`` deliveries from ``concurrency`` senders; return what they saw."""
    result = LoadResult()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    deadline = time.monotonic() + deadline_seconds
    url = urlsplit(base_url)
    assert url.hostname is not None and url.port is not None

    async def sender() -> None:
        connection = _Connection(url.hostname or "", url.port or 80)
        try:
            while True:
                try:
                    index = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await deliver(connection, index)
        finally:
            await connection.close()

    async def deliver(connection: _Connection, index: int) -> None:
        msg_id, body = f"{prefix}-{index}", _body(index)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status, content = await connection.post("/webhooks/forms", body,
                                                        _sign(msg_id, body))
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                result.answers[f"error {type(exc).__name__}"] += 1
                await asyncio.sleep(0.05)
                continue
            if 200 <= status < 300:
                result.latencies.append(time.perf_counter() - started)
                outcome = json.loads(content)["status"]
                result.answers[f"{status} {outcome}"] += 1
                result.acked[msg_id] = outcome
                if on_progress is not None:
                    on_progress(len(result.acked))
                return
            result.answers[str(status)] += 1
            if status < 500:
                raise AssertionError(f"{msg_id}: {status} {content[:300]!r}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"{msg_id}: no 2xx before the deadline")

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayProcess:
    """``python -m gateway.serve`` (or another command) as a child process on a fixed port."""

    def __init__(self, port: int, env: dict[str, str], log: Path,
                 command: list[str] | None = None) -> None:
        self.port = port
        self.env = env
        self.log = log
        self.command = command or [sys.executable, "-m", "gateway.serve", "--port", str(port)]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> GatewayProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise AssertionError(f"gateway exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gateway did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def gateway_env(store_url: str) -> dict[str, str]:
    env = {**os.environ, "CAMPAIGN_OPS_STORE_URL": store_url,
           "CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS": SECRET}
    env.pop("PREFECT_API_URL", None)  # measure the gateway and its inbox, not Prefect
    return env
