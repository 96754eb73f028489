"""The writer slot: a slot a killed run never released stops the next writer with a clear error.

Against the real Prefect test server: the ``warehouse-writer`` limit is taken by hand (as a run
killed inside ``open_warehouse`` leaves it), and the next open gives up after its wait, naming
the slot and how to free it, without touching the warehouse file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

from resources.environment import Environment
from resources.limits import WAREHOUSE_WRITER
from tasks.limits import ensure_concurrency_limits
from tasks.writer import open_warehouse
from warehouse.errors import WarehouseLockedError

pytestmark = pytest.mark.xdist_group("prefect-flows")


def _set_active(slots: int) -> None:
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(WAREHOUSE_WRITER)
        client.update_global_concurrency_limit(
            WAREHOUSE_WRITER, GlobalConcurrencyLimitUpdate(active_slots=slots))
        assert limit.limit == 1


def test_a_leaked_writer_slot_stops_the_writer_with_what_to_do(prefect_server: str,
                                                               tmp_path: Path) -> None:
    env = Environment(name="sandbox", warehouse_path=tmp_path / "wh.duckdb",
                      data_dir=tmp_path / "data")
    ensure_concurrency_limits({WAREHOUSE_WRITER: 1})
    _set_active(1)
    try:
        with pytest.raises(WarehouseLockedError) as caught, open_warehouse(env, slot_wait=2):
            pytest.fail("the warehouse opened while the writer slot was taken")
        message = str(caught.value)
        assert "'warehouse-writer'" in message and "waited 2 s" in message
        assert "prefect gcl update warehouse-writer --active-slots 0" in message
        assert not env.warehouse_path.exists()
    finally:
        _set_active(0)
    # freed, the next writer opens at once and the slot is free again afterwards
    with open_warehouse(env, slot_wait=5) as wh:
        assert wh.con.execute("SELECT 1").fetchone() == (1,)
    with get_client(sync_client=True) as client:
        assert client.read_global_concurrency_limit_by_name(WAREHOUSE_WRITER).active_slots == 0
