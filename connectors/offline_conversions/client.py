"""OfflineConversionsConnector: a drop folder read as one source account with one stream.

It satisfies the same ``SourceConnector`` protocol as the API connectors, so the extract
flow lands, checks and publishes its rows like any other source. Bad records do not stop a
load: each becomes a reject naming its file and line, is kept with the batch's landing
files, and is set aside in the quarantine folder when the good rows publish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from connectors._base import utcnow
from connectors.calllog import CallRecorder
from connectors.errors import ConfigurationError
from connectors.offline_conversions.config import OfflineConversionsSettings
from connectors.offline_conversions.reader import FileProblem, data_files, read_file
from connectors.offline_conversions.schema import OfflineConversionRow as Row
from connectors.offline_conversions.schema import parse_row
from connectors.offline_conversions.streams import CONVERSIONS, STREAMS
from connectors.records import RecordCollector
from connectors.streams import (
    AccountInfo,
    DateWindow,
    RecordLocation,
    StreamResult,
    StreamSpec,
)

__all__ = ["OfflineConversionsConnector"]

logger = logging.getLogger("connectors.offline_conversions")


class OfflineConversionsConnector:
    """Reads the conversions of one drop folder.

    Args:
        settings: the folder, source name, time zone and windows.
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
        self._zone = ZoneInfo(settings.timezone)

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
        file are an error in that export: the second is rejected.

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
        rows = RecordCollector(CONVERSIONS, account.id, window)
        chosen: dict[str, tuple[int, RecordLocation, dict[str, str | None], Row]] = {}
        skipped = replaced = 0
        for page, path in enumerate(data_files(folder), start=1):
            for item in read_file(path, self.settings.max_file_bytes):
                if isinstance(item, FileProblem):
                    where = rows.location(page, 0)
                    rows.reject(where, {"file": path.name}, f"file {path.name}: {item.message}")
                    continue
                where = rows.location(page, item.line)
                prefix = f"file {path.name} line {item.line}: "
                if "_error" in item.values:
                    rows.reject(where, item.values, prefix + str(item.values["_error"]))
                    continue
                try:
                    row = parse_row(item.values, account_id=account.id, zone=self._zone,
                                    file=path.name, line=item.line)
                except ValueError as exc:
                    rows.reject(where, item.values, prefix + _short(exc))
                    continue
                if window is not None and row.occurred_date not in window:
                    skipped += 1
                    continue
                earlier = chosen.get(row.conversion_id)
                if earlier is not None and _business(earlier[3]) != _business(row):
                    if earlier[0] == page:  # two answers in one export: an error in it
                        rows.reject(where, item.values, prefix + (
                            f"conversion_id {row.conversion_id!r} already on line "
                            f"{earlier[3].source_line} with different values"))
                        continue
                    replaced += 1  # a later export corrects an earlier one
                elif earlier is not None:
                    continue  # the same conversion exported again
                chosen[row.conversion_id] = (page, where, item.values, row)
        for _page, where, raw, row in chosen.values():
            rows.add(where, raw, lambda _raw, row=row: row)  # type: ignore[misc]
        if skipped or replaced:
            logger.info("%s: %d record(s) outside %s skipped, %d replaced by later files",
                        account.id, skipped, window, replaced)
        return rows.result

    def close(self) -> None:
        """Nothing to release."""

    def _require_folder(self) -> Path:
        folder = self.settings.folder
        if not folder.is_dir():
            raise ConfigurationError(
                f"offline conversions folder {folder} does not exist (settings.folder)"
            )
        return folder


def _short(exc: ValueError) -> str:
    from pydantic import ValidationError

    from connectors.records import validation_message

    return validation_message(exc) if isinstance(exc, ValidationError) else str(exc)


def _business(row: Row) -> tuple[object, ...]:
    """Return the values that matter, without the lineage (file and line)."""
    return tuple(v for k, v in row.model_dump().items() if k not in ("source_file", "source_line"))
