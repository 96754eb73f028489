"""Immutable landing files, one per (platform, stream, account, run).

Layout: ``<landing_root>/<platform>/<stream>/<account>/<run_id>.parquet`` holds the rows the
connector produced; ``<run_id>.rejects.jsonl`` next to it holds the records that failed their
model (``stream, raw_json, error, location``). Files are written to a temporary name, fsynced
and hard-linked into place, so a reader sees a complete file or none, and an existing file is
never overwritten (a second write for the same run raises :class:`LandingError`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.errors import LandingError

__all__ = ["LandingFile", "landing_path", "write_landing"]

_SAFE = re.compile(r"^[A-Za-z0-9_.:=-]+$")
_REJECT_FIELDS = ("stream", "raw_json", "error", "location")


@dataclass(frozen=True)
class LandingFile:
    """One landed stream of one account for one run.

    Attributes:
        platform: ``meta_ads``.
        stream: connector stream name (``ad_insights_daily``).
        table: qualified warehouse table (``meta_ads.ad_insights_daily``).
        account_id: the account the rows belong to.
        run_id: the extract run.
        path: the Parquet file of rows.
        rejects_path: the JSONL file of rejected records, or None when there were none.
        rows: number of rows in ``path``.
        rejects: number of rejected records.

    """

    platform: str
    stream: str
    table: str
    account_id: str
    run_id: str
    path: Path
    rejects_path: Path | None
    rows: int
    rejects: int


def _segment(value: str, what: str) -> str:
    if not value or not _SAFE.match(value) or value in {".", ".."}:
        raise LandingError(f"{what} {value!r} is not a safe path segment")
    return value


def landing_path(root: Path, platform: str, stream: str, account_id: str, run_id: str) -> Path:
    """Where the Parquet file of a (platform, stream, account, run) lands."""
    return (
        Path(root)
        / _segment(platform, "platform")
        / _segment(stream, "stream")
        / _segment(account_id, "account_id")
        / f"{_segment(run_id, 'run_id')}.parquet"
    )


def _reject_fields(record: Any) -> dict[str, str | None]:
    """Return the four reject fields as text (``RecordLocation`` via its ``str``, dicts as JSON)."""
    out: dict[str, str | None] = {}
    for name in _REJECT_FIELDS:
        value: Any = (
            record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
        )
        if value is None or isinstance(value, str):
            out[name] = value
        elif isinstance(value, Mapping | list):
            out[name] = json.dumps(value, default=str, ensure_ascii=False)
        else:
            out[name] = str(value)
    return out


def _to_arrow(rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Build an Arrow table; a column whose values do not share one type lands as text.

    Staging then casts to the target types and reports the values that do not fit, so an odd
    value never stops the file from landing (the landing file is the raw record).
    """
    names: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                names.append(key)
    arrays: list[pa.Array] = []
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            array = pa.array([None if v is None else str(v) for v in values], type=pa.string())
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=names)


class RowFileLike(Protocol):
    """Rows already in a Parquet file (``connectors.streams.RowFile`` has this shape)."""

    @property
    def path(self) -> Path: ...

    @property
    def rows(self) -> int: ...


def _place(source: Path, tmp: Path) -> None:
    """Put a prepared Parquet file at ``tmp``: a hard link if possible, else a copy."""
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)


def _publish_file(tmp: Path, final: Path) -> None:
    try:
        os.link(tmp, final)  # atomic, and fails instead of replacing an existing file
    except FileExistsError:
        raise LandingError(f"landing file {final} already exists; landing is immutable") from None
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_landing(
    root: str | Path,
    *,
    platform: str,
    stream: str,
    account_id: str,
    run_id: str,
    rows: Sequence[Mapping[str, Any]],
    rejects: Iterable[Any] = (),
    table: str | None = None,
    row_file: RowFileLike | None = None,
) -> LandingFile:
    """Write one run's rows (and rejected records) of one stream and account, immutably.

    Args:
        root: landing root (``Warehouse.landing_root``).
        platform: platform name, also the warehouse schema.
        stream: connector stream name.
        account_id: account the rows belong to.
        run_id: extract run id.
        rows: plain dicts keyed by warehouse column (str, int, Decimal, date, aware datetime,
            None).
        rejects: ``RejectedRecord``-like objects or dicts (stream, raw_json, error, location).
        table: qualified warehouse table; default ``<platform>.<stream>``.
        row_file: rows the connector already wrote to a Parquet file (``path``, ``rows``),
            landed in place of ``rows`` (hard-linked when on the same file system, else
            copied in chunks: memory stays flat however large it is).

    Returns:
        The :class:`LandingFile` to put in a ``LoadBatch``.

    Raises:
        LandingError: the file exists already, a path segment is unsafe, or writing failed.

    """
    final = landing_path(Path(root), platform, stream, account_id, run_id)
    if final.exists():
        raise LandingError(f"landing file {final} already exists; landing is immutable")
    reject_rows = [_reject_fields(r) for r in rejects]
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        rejects_final: Path | None = None
        if reject_rows:
            rejects_final = final.with_name(f"{run_id}.rejects.jsonl")
            tmp = final.with_name(f".{run_id}.rejects.{uuid.uuid4().hex}.tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                for rec in reject_rows:
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            if rejects_final.exists():
                # Orphan of a writer that died before its Parquet file landed: the Parquet
                # file is the commit marker, so the orphan is not part of any landed run.
                rejects_final.unlink()
            _publish_file(tmp, rejects_final)
        tmp = final.with_name(f".{run_id}.{uuid.uuid4().hex}.tmp")
        if row_file is not None:
            _place(Path(row_file.path), tmp)
        else:
            pq.write_table(_to_arrow(rows), tmp)
        _fsync(tmp)
        _publish_file(tmp, final)
        _fsync(final.parent)
    except LandingError:
        raise
    except (OSError, pa.ArrowException) as exc:
        raise LandingError(f"cannot write landing file {final}: {exc}") from exc
    return LandingFile(
        platform=platform,
        stream=stream,
        table=table or f"{platform}.{stream}",
        account_id=account_id,
        run_id=run_id,
        path=final,
        rejects_path=rejects_final,
        rows=row_file.rows if row_file is not None else len(rows),
        rejects=len(reject_rows),
    )
