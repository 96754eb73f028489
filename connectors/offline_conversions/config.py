"""Settings of the offline-conversions source (built by ``deployments``, never from env here)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["OfflineConversionsSettings"]


class OfflineConversionsSettings(BaseModel):
    """Where the drop folder is and how its rows are read.

    Attributes:
        folder: the drop folder; every ``*.csv`` and ``*.parquet`` file in it (not in
            sub-folders) is read on each run. Files are never moved or changed: the
            warehouse merges on ``conversion_id``, so a file read twice counts once.
        source_name: the account id of this folder in the warehouse (``crm-exports``,
            ``pos``...): several folders can feed one warehouse.
        timezone: IANA zone of timestamps written without an offset, and of the days the
            window counts in.
        lookback_days: days re-read before the cursor: a deal closed last month may be
            exported today.
        initial_days: days read on a first load.
        max_file_bytes: a larger file is refused with a clear error instead of being read
            (checked when it is opened and again while it is read).
        max_line_chars: a longer CSV line refuses its file (one line is read at a time).
        max_rejected_lines: a file with more bad lines is refused whole (it is probably not
            the declared export); the rejects kept in memory stay bounded.
        batch_rows: records checked per batch; with ``spill_memory_mb`` it bounds the memory
            a read takes, whatever the files' size.
        spill_memory_mb: DuckDB's memory limit while checking and deduplicating; past it,
            data spills to the scratch folder.
        scratch_dir: where reads keep their working files until the connector is closed
            (default: the system's temporary folder).

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    folder: Path
    source_name: str = Field(default="offline", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    timezone: str = "UTC"
    lookback_days: int = Field(default=90, ge=0, le=730)
    initial_days: int = Field(default=365, ge=1)
    max_file_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    max_line_chars: int = Field(default=1024 * 1024, ge=1024)
    max_rejected_lines: int = Field(default=10_000, ge=0)
    batch_rows: int = Field(default=50_000, ge=100, le=1_000_000)
    spill_memory_mb: int = Field(default=256, ge=128, le=64 * 1024)
    scratch_dir: Path | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
