"""Quality gate cost: the GX route (SQL + DuckDB shim) vs the same checks as one DuckDB query.

Generates N insight rows (default 5,000,000) as a landing Parquet file, stages them into a
temporary warehouse, then times:

* ``import great_expectations`` (paid once per process, in the quality task only);
* the gate through GX (``run_quality(engine="gx")``; warm, best of ``--repeat``);
* the same planned checks as one native DuckDB query (``native_query``), best of ``--repeat``;
* ``run_quality(engine="duckdb")`` (native query + report building).

and prints the ratio GX / native. Both routes must agree on every check's outcome.

    .venv/bin/python bench/bench_quality_gate.py [--rows 5000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import warehouse
from bench._synthetic import DAY0, DAYS, land_insights
from warehouse.quality.native import native_query
from warehouse.quality.plan import plan_checks


def gx_pandas_route(wh: warehouse.Warehouse, staged: warehouse.StagedBatch, planned: list) -> float:  # type: ignore[type-arg]
    """The same expectations through GX's pandas route (staging table -> DataFrame)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    t = time.perf_counter()
    df = wh.con.cursor().execute(f"SELECT * FROM {staged.tables[0].staging_table}").df()
    context = gx.get_context(mode="ephemeral")
    bd = (
        context.data_sources.add_pandas("p")
        .add_dataframe_asset("a")
        .add_batch_definition_whole_dataframe("b")
    )
    suite = context.suites.add(gx.ExpectationSuite("s"))
    for pc in planned:
        if pc.note is None and pc.relation == staged.tables[0].staging_table:
            for m in pc.measures:
                suite.add_expectation(getattr(gxe, m.expectation)(**m.kwargs))
    vd = context.validation_definitions.add(gx.ValidationDefinition(name="v", data=bd, suite=suite))
    result = vd.run(batch_parameters={"dataframe": df}, result_format="SUMMARY")
    for r in result.results:
        if (r.exception_info or {}).get("raised_exception"):
            kind = r.expectation_config.type if r.expectation_config else "?"
            print("pandas route:", kind, r.exception_info["exception_message"])
    return time.perf_counter() - t


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas", action="store_true", help="also time GX's pandas route")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        wh = warehouse.connect(Path(tmp) / "bench.duckdb")
        t = time.perf_counter()
        lf = land_insights(wh, args.rows, "bench")
        gen_s = time.perf_counter() - t
        t = time.perf_counter()
        batch = warehouse.LoadBatch(
            "meta_ads", "act_1001", "bench", (lf,), window_end=DAY0 + timedelta(days=DAYS)
        )
        staged = warehouse.stage_batch(wh, batch)
        stage_s = time.perf_counter() - t

        t = time.perf_counter()
        import great_expectations  # noqa: F401

        import_s = time.perf_counter() - t
        ctx_gx = warehouse.QualityContext(engine="gx")
        ctx_native = warehouse.QualityContext(engine="duckdb")
        warehouse.run_quality(wh, staged, ctx_gx)  # warm-up: GX context, SQLAlchemy dialect
        gx_s, gx_report = best(lambda: warehouse.run_quality(wh, staged, ctx_gx), args.repeat)
        planned = plan_checks(wh.con.cursor(), staged, batch.window_end)
        sql, _ = native_query(planned)
        query_s, _ = best(lambda: wh.con.cursor().execute(sql).fetchall(), args.repeat)
        native_s, native_report = best(
            lambda: warehouse.run_quality(wh, staged, ctx_native), args.repeat
        )
        pandas_s = None
        if args.pandas:
            import psutil

            rss0 = psutil.Process().memory_info().rss
            pandas_s = gx_pandas_route(wh, staged, planned)
            pandas_rss = (psutil.Process().memory_info().rss - rss0) / 2**20
        agree = [(r.check, r.passed, r.observed) for r in gx_report.results] == [  # type: ignore[attr-defined]
            (r.check, r.passed, r.observed)
            for r in native_report.results  # type: ignore[attr-defined]
        ]
        wh.close()

    n_exp = sum(len(p.measures) for p in planned if p.note is None)
    print(
        f"rows={args.rows:,} checks={len(planned)} expectations={n_exp} "
        f"generate={gen_s:.2f}s stage={stage_s:.2f}s"
    )
    print(f"import great_expectations      {import_s:8.2f} s (once per process)")
    print(f"gate via GX (SQL route + shim) {gx_s:8.2f} s")
    print(f"same checks, one DuckDB query  {query_s:8.2f} s")
    print(f"gate via native engine         {native_s:8.2f} s (query + report)")
    if pandas_s is not None:
        print(f"GX pandas route (incl. to-df)  {pandas_s:8.2f} s (+{pandas_rss:.0f} MB RSS after)")
    print(f"ratio GX / one DuckDB query    {gx_s / query_s:8.1f}x")
    print(f"ratio (import + GX) / query    {(import_s + gx_s) / query_s:8.1f}x (cold task)")
    print(f"GX and native agree on every check: {agree}")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
