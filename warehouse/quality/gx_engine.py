"""Run planned checks through Great Expectations 1.x on the warehouse's own DuckDB connection.

GX's SQL route does not work on DuckDB as shipped: ``SqlAlchemyExecutionEngine.execute_query``
returns the cursor result *after* closing its connection, and duckdb-engine drops a result when
its connection closes, so every metric fails with "list index out of range" (GX issues #10738,
#11579). :func:`install_buffering_shim` replaces that one method with a version that buffers
the rows inside the ``with`` block (``result.freeze()()``). It touches a private API: the tests
in ``tests/warehouse/test_gx_shim.py`` fail on a GX upgrade that changes it.

GX reads through a cursor of the warehouse connection (SQLAlchemy ``creator=``), so it sees the
committed staging tables without opening the file a second time (DuckDB allows one process, and
one configuration per file within a process).

``great_expectations`` is imported only inside :func:`run_with_gx` (the import costs seconds).
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from warehouse.connection import Warehouse
from warehouse.errors import QualityRunError
from warehouse.quality.plan import PlannedCheck
from warehouse.staging import quote

__all__ = ["install_buffering_shim", "jsonable", "run_with_gx", "uninstall_buffering_shim"]

_ORIGINAL: dict[str, Any] = {}


def install_buffering_shim() -> None:
    """Make GX's SQL engine fetch results before it closes the connection (idempotent)."""
    from great_expectations.execution_engine.sqlalchemy_execution_engine import (
        SqlAlchemyExecutionEngine,
    )

    if "execute_query" in _ORIGINAL:
        return
    _ORIGINAL["execute_query"] = SqlAlchemyExecutionEngine.execute_query

    def execute_query(self: Any, query: Any) -> Any:
        with self.get_connection() as connection:
            # freeze() reads every row while the connection is open; calling the frozen
            # result gives a fresh Result that GX can fetch from as before.
            return self._execute_query_with_recovery(connection, query).freeze()()

    SqlAlchemyExecutionEngine.execute_query = execute_query  # type: ignore[method-assign]


def uninstall_buffering_shim() -> None:
    """Restore GX's original method (tests use this to prove the shim is needed)."""
    from great_expectations.execution_engine.sqlalchemy_execution_engine import (
        SqlAlchemyExecutionEngine,
    )

    original = _ORIGINAL.pop("execute_query", None)
    if original is not None:
        SqlAlchemyExecutionEngine.execute_query = original  # type: ignore[method-assign]


def jsonable(value: Any) -> Any:
    """Make a measured value JSON-ready (dates as ISO text, decimals as text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _raised(info: Any) -> list[str]:
    """Exception messages in a GX ``exception_info`` (flat, or keyed by metric id)."""
    if not isinstance(info, dict):
        return []
    if "raised_exception" in info:
        if info.get("raised_exception"):
            return [str(info.get("exception_message") or "unknown GX exception")]
        return []
    found: list[str] = []
    for value in info.values():
        found.extend(_raised(value))
    return found


def _release(source: Any) -> None:
    """Dispose GX's engines so no pooled DuckDB cursor outlives the run.

    A pooled cursor keeps the database instance open after the warehouse is closed.
    """
    engines = [getattr(source, "_engine", None)]
    execution_engine = getattr(source, "_execution_engine", None)
    if execution_engine is not None:
        engines.append(getattr(execution_engine, "engine", None))
    for engine in engines:
        dispose = getattr(engine, "dispose", None)
        if callable(dispose):
            dispose()
        cache = getattr(engine, "_compiled_cache", None)
        if cache is not None:
            cache.clear()
    gc.collect()


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)[-100:]


def run_with_gx(wh: Warehouse, planned: list[PlannedCheck]) -> dict[int, tuple[bool, Any]]:
    """Evaluate checks with GX; return ``{index in planned: (passed, observed)}``.

    Checks with a ``note`` (nothing to compare) pass without GX.

    Raises:
        QualityRunError: GX raised for a metric, returned no result, or counted a different
            number of rows than the staging table holds (a silently empty read).

    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from duckdb_engine import ConnectionWrapper

    install_buffering_shim()
    context = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:
        pass
    source = context.data_sources.add_sql(  # type: ignore[call-arg]
        name="warehouse",
        connection_string="duckdb:///:memory:",
        kwargs={"creator": lambda: ConnectionWrapper(wh.con.cursor())},
    )

    outcome: dict[int, tuple[bool, Any]] = {}
    by_relation: dict[str, list[int]] = defaultdict(list)
    for i, pc in enumerate(planned):
        if pc.note is not None:
            outcome[i] = (True, pc.note)
        else:
            by_relation[pc.relation].append(i)

    broken: list[str] = []
    try:
        for n, (relation, indexes) in enumerate(by_relation.items()):
            asset = source.add_query_asset(
                name=f"a{n}_{_name(relation)}", query=f"SELECT * FROM {quote(relation)}"
            )
            batch_def = asset.add_batch_definition_whole_table("whole")
            suite = context.suites.add(gx.ExpectationSuite(name=f"s{n}_{_name(relation)}"))
            for i in indexes:
                for m in planned[i].measures:
                    cls = getattr(gxe, m.expectation)
                    suite.add_expectation(cls(**m.kwargs, meta={"index": i, "label": m.label}))
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"v{n}_{_name(relation)}", data=batch_def, suite=suite)
            )
            result = validation.run(result_format="SUMMARY")
            per_check: dict[int, list[tuple[str, bool, Any]]] = defaultdict(list)
            for er in result.results:
                meta = er.expectation_config.meta or {} if er.expectation_config else {}
                i = int(meta["index"])
                pc = planned[i]
                label = str(meta["label"])
                where = f"{pc.staged.table} {pc.spec.name} [{label}]"
                errors = _raised(er.exception_info)
                if errors:
                    broken.append(f"{where}: GX raised: {errors[0]}")
                    continue
                measure = next(m for m in pc.measures if m.label == label)
                res = er.result or {}
                if measure.observed_key not in res:
                    broken.append(f"{where}: GX returned no {measure.observed_key} ({res!r})")
                    continue
                counted = res.get("element_count")
                if measure.label == "rows":
                    counted = res.get("observed_value")
                if (
                    counted is not None
                    and int(counted) != pc.expected_rows
                    and measure.label != "max"
                ):
                    broken.append(
                        f"{where}: GX counted {counted} rows "
                        f"but {pc.relation} has {pc.expected_rows}"
                    )
                    continue
                per_check[i].append((label, bool(er.success), res[measure.observed_key]))
            for i, parts in per_check.items():
                if len(parts) != len(planned[i].measures):
                    continue  # a part was broken and is reported above
                passed = all(ok for _, ok, _ in parts)
                if planned[i].measures[0].observed_key == "observed_value":
                    observed = jsonable(parts[0][2])
                else:
                    observed = {label: jsonable(v) for label, _, v in parts}
                outcome[i] = (passed, observed)
    finally:
        _release(source)
    missing = [i for i in range(len(planned)) if i not in outcome]
    if broken or missing:
        names = [f"{planned[i].staged.table} {planned[i].spec.name}" for i in missing]
        raise QualityRunError(
            "quality checks could not be evaluated (neither passed nor failed): "
            + "; ".join(broken or [f"no result for {names}"])
        )
    return outcome
