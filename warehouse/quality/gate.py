"""Run a staged batch's suites and build the :class:`QualityReport`."""

from __future__ import annotations

import time
from typing import Any

from warehouse.connection import Warehouse
from warehouse.errors import QualityRunError, translate_errors
from warehouse.quality.gx_engine import jsonable
from warehouse.quality.plan import PlannedCheck, plan_checks
from warehouse.quality.report import CheckResult, QualityContext, QualityReport
from warehouse.staging import StagedBatch

__all__ = ["CheckResult", "QualityContext", "QualityReport", "run_quality"]


def _samples(wh: Warehouse, pc: PlannedCheck) -> tuple[dict[str, Any], ...]:
    if pc.sample_sql is None:
        return ()
    with translate_errors(QualityRunError, f"sample rows for {pc.spec.name}"):
        cur = wh.con.cursor()
        cur.execute(pc.sample_sql)
        names = [d[0] for d in cur.description or ()]
        return tuple(
            {n: jsonable(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()
        )


def run_quality(
    wh: Warehouse, staged: StagedBatch, ctx: QualityContext | None = None
) -> QualityReport:
    """Run every table's suite on a staged batch.

    Args:
        wh: the warehouse holding the staging tables.
        staged: result of :func:`warehouse.staging.stage_batch`.
        ctx: window end and engine (default: GX, window end from the batch).

    Returns:
        The report; ``report.has_errors`` means publish will quarantine instead.

    Raises:
        QualityRunError: a check could not be evaluated (never reported as pass or fail).

    """
    ctx = ctx or QualityContext()
    started = time.perf_counter()
    with translate_errors(QualityRunError, "plan quality checks"):
        planned = plan_checks(wh.con.cursor(), staged, ctx.window_end)
    if ctx.engine == "gx":
        from warehouse.quality.gx_engine import run_with_gx

        outcome = run_with_gx(wh, planned)
    elif ctx.engine == "duckdb":
        from warehouse.quality.native import run_native

        outcome = run_native(wh, planned)
    else:
        raise QualityRunError(f"unknown quality engine {ctx.engine!r}")
    results = []
    for i, pc in enumerate(planned):
        passed, observed = outcome[i]
        results.append(
            CheckResult(
                table=pc.staged.table,
                check=pc.spec.name,
                severity=pc.spec.severity,
                passed=passed,
                observed=observed,
                samples=() if passed else _samples(wh, pc),
            )
        )
    b = staged.batch
    return QualityReport(
        platform=b.platform,
        account_id=b.account_id,
        run_id=b.run_id,
        results=tuple(results),
        engine=ctx.engine,
        seconds=time.perf_counter() - started,
    )
