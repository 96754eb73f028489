"""Publish (merge) throughput and peak memory vs a plain INSERT ... SELECT.

Generates N insight rows (default 5,000,000) as landing Parquet, stages them, then measures:

* ``publish`` into an empty table (all inserts), and a re-publish of a re-pulled batch where
  every row matches and 20% changed (the lookback case: updates), each including the core
  refresh (ASOF FX join), ops rows, cursor and CHECKPOINT, in one transaction;
* the MERGE statement alone (same transaction shape, no core refresh/checkpoint);
* the baseline: ``INSERT INTO <table> SELECT * FROM <staging>`` into an empty table (+ CHECKPOINT).

Peak memory is process RSS sampled every 5 ms with psutil (DuckDB works inside this process).

    .venv/bin/python bench/bench_publish.py [--rows 5000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import warehouse
from bench._measure import peak_rss
from bench._synthetic import DAY0, DAYS, land_insights
from warehouse.landing import LandingFile
from warehouse.publish import _merge


def measure(label: str, rows: int, fn: Callable[[], Any]) -> float:
    with peak_rss() as mem:
        t = time.perf_counter()
        fn()
        seconds = time.perf_counter() - t
    print(
        f"{label:46s} {seconds:7.2f} s {rows / seconds:12,.0f} rows/s "
        f"peak RSS {mem['peak']:7.0f} MB (+{mem['peak'] - mem['start']:.0f})"
    )
    return seconds


def staged_batch(wh: warehouse.Warehouse, lf: LandingFile) -> warehouse.StagedBatch:
    batch = warehouse.LoadBatch(
        "meta_ads", "act_1001", lf.run_id, (lf,), window_end=DAY0 + timedelta(days=DAYS)
    )
    return warehouse.stage_batch(wh, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    n = args.rows
    table = "meta_ads.ad_insights_daily"
    ctx = warehouse.QualityContext(engine="duckdb")

    with tempfile.TemporaryDirectory() as tmp:
        wh = warehouse.connect(Path(tmp) / "bench.duckdb")
        first = staged_batch(wh, land_insights(wh, n, "first", 0))
        second = staged_batch(wh, land_insights(wh, n, "second", 20))
        third = staged_batch(wh, land_insights(wh, n, "third", 40))
        wh.checkpoint()
        print(f"rows={n:,} (staged; quality not timed here)")

        # baseline: plain INSERT ... SELECT into an empty copy of the table
        wh.execute(f"CREATE TABLE main.baseline AS SELECT * FROM {table} LIMIT 0")

        def insert_select() -> None:
            with wh.transaction() as con:
                con.execute(
                    f"INSERT INTO main.baseline SELECT * FROM {first.tables[0].staging_table}"
                )
            wh.checkpoint()

        base_s = measure("INSERT ... SELECT (+ CHECKPOINT), empty table", n, insert_select)

        def publish(staged: warehouse.StagedBatch) -> Callable[[], Any]:
            report = warehouse.run_quality(wh, staged, ctx)
            return lambda: warehouse.publish(wh, staged, report)

        t_quality = time.perf_counter()
        warehouse.run_quality(wh, first, ctx)
        q_s = time.perf_counter() - t_quality
        pub_s = measure("publish, empty table (inserts)", n, publish(first))
        loads = wh.fetchall('SELECT run_id, inserted, updated FROM ops.loads ORDER BY "at"')
        upd_s = measure("publish, re-pull: all match, 20% changed", n, publish(second))
        loads = wh.fetchall('SELECT run_id, inserted, updated FROM ops.loads ORDER BY "at"')

        def merge_only() -> None:
            with wh.transaction() as con:
                _merge(con, third.tables[0])

        merge_s = measure("MERGE statement only, 40% changed", n, merge_only)
        wh.close()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"loads: {loads}")
    print(f"(quality on the native engine, outside the timings above: {q_s:.2f} s)")
    print(f"ratio publish(inserts) / INSERT...SELECT   {pub_s / base_s:6.2f}x")
    print(f"ratio publish(re-pull) / INSERT...SELECT   {upd_s / base_s:6.2f}x")
    print(f"ratio MERGE only / INSERT...SELECT         {merge_s / base_s:6.2f}x")


if __name__ == "__main__":
    main()
