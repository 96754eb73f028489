"""Reading drop-folder files record by record, with the line (CSV) or row (Parquet) of each.

A problem with a whole file (unreadable, too large, an unknown or missing column) becomes one
:class:`FileProblem`; the caller turns it into a reject naming the file, so the other files
still land and nothing is dropped silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from connectors.offline_conversions.schema import COLUMNS, REQUIRED

__all__ = ["FileProblem", "FileRecord", "data_files", "read_file"]

SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class FileRecord:
    """One record of a file: its values as text and its 1-based line (CSV) or row number."""

    line: int
    values: dict[str, str | None]


@dataclass(frozen=True)
class FileProblem:
    """Why a whole file could not be read."""

    message: str


def data_files(folder: Path) -> list[Path]:
    """Return the CSV and Parquet files directly in ``folder``, by name (hidden files skipped)."""
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def _check_header(columns: list[str]) -> str | None:
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"repeated column(s) {', '.join(duplicated)}")
    if problems:
        return "; ".join(problems) + f" (declared columns: {', '.join(COLUMNS)})"
    return None


def read_file(path: Path, max_bytes: int) -> Iterator[FileRecord | FileProblem]:
    """Yield the records of one file, or a single problem that stops it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield FileProblem(f"cannot read: {exc.strerror or exc}")
        return
    if size > max_bytes:
        yield FileProblem(f"{size} bytes is over the limit of {max_bytes} bytes")
        return
    if path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_parquet(path)


def _read_csv(path: Path) -> Iterator[FileRecord | FileProblem]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        yield FileProblem(f"not UTF-8 text (byte {exc.start}): save the export as UTF-8")
        return
    except OSError as exc:
        yield FileProblem(f"cannot read: {exc.strerror or exc}")
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        yield FileProblem("empty file: no header line")
        return
    except csv.Error as exc:
        yield FileProblem(f"line 1: {exc}")
        return
    columns = [c.strip().lower() for c in header]
    problem = _check_header(columns)
    if problem:
        yield FileProblem(f"line 1: {problem}")
        return
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield FileProblem(f"line {reader.line_num}: {exc}; the rest of the file is not read")
            return
        if not any(f.strip() for f in fields):
            continue  # a blank line
        line = reader.line_num
        if len(fields) != len(columns):
            values: dict[str, str | None] = {"_fields": ",".join(fields)}
            values["_error"] = f"{len(fields)} fields where the header has {len(columns)}"
            yield FileRecord(line, values)
            continue
        yield FileRecord(line, dict(zip(columns, fields, strict=True)))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_parquet(path: Path) -> Iterator[FileRecord | FileProblem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        yield FileProblem(f"not a readable Parquet file: {exc}")
        return
    columns = [c.lower() for c in table.column_names]
    problem = _check_header(columns)
    if problem:
        yield FileProblem(problem)
        return
    for number, row in enumerate(table.to_pylist(), start=1):
        yield FileRecord(number, {k.lower(): _text(v) for k, v in row.items()})
