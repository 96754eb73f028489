"""campaign-ops warehouse: DuckDB file, landing, staging, quality gate, atomic publish.

Typical use from tasks (no Prefect here)::

    wh = warehouse.connect("data/warehouse.duckdb")            # migrates on open
    lf = warehouse.write_landing(wh.landing_root, platform="meta_ads",
                                 stream="ad_insights_daily", account_id="act_1001",
                                 run_id=run_id, rows=result.rows, rejects=result.rejects)
    staged = warehouse.stage_batch(wh, warehouse.LoadBatch("meta_ads", "act_1001", run_id, (lf,)))
    report = warehouse.run_quality(wh, staged)                 # Great Expectations
    warehouse.publish(wh, staged, report, [warehouse.CursorUpdate("ad_insights_daily", day)])

or ``warehouse.load_batch(wh, batch, cursor_updates)`` for stage + gate + publish in one call.
"""

from warehouse.connection import Warehouse, connect
from warehouse.errors import (
    DataQualityError,
    LandingError,
    MigrationError,
    PublishError,
    QualityRunError,
    StagingError,
    TransactionConflictError,
    WarehouseError,
    WarehouseLockedError,
)
from warehouse.landing import LandingFile, write_landing
from warehouse.pipeline import load_batch
from warehouse.publish import (
    CursorUpdate,
    PublishResult,
    QuarantineResult,
    TableLoad,
    get_cursor,
    publish,
    quarantine,
    record_api_calls,
)
from warehouse.quality.gate import run_quality
from warehouse.quality.report import CheckResult, QualityContext, QualityReport
from warehouse.spec import Severity
from warehouse.staging import LoadBatch, StagedBatch, StagedTable, stage_batch

__all__ = [
    "CheckResult",
    "CursorUpdate",
    "DataQualityError",
    "LandingError",
    "LandingFile",
    "LoadBatch",
    "MigrationError",
    "PublishError",
    "PublishResult",
    "QualityContext",
    "QualityReport",
    "QualityRunError",
    "QuarantineResult",
    "Severity",
    "StagedBatch",
    "StagedTable",
    "StagingError",
    "TableLoad",
    "TransactionConflictError",
    "Warehouse",
    "WarehouseError",
    "WarehouseLockedError",
    "connect",
    "get_cursor",
    "load_batch",
    "publish",
    "quarantine",
    "record_api_calls",
    "run_quality",
    "stage_batch",
    "write_landing",
]
