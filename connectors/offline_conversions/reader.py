"""Reading drop-folder files as streams of raw text batches, within bounds a file cannot break.

A CSV file is read from its descriptor through a byte cap (``max_file_bytes``, whatever size
the file claimed when opened), line by line with a cap on a line's length, and tokenised by
Python's ``csv`` module (exact quoting rules and line numbers); records are handed on in
Arrow batches of ``batch_rows``, so memory holds one batch, not the file. A Parquet file is
streamed by DuckDB (``spill.py``); only its schema is read here.

A problem with a whole file (too large, not UTF-8, broken CSV quoting, a line too long, an
unknown or missing column) raises :class:`FileRefused`: the caller drops what it had checked
of that file and turns the problem into one reject naming the file, so a file lands whole or
not at all, and the other files still land. No message quotes more of the file than a
position and a bounded, redacted excerpt.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.offline_conversions.excerpts import column_label, excerpt
from connectors.offline_conversions.folder import DropFile
from connectors.offline_conversions.schema import COLUMNS, REQUIRED

__all__ = ["FileRefused", "check_header", "csv_batches", "parquet_columns"]

_MAX_COLUMNS = 64


class FileRefused(Exception):
    """A whole file is not read; the message says why and where (never what it holds)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_header(columns: list[str]) -> None:
    """Refuse a header with an unknown, missing or repeated column.

    Raises:
        FileRefused: naming the columns (an unknown one only when it looks like a column
            name, with the declared column it is closest to).

    """
    if len(columns) > _MAX_COLUMNS:
        raise FileRefused(f"{len(columns)} columns in the header; the schema declares "
                          f"{len(COLUMNS)} (declared columns: {', '.join(COLUMNS)})")
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    duplicated = sorted({c for c in columns if c in COLUMNS and columns.count(c) > 1})
    problems = []
    if unknown:
        problems.append("unknown column(s) " + ", ".join(_unknown(c) for c in unknown))
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if duplicated:
        problems.append(f"repeated column(s) {', '.join(duplicated)}")
    if problems:
        raise FileRefused("; ".join(problems) + f" (declared columns: {', '.join(COLUMNS)})")


def _unknown(column: str) -> str:
    label = column_label(column)
    if not label.startswith("'"):
        return label
    close = difflib.get_close_matches(column, COLUMNS, n=1)
    return f"{label} (did you mean {close[0]!r}?)" if close else label


class _Capped(io.RawIOBase):
    """A descriptor read through a byte cap: past it, the file is refused."""

    def __init__(self, fd: int, limit: int) -> None:
        self._file = io.FileIO(fd, closefd=False)
        self._left = limit
        self._limit = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer) or 0
        self._left -= count
        if self._left < 0:
            raise FileRefused(f"more than the limit of {self._limit} bytes (max_file_bytes)")
        return count


def _lines(text: io.TextIOBase, max_chars: int, counter: list[int]) -> Iterator[str]:
    while True:
        line = text.readline(max_chars + 1)
        if not line:
            return
        counter[0] += 1
        if len(line) > max_chars:
            raise FileRefused(f"line {counter[0]} is longer than {max_chars} characters "
                              "(max_line_chars)")
        yield line


def _table(columns: list[str], rows: list[list[str]], lines: list[int],
           bad: list[tuple[int, str, str]]) -> pa.Table:
    """Return one batch: good records by column, then records the reader refused."""
    count = len(rows) + len(bad)
    transposed = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    by_name = dict(zip(columns, transposed, strict=True))
    nothing = [None] * len(bad)
    arrays = {
        "line": pa.array(lines + [b[0] for b in bad], pa.int64()),
        "pre_error": pa.array([None] * len(rows) + [b[1] for b in bad], pa.string()),
        "raw": pa.array([None] * len(rows) + [b[2] for b in bad], pa.string()),
    }
    for column in COLUMNS:
        values = by_name.get(column)
        arrays[column] = (pa.array(list(values) + nothing, pa.string()) if values is not None
                          else pa.nulls(count, pa.string()))
    return pa.table(arrays)


def csv_batches(drop: DropFile, *, max_bytes: int, max_line_chars: int,
                batch_rows: int) -> Iterator[pa.Table]:
    """Yield a CSV file's records in Arrow batches of raw text (see ``spill._CHECK``).

    Blank lines are skipped (line numbers keep counting); a record with the wrong number of
    fields is passed on as refused, with a bounded excerpt of what it held.

    Raises:
        FileRefused: the whole file cannot be read as a declared export.

    """
    if drop.size > max_bytes:
        raise FileRefused(f"{drop.size} bytes is over the limit of {max_bytes} bytes "
                          "(max_file_bytes)")
    raw = io.BufferedReader(_Capped(drop.fd, max_bytes), buffer_size=1 << 20)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    counter = [0]
    reader = csv.reader(_lines(text, max_line_chars, counter))
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("empty file: no header line")
        columns = [c.strip().lower() for c in header]
        try:
            check_header(columns)
        except FileRefused as exc:
            raise FileRefused(f"line 1: {exc.message}") from None
        width = len(columns)
        rows: list[list[str]] = []
        lines: list[int] = []
        bad: list[tuple[int, str, str]] = []
        for fields in reader:
            if len(fields) == width:
                rows.append(fields)
                lines.append(reader.line_num)
            elif any(f.strip() for f in fields):
                bad.append((reader.line_num, f"{len(fields)} fields where the header has "
                            f"{width}", excerpt(",".join(fields))))
            if len(rows) + len(bad) >= batch_rows:
                yield _table(columns, rows, lines, bad)
                rows, lines, bad = [], [], []
        if rows or bad:
            yield _table(columns, rows, lines, bad)
    except UnicodeDecodeError:
        raise FileRefused(f"not UTF-8 text (after line {counter[0]}): save the export as "
                          "UTF-8") from None
    except csv.Error as exc:
        raise FileRefused(f"line {reader.line_num}: {excerpt(exc, 120)}") from None
    except OSError as exc:
        raise FileRefused(f"cannot be read: {exc.strerror or type(exc).__name__}") from None


def parquet_columns(drop: DropFile, max_bytes: int) -> dict[str, str]:
    """Return declared column -> the Parquet file's column name, after checking the schema.

    Raises:
        FileRefused: the file is too large, not Parquet, or its columns are not the
            declared ones.

    """
    if drop.size > max_bytes:
        raise FileRefused(f"{drop.size} bytes is over the limit of {max_bytes} bytes "
                          "(max_file_bytes)")
    try:
        names = pq.read_schema(io.FileIO(drop.fd, closefd=False)).names
    except (OSError, pa.ArrowException) as exc:
        raise FileRefused(f"not a readable Parquet file ({type(exc).__name__})") from None
    lowered = [n.lower() for n in names]
    check_header(lowered)
    return dict(zip(lowered, names, strict=True))
