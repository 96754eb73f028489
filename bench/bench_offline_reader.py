"""The offline-conversions reader on large drop files: time and peak memory, side by side.

For each size, one CSV export of that many bytes is generated, then read in fresh processes
(so each peak RSS is its own):

* ``reader``: ``OfflineConversionsConnector.read`` as the extract runs it (safe open, streamed
  CSV tokenising, DuckDB checks, dedupe, the Parquet row file), with default settings;
* ``reader small``: the same with ``batch_rows=10000, spill_memory_mb=128``, to show the
  settings bound the memory;
* ``duckdb floor``: DuckDB's own ``read_csv`` of the same file straight to Parquet, no checks,
  no line numbers: the least any reader of that file could cost.

Ratios: reader time / floor time, and peak RSS / file size.

    python bench/bench_offline_reader.py                 # 64 MiB and 1 GiB (about 4 minutes)
    python bench/bench_offline_reader.py --sizes-mb 64
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "conversion_id,occurred_at,kind,value,currency,email,gclid,phone,order_id\n"


def generate(path: Path, target_bytes: int) -> int:
    """Write a plausible export of about ``target_bytes``; return its rows."""
    rnd = random.Random(1)
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        written = len(HEADER)
        chunk: list[str] = []
        while written < target_bytes:
            i = rows
            line = (f"C{i:09d},2026-11-{1 + i % 28:02d}T{i % 24:02d}:15:00,deal,"
                    f"{rnd.randint(1, 99999) / 100:.2f},EUR,person{i % 500000}@example.com,"
                    f"Cj0KCQiA{i:012d}xyz,+4930{i % 10000000:07d},O{i}\n")
            chunk.append(line)
            written += len(line)
            rows += 1
            if len(chunk) == 10000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
    return rows


_CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from bench._measure import peak_rss
mode, folder, scratch = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
with peak_rss() as m:
    if mode == "floor":
        import duckdb
        con = duckdb.connect()
        out = scratch / "floor.parquet"
        [(rows,)] = con.execute(
            f"COPY (SELECT * FROM read_csv('{{folder}}/export.csv', all_varchar=true)) "
            f"TO '{{out}}' (FORMAT parquet)").fetchall()
        rejects = 0
    else:
        from connectors.offline_conversions import (
            OfflineConversionsConnector, OfflineConversionsSettings)
        extra = dict(batch_rows=10000, spill_memory_mb=128) if mode == "small" else {{}}
        c = OfflineConversionsConnector(OfflineConversionsSettings(
            folder=folder, source_name="bench", max_file_bytes=4 << 30, scratch_dir=scratch,
            **extra))
        [account] = c.list_accounts()
        result = c.read("conversions", account)
        rows, rejects = result.row_count, len(result.rejects)
        c.close()
print(json.dumps({{"rows": rows, "rejects": rejects, **m}}))
"""


def run(mode: str, folder: Path, scratch: Path) -> dict[str, float]:
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=root), mode, str(folder),
                           str(scratch)], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[64, 1024])
    args = parser.parse_args()
    print(f"{'file':>9} {'rows':>10} {'run':>13} {'seconds':>8} {'peak RSS':>9} "
          f"{'RSS/file':>8} {'time/floor':>10}")
    for size_mb in args.sizes_mb:
        with tempfile.TemporaryDirectory(prefix="bench-offline-") as tmp:
            folder, scratch = Path(tmp) / "drop", Path(tmp) / "scratch"
            folder.mkdir()
            scratch.mkdir()
            began = time.perf_counter()
            rows = generate(folder / "export.csv", size_mb * 1024 * 1024)
            size = (folder / "export.csv").stat().st_size
            print(f"# generated {size / 2**20:,.0f} MiB, {rows:,} rows in "
                  f"{time.perf_counter() - began:.0f} s")
            results = {mode: run(mode, folder, scratch) for mode in ("floor", "reader", "small")}
            for mode, label in (("reader", "reader"), ("small", "reader small"),
                                ("floor", "duckdb floor")):
                r = results[mode]
                assert r["rows"] == rows and r["rejects"] == 0, r
                print(f"{size / 2**20:>7,.0f}Mi {rows:>10,} {label:>13} {r['seconds']:>8.1f} "
                      f"{r['peak']:>7,.0f}Mi {r['peak'] * 2**20 / size:>8.2f} "
                      f"{r['seconds'] / results['floor']['seconds']:>9.1f}x")


if __name__ == "__main__":
    main()
