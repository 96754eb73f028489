"""The whole load path of one batch in one call: stage -> quality gate -> publish/quarantine."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.connection import Warehouse
from warehouse.publish import CursorUpdate, PublishResult, publish
from warehouse.quality.gate import run_quality
from warehouse.quality.report import QualityContext
from warehouse.staging import LoadBatch, drop_staging, stage_batch

__all__ = ["load_batch"]


def load_batch(
    wh: Warehouse,
    batch: LoadBatch,
    cursor_updates: Sequence[CursorUpdate] = (),
    ctx: QualityContext | None = None,
) -> PublishResult:
    """Stage, check and publish one (platform, account) batch.

    Raises:
        StagingError: a landed value does not cast to its column.
        QualityRunError: a check could not be evaluated (nothing published, not quarantined).
        DataQualityError: an ERROR check failed; the batch was quarantined, nothing published.
        PublishError: the publish transaction failed and was rolled back.

    """
    staged = stage_batch(wh, batch)
    try:
        report = run_quality(wh, staged, ctx)
    except BaseException:
        # Nothing to publish or quarantine: don't leave the staging tables behind.
        drop_staging(wh.con, staged)
        raise
    return publish(wh, staged, report, cursor_updates)
