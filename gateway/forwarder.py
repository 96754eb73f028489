"""Forward stored deliveries to Prefect as events, until Prefect has every one.

``PrefectEventSink`` posts a batch to the REST endpoint ``POST /api/events`` (204 = stored
or queued by the server). The REST call is used rather than ``prefect.events``'
``get_events_client``: the websocket client confirms nothing per event (it checkpoints
every 700 events), and the inbox must only mark a row forwarded once the server said yes.
Events are built with Prefect's own ``prefect.events.Event`` model, which carries our id;
Prefect is imported only by a gateway that forwards, when its ``PrefectEventSink`` is built
(at startup, so no request waits for it): it is most of the gateway's import time.

``Forwarder`` runs inside the gateway's event loop: woken after each accepted delivery and
every ``forward_interval_seconds`` when idle, it claims due rows (a lease, so a second
gateway or a restarted one does not send them at the same time), posts them and marks them
forwarded, or failed with the error and a doubling backoff (capped). A crash between the
post and the mark only means the same event id is posted again, and Prefect drops
repeated ids.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import anyio.to_thread
import httpx
from pydantic import SecretStr

from gateway.events import resource
from gateway.inbox import Inbox
from gateway.metrics import GatewayMetrics
from gateway.settings import GatewaySettings
from store import InboxRow, StoreError

if TYPE_CHECKING:
    from prefect.events import Event

__all__ = ["EventSink", "ForwardError", "Forwarder", "PrefectEventSink", "build_event"]

logger = logging.getLogger("gateway.forwarder")


class ForwardError(Exception):
    """Prefect did not accept a batch of events (the rows stay in the inbox)."""


class EventSink(Protocol):
    """Where events go."""

    async def send(self, rows: Sequence[InboxRow]) -> None:
        """Deliver the events of ``rows`` or raise ``ForwardError``."""

    async def aclose(self) -> None:
        """Release connections."""


def build_event(row: InboxRow) -> Event:
    """Return the Prefect event of a stored delivery (same row, same event, same id)."""
    from prefect.events import Event

    return Event.model_validate(
        {
            "id": row.event_id,
            "occurred": row.received_at,
            "event": row.event_name,
            "resource": resource(row.source, row.delivery_id, row.topic),
            "payload": row.payload,
        }
    )


class PrefectEventSink:
    """Posts events to a Prefect server's REST API.

    Args:
        api_url: the API root, e.g. ``http://127.0.0.1:4200/api``.
        auth_string: ``user:password`` for a server with basic auth.
        api_key: a bearer API key.
        timeout: seconds for one post.

    """

    def __init__(
        self,
        api_url: str,
        *,
        auth_string: SecretStr | None = None,
        api_key: SecretStr | None = None,
        timeout: float = 5.0,
    ) -> None:
        # Import Prefect now (startup) rather than in the first send (the event loop).
        importlib.import_module("prefect.events")
        headers: dict[str, str] = {}
        if auth_string is not None:
            token = base64.b64encode(auth_string.get_secret_value().encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        elif api_key is not None:
            headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
        url = httpx.URL(api_url.rstrip("/") + "/")
        self._where = str(url.copy_with(username=None, password=None)) + "events"
        self._client = httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout)

    async def send(self, rows: Sequence[InboxRow]) -> None:
        """Post the rows' events in one request."""
        events = [build_event(row).model_dump(mode="json") for row in rows]
        try:
            response = await self._client.post("events", json=events)
        except httpx.HTTPError as exc:
            raise ForwardError(f"posting to {self._where}: {type(exc).__name__}: {exc}") from None
        if response.status_code not in (200, 201, 202, 204):
            raise ForwardError(
                f"posting to {self._where}: Prefect answered {response.status_code} "
                f"{response.text[:300]}"
            )

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


class Forwarder:
    """Moves inbox rows to Prefect in the background of the gateway's event loop."""

    def __init__(
        self,
        inbox: Inbox,
        sink: EventSink,
        settings: GatewaySettings,
        metrics: GatewayMetrics,
        clock: Callable[[], datetime],
    ) -> None:
        self.inbox = inbox
        self.sink = sink
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Look for due rows now (called after a delivery is stored)."""
        self._wakeup.set()

    async def run(self) -> None:
        """Forward until ``stop``; never raises (errors are kept on the rows and logged)."""
        while not self._stopping:
            self._wakeup.clear()
            try:
                await self.drain()
            except Exception:  # keep the loop alive whatever a store or sink does
                logger.exception("forwarder pass failed; retrying")
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wakeup.wait(), timeout=self.settings.forward_interval_seconds
                )

    def stop(self) -> None:
        """Make ``run`` return after its current pass."""
        self._stopping = True
        self._wakeup.set()

    async def drain(self) -> int:
        """Forward due rows batch by batch until none is due or a batch fails.

        Returns:
            How many rows were forwarded.

        """
        forwarded = 0
        lease = timedelta(seconds=self.settings.forward_lease_seconds)
        while not self._stopping:
            try:
                rows = await anyio.to_thread.run_sync(
                    lambda: self.inbox.claim(
                        now=self.clock(), lease=lease, limit=self.settings.forward_batch
                    )
                )
            except StoreError as exc:
                logger.warning("cannot claim deliveries: %s", exc)
                return forwarded
            if not rows:
                return forwarded
            if not await self._forward(rows):
                return forwarded
            forwarded += len(rows)
        return forwarded

    async def _forward(self, rows: list[InboxRow]) -> bool:
        ids = [row.id for row in rows]
        try:
            await self.sink.send(rows)
        except ForwardError as exc:
            self.metrics.forward_attempts.labels("failed").inc()
            attempts = max(row.attempts for row in rows) + 1
            delay = min(
                self.settings.retry_initial_seconds * 2 ** (attempts - 1),
                self.settings.retry_max_seconds,
            )
            logger.warning("%d deliveries not forwarded (attempt %d, retry in %.1f s): %s",
                           len(rows), attempts, delay, exc)
            retry_at = self.clock() + timedelta(seconds=delay)
            await self._store_call(self.inbox.mark_failed, ids, error=str(exc), retry_at=retry_at)
            return False
        self.metrics.forward_attempts.labels("ok").inc()
        now = self.clock()
        await self._store_call(self.inbox.mark_forwarded, ids, now=now)
        for row in rows:
            self.metrics.forward_latency.observe(max((now - row.received_at).total_seconds(), 0))
        return True

    @staticmethod
    async def _store_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            await anyio.to_thread.run_sync(lambda: function(*args, **kwargs))
        except StoreError as exc:
            # The lease runs out and the rows come back; Prefect drops the repeated ids.
            logger.warning("cannot record forwarding state: %s", exc)
