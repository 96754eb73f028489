"""OfflineConversionsConnector: a drop folder read as one source account with one stream.

It satisfies the same ``SourceConnector`` protocol as the API connectors, so the extract
flow lands, checks and publishes its rows like any other source. Bad records do not stop a
load: each becomes a reject naming its file and line, is kept with the batch's landing
files, and is set aside in the quarantine folder when the good rows publish.

The folder is treated as hostile (``folder.py``: regular files really inside it, nothing
else), files are streamed in bounded batches and checked in DuckDB (``reader.py``,
``spill.py``), and the rows come back as a Parquet :class:`~connectors.streams.RowFile` in a
scratch folder that :meth:`OfflineConversionsConnector.close` removes: memory stays bounded
by ``batch_rows`` and ``spill_memory_mb`` whatever the files' size.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import duckdb

from connectors._base import utcnow
from connectors.calllog import CallRecorder
from connectors.errors import ConfigurationError
from connectors.offline_conversions.config import OfflineConversionsSettings
from connectors.offline_conversions.excerpts import excerpt
from connectors.offline_conversions.folder import DropFile, Refusal, drop_entries
from connectors.offline_conversions.reader import FileRefused, csv_batches, parquet_columns
from connectors.offline_conversions.spill import ConversionSpill
from connectors.offline_conversions.streams import CONVERSIONS, STREAMS
from connectors.streams import (
    AccountInfo,
    DateWindow,
    RecordLocation,
    RejectedRecord,
    RowFile,
    StreamResult,
    StreamSpec,
)

__all__ = ["OfflineConversionsConnector"]

logger = logging.getLogger("connectors.offline_conversions")

_MESSAGE_CHARS = 400


class OfflineConversionsConnector:
    """Reads the conversions of one drop folder.

    Args:
        settings: the folder, source name, time zone, windows and reading bounds.
        recorder: kept for the connector protocol; a folder makes no API calls.
        clock: current UTC time (tests pass a fake).

    """

    platform: ClassVar[str] = "offline_conversions"

    def __init__(
        self,
        settings: OfflineConversionsSettings,
        *,
        recorder: CallRecorder | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.recorder = recorder if recorder is not None else CallRecorder()
        self._clock = clock
        self._scratch: list[Path] = []

    def streams(self) -> list[StreamSpec]:
        """Return the source's one stream (``conversions``)."""
        return list(STREAMS)

    def normalize_account_id(self, account_id: str) -> str:
        """Return the source name as typed (it is the account id)."""
        return account_id.strip()

    def list_accounts(self) -> list[AccountInfo]:
        """Return the folder as one account (its currency column is per row; USD shown).

        Raises:
            ConfigurationError: the folder does not exist.

        """
        self._require_folder()
        return [
            AccountInfo(
                id=self.settings.source_name,
                name=f"Offline conversions in {self.settings.folder}",
                currency="USD",
                timezone=self.settings.timezone,
            )
        ]

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read every file's records whose day falls in ``window`` (all when None).

        Records outside the window are skipped (they were published by an earlier run or
        are older than the lookback); malformed ones become rejects with file and line.
        Files are read in name order: the same conversion exported again is read once, and
        a later file's different values for a ``conversion_id`` replace an earlier file's
        (name exports so they sort by time). Two different rows with one id in the same
        file are an error in that export: the second is rejected. A file that cannot be read
        as a declared export (see ``reader.py``), or with more than ``max_rejected_lines``
        bad lines, is refused whole: one reject names it, none of its rows land.

        The rows are in ``result.row_file`` until :meth:`close`.

        Raises:
            ConfigurationError: an unknown stream, another account, or a missing folder.

        """
        if stream != CONVERSIONS.name:
            raise ConfigurationError(f"offline_conversions has no stream {stream!r}")
        if account.id != self.settings.source_name:
            raise ConfigurationError(
                f"this folder is source {self.settings.source_name!r}, not {account.id!r}"
            )
        folder = self._require_folder()
        if self.settings.scratch_dir is not None:
            self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="offline-conversions-",
                                        dir=self.settings.scratch_dir))
        self._scratch.append(scratch)
        result = StreamResult(stream=stream, account_id=account.id, window=window)
        spill = ConversionSpill(scratch, timezone=self.settings.timezone, account_id=account.id,
                                window=window, memory_mb=self.settings.spill_memory_mb)
        skipped = 0
        try:
            for page, entry in enumerate(drop_entries(folder), start=1):
                if isinstance(entry, Refusal):
                    self._reject(result, page, 0, json.dumps({"file": entry.name}),
                                 f"file {entry.name} {entry.reason}")
                    continue
                try:
                    skipped += self._read_file(spill, result, page, entry)
                finally:
                    entry.close()
            path = scratch / "rows.parquet"
            rows, replaced = spill.write_rows(path)
        except OSError as exc:
            raise ConfigurationError(
                f"offline conversions folder {folder} cannot be read: "
                f"{exc.strerror or type(exc).__name__}"
            ) from None
        except duckdb.Error as exc:  # the one boundary where DuckDB's errors are translated
            raise ConfigurationError(
                f"offline conversions: checking the records failed within spill_memory_mb="
                f"{self.settings.spill_memory_mb} ({type(exc).__name__}: {excerpt(exc, 200)})"
            ) from None
        finally:
            spill.close()
        result.row_file = RowFile(path, rows)
        if skipped or replaced:
            logger.info("%s: %d record(s) outside %s skipped, %d replaced by later files",
                        account.id, skipped, window, replaced)
        return result

    def _read_file(self, spill: ConversionSpill, result: StreamResult, page: int,
                   entry: DropFile) -> int:
        """Check one file into the spill; return its rows outside the window."""
        budget = self.settings.max_rejected_lines
        try:
            if entry.suffix == ".csv":
                for batch in csv_batches(entry, max_bytes=self.settings.max_file_bytes,
                                         max_line_chars=self.settings.max_line_chars,
                                         batch_rows=self.settings.batch_rows):
                    if spill.add_batch(batch) > budget:
                        raise FileRefused(f"more than {budget} rejected lines "
                                          "(max_rejected_lines): is it the declared export?")
            else:
                columns = parquet_columns(entry, self.settings.max_file_bytes)
                if spill.add_parquet(entry.fd_path, columns) > budget:
                    raise FileRefused(f"more than {budget} rejected rows "
                                      "(max_rejected_lines): is it the declared export?")
        except FileRefused as exc:
            spill.discard_file()
            self._reject(result, page, 0, json.dumps({"file": entry.name}),
                         f"file {entry.name}: {exc.message}")
            return 0
        checked = spill.finish_file(page - 1, entry.name)
        for line, error, raw in checked.rejects:
            self._reject(result, page, line, raw, f"file {entry.name} line {line}: {error}")
        return checked.skipped

    @staticmethod
    def _reject(result: StreamResult, page: int, line: int, raw: str, error: str) -> None:
        """Keep a reject that quotes no more of the file than a bounded, redacted excerpt."""
        result.rejects.append(RejectedRecord(
            stream=CONVERSIONS.name,
            raw_json=_bounded_raw(raw),
            error=excerpt(error, _MESSAGE_CHARS),
            location=_location(result.account_id, page, line),
        ))

    def close(self) -> None:
        """Remove the scratch folders of the reads (and the row files in them)."""
        while self._scratch:
            shutil.rmtree(self._scratch.pop(), ignore_errors=True)

    def _require_folder(self) -> Path:
        folder = self.settings.folder
        if not folder.is_dir():
            raise ConfigurationError(
                f"offline conversions folder {folder} does not exist (settings.folder)"
            )
        return folder


def _location(account_id: str, page: int, line: int) -> RecordLocation:
    return RecordLocation(CONVERSIONS.name, account_id, page, line)


def _bounded_raw(raw: str) -> str:
    """Return a reject's stored record: each value a bounded, redacted excerpt, as JSON."""
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if isinstance(values, dict):
        kept = {str(k)[:40]: None if v is None else excerpt(v) for k, v in values.items()}
        return json.dumps(kept, sort_keys=True, ensure_ascii=False)
    return json.dumps({"excerpt": excerpt(raw)}, ensure_ascii=False)
