"""The shapes every connector returns: accounts, date windows, stream specs and results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import BaseModel

__all__ = [
    "AccountInfo",
    "DateWindow",
    "RecordLocation",
    "RejectedRecord",
    "ReportSettings",
    "RowFile",
    "SourceConnector",
    "StreamResult",
    "StreamSpec",
]


@dataclass(frozen=True)
class AccountInfo:
    """An ad account (or property, portal...) the credentials can read.

    Attributes:
        id: the platform's account id as used in its API (Meta: ``act_1001``).
        name: display name.
        currency: ISO 4217 code of the account's money columns.
        timezone: IANA time zone in which the platform reports days.
        status: the platform's own status value, if any.

    """

    id: str
    name: str
    currency: str
    timezone: str
    status: str | int | None = None

    @property
    def account_id(self) -> str:
        """Alias of :attr:`id` (the warehouse column name)."""
        return self.id

    @property
    def timezone_name(self) -> str:
        """Alias of :attr:`timezone` (the warehouse column name)."""
        return self.timezone

    @property
    def tz(self) -> ZoneInfo:
        """The account's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class DateWindow:
    """An inclusive range of report days.

    Attributes:
        start: first day.
        end: last day (inclusive).

    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            # Imported here: errors imports nothing from streams, but keep the edge explicit.
            from connectors.errors import ConfigurationError

            raise ConfigurationError(f"window start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def dates(self) -> Iterator[date]:
        """Iterate over the days of the window."""
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)

    def split(self) -> tuple[DateWindow, DateWindow]:
        """Split into two halves (the first one is the longer when the length is odd).

        Raises:
            ValueError: a one-day window cannot be split.

        """
        if self.days < 2:
            raise ValueError("a one-day window cannot be split")
        mid = self.start + timedelta(days=(self.days + 1) // 2 - 1)
        return DateWindow(self.start, mid), DateWindow(mid + timedelta(days=1), self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class StreamSpec:
    """A declarative stream: what it is called, where it lands, how rows are keyed.

    Attributes:
        name: stream name (also the warehouse table name within the platform schema).
        table: the warehouse table, e.g. ``meta_ads.ad_insights_daily``.
        primary_key: columns that identify a row; never null, unique within a read.
        cursor_field: the date column of windowed streams (``date``), ``None`` for entities.
        model: the pydantic model every output row validates against.
        through_today: the window may end today (incremental streams of records modified on
            a day: CRM contacts, orders); report streams of daily metrics stop at yesterday,
            since today's numbers are incomplete.

    """

    name: str
    table: str
    primary_key: tuple[str, ...]
    cursor_field: str | None
    model: type[BaseModel]
    through_today: bool = False

    @property
    def is_report(self) -> bool:
        """True for date-windowed report streams."""
        return self.cursor_field is not None


@dataclass(frozen=True)
class RecordLocation:
    """Where a record came from: stream, account, page (1-based) and index in the page.

    Attributes:
        stream: stream name.
        account_id: account id.
        page: 1-based page number within the read (per report job for async reports).
        index: 0-based index of the record in its page.

    """

    stream: str
    account_id: str
    page: int
    index: int

    def __str__(self) -> str:
        return f"{self.stream} account={self.account_id} page={self.page} index={self.index}"


@dataclass(frozen=True)
class RejectedRecord:
    """A record that failed its model; it is kept for the quarantine, not dropped.

    Attributes:
        stream: stream name.
        raw_json: the record as received (JSON text).
        error: why it was rejected.
        location: where it was found.

    """

    stream: str
    raw_json: str
    error: str
    location: RecordLocation


@dataclass(frozen=True)
class RowFile:
    """Valid rows a connector wrote to a Parquet file instead of holding them in memory.

    A source whose reads may be larger than memory (a drop folder of any size) hands its rows
    on this way; the landing step copies (or links) the file into place. The file lives in the
    connector's scratch folder until the connector is closed.

    Attributes:
        path: the Parquet file (warehouse columns).
        rows: how many rows it holds.

    """

    path: Path
    rows: int

    def read(self) -> list[dict[str, Any]]:
        """Return every row as a dict (for tests and small files: this loads them all)."""
        import pyarrow.parquet as pq

        rows: list[dict[str, Any]] = pq.read_table(self.path).to_pylist()
        return rows


@dataclass
class StreamResult:
    """Rows (warehouse columns, plain Python values) and rejected records of one read.

    Attributes:
        rows: valid rows held in memory.
        rejects: records that failed validation.
        stream: stream name.
        account_id: account id.
        window: the report window actually read (after clamping), if any.
        row_file: valid rows written to a file instead (then ``rows`` is empty).

    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[RejectedRecord] = field(default_factory=list)
    stream: str = ""
    account_id: str = ""
    window: DateWindow | None = None
    row_file: RowFile | None = None

    @property
    def row_count(self) -> int:
        """Valid rows of the read, in memory or in the row file."""
        return len(self.rows) + (self.row_file.rows if self.row_file is not None else 0)

    def all_rows(self) -> list[dict[str, Any]]:
        """Return every valid row as a dict, reading the row file if there is one."""
        return self.rows + (self.row_file.read() if self.row_file is not None else [])


@runtime_checkable
class ReportSettings(Protocol):
    """Settings every platform's connector exposes for report windows."""

    lookback_days: int
    initial_days: int


class SourceConnector(Protocol):
    """What tasks may call on any platform's connector (the contract suite checks it)."""

    platform: ClassVar[str]

    @property
    def settings(self) -> ReportSettings:
        """The connector's settings (report window defaults among them)."""
        ...

    def list_accounts(self) -> list[AccountInfo]:
        """Accounts the credentials can read."""
        ...

    def streams(self) -> list[StreamSpec]:
        """Return the platform's streams, declaratively."""
        ...

    def normalize_account_id(self, account_id: str) -> str:
        """Return the API's own form of an account id a person typed (Meta: ``act_<n>``)."""
        ...

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read one stream of one account (report streams: one window)."""
        ...

    def close(self) -> None:
        """Release the HTTP client."""
        ...
