"""The one way tasks open the warehouse: holding the writer slot, waiting out a foreign lock.

DuckDB allows one writing process per file. Inside one Prefect server the strict
`warehouse-writer` limit serialises our flows; a process outside it (a second local stack, a
notebook holding the file) makes the open fail with `WarehouseLockedError`, which we retry
for a bounded time before saying who holds the file.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prefect import get_run_logger
from prefect.concurrency.sync import concurrency

from resources.environment import Environment
from resources.limits import WAREHOUSE_WRITER
from resources.platforms import ad_channels
from warehouse import connect
from warehouse.connection import Warehouse
from warehouse.errors import WarehouseLockedError
from warehouse.reference import sync_ad_channels

LOCK_WAIT_SECONDS = 120.0
"""How long to wait for another process to release the DuckDB file."""

SLOT_WAIT_SECONDS = 3600.0
"""How long to queue for the writer slot: long enough for another run's loads, short enough
that a slot a killed run never released stops the flow with a clear error instead of a hang."""


def _connect_waiting(environment: Environment, wait: float) -> Warehouse:
    deadline = time.monotonic() + wait
    delay = 0.5
    while True:
        try:
            return connect(
                environment.warehouse_path,
                landing_root=environment.landing_root,
                quarantine_root=environment.quarantine_root,
                reporting_currency=environment.reporting_currency,
            )
        except WarehouseLockedError as exc:
            if time.monotonic() + delay > deadline:
                raise WarehouseLockedError(
                    f"{exc} (waited {wait:.0f} s; close the other process or point "
                    "CAMPAIGN_OPS_WAREHOUSE at another file)"
                ) from exc
            get_run_logger().warning(
                "warehouse locked by another process; retrying in %.1f s", delay
            )
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


@contextmanager
def _writer_slot(slot_wait: float) -> Iterator[None]:
    acquired = False
    try:
        with concurrency(WAREHOUSE_WRITER, occupy=1, strict=True, timeout_seconds=slot_wait):
            acquired = True
            yield
    except TimeoutError as exc:
        if acquired:  # the body's own timeout, not the slot's
            raise
        raise WarehouseLockedError(
            f"waited {slot_wait:.0f} s for the Prefect concurrency slot {WAREHOUSE_WRITER!r} "
            "(one writer at a time) and another run still holds it. If no run is writing, a "
            "killed run left it taken: free it with `prefect gcl update "
            f"{WAREHOUSE_WRITER} --active-slots 0` and re-run"
        ) from exc


@contextmanager
def open_warehouse(
    environment: Environment, wait: float = LOCK_WAIT_SECONDS,
    slot_wait: float = SLOT_WAIT_SECONDS,
) -> Iterator[Warehouse]:
    """Hold the writer slot and open (and migrate) the environment's warehouse.

    The ad platforms' declared channels are written to ``ref.ad_channels`` on the way in, so
    the core models classify traffic by every platform this installation has.

    Raises:
        WarehouseLockedError: the writer slot stayed taken for ``slot_wait`` seconds, or
            another process kept the DuckDB file for ``wait`` seconds.

    """
    environment.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_slot(slot_wait):
        wh = _connect_waiting(environment, wait)
        with wh:
            sync_ad_channels(wh, ad_channels())
            yield wh
