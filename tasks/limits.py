"""Create the Prefect global concurrency limits a flow needs, before it takes any slot."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound


@task(name="ensure-concurrency-limits", cache_policy=NONE)
def ensure_concurrency_limits(limits: dict[str, int]) -> list[str]:
    """Create each missing global concurrency limit (name -> slots); return the names created.

    Existing limits are left as they are: an operator may have tuned them in the UI.
    """
    created = []
    with get_client(sync_client=True) as client:
        for name, slots in limits.items():
            try:
                client.read_global_concurrency_limit_by_name(name)
                continue
            except ObjectNotFound:
                pass
            try:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=slots)
                )
                created.append(name)
            except ObjectAlreadyExists:
                # Another run created it between our read and our create: fine.
                continue
    if created:
        get_run_logger().info("created concurrency limits: %s", ", ".join(created))
    return created
