"""Report date windows. Pure functions: no clock, no I/O.

A report window runs from the incremental cursor minus the lookback (conversions arrive late
and platforms restate recent days), or from an explicitly requested start, to the requested
end - but never past *yesterday in the account's time zone*, since today is incomplete
(streams of records by modification day may ask to run through today). A connector's read
takes the window it was given through :func:`clamp_window`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connectors.errors import ConfigurationError
from connectors.streams import DateWindow

__all__ = ["clamp_window", "extract_window", "yesterday_in"]


def _zone(timezone_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(f"unknown time zone {timezone_name!r}") from exc


def yesterday_in(timezone_name: str, now: datetime) -> date:
    """Return yesterday's date in a time zone.

    Args:
        timezone_name: IANA time zone name.
        now: the current instant; must be timezone-aware.

    Raises:
        ConfigurationError: naive ``now`` or unknown time zone.

    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ConfigurationError("now must be timezone-aware")
    return now.astimezone(_zone(timezone_name)).date() - timedelta(days=1)


def extract_window(
    *,
    timezone_name: str,
    now: datetime,
    cursor: date | None = None,
    lookback_days: int = 28,
    requested_start: date | None = None,
    requested_end: date | None = None,
    full_refresh: bool = False,
    initial_days: int | None = None,
    through_today: bool = False,
) -> DateWindow | None:
    """Compute the report window for one account.

    Rules, in order:

    * end = ``min(requested_end, yesterday)``; yesterday in the account's time zone (today
      with ``through_today``).
    * ``full_refresh``: start = ``requested_start`` (required), the cursor is ignored.
    * else ``requested_start`` when given (an explicit backfill),
    * else ``cursor - lookback_days`` when a cursor exists,
    * else the first load: the last ``initial_days`` days (default: ``lookback_days``).

    Args:
        timezone_name: the account's IANA time zone.
        now: the current instant (timezone-aware).
        cursor: the last report day already published, if any.
        lookback_days: days re-read before the cursor (late conversions), >= 0.
        requested_start: explicit first day.
        requested_end: explicit last day.
        full_refresh: ignore the cursor and re-read from ``requested_start``.
        initial_days: first-load length; defaults to ``max(lookback_days, 1)``.
        through_today: end at today instead of yesterday (records by modification day).

    Returns:
        The window, or ``None`` when there is nothing to read yet (start after yesterday).

    Raises:
        ConfigurationError: negative lookback, ``requested_start > requested_end``,
            ``full_refresh`` without ``requested_start``, naive ``now``, unknown time zone.

    """
    if lookback_days < 0:
        raise ConfigurationError("lookback_days must be >= 0")
    if initial_days is not None and initial_days < 1:
        raise ConfigurationError("initial_days must be >= 1")
    if requested_start and requested_end and requested_start > requested_end:
        raise ConfigurationError(
            f"requested start {requested_start} is after requested end {requested_end}"
        )
    if full_refresh and requested_start is None:
        raise ConfigurationError("full_refresh needs requested_start")
    last = yesterday_in(timezone_name, now) + timedelta(days=1 if through_today else 0)
    end = min(requested_end, last) if requested_end else last
    if requested_start is not None:
        start = requested_start
    elif cursor is not None:
        start = cursor - timedelta(days=lookback_days)
    else:
        days = initial_days if initial_days is not None else max(lookback_days, 1)
        start = last - timedelta(days=days - 1)
    if start > end:
        return None
    return DateWindow(start, end)


def clamp_window(
    window: DateWindow | None,
    *,
    timezone_name: str,
    now: datetime,
    lookback_days: int,
    initial_days: int,
    through_today: bool = False,
) -> DateWindow | None:
    """Return the window a read covers: the default one, or ``window`` cut at its last day.

    Args:
        window: the requested days, or None for the default (the last ``initial_days``).
        timezone_name: the account's IANA time zone.
        now: the current instant (timezone-aware).
        lookback_days: days re-read before the cursor.
        initial_days: length of the default window.
        through_today: the last day is today (records by modification day), not yesterday.

    Returns:
        The window, or ``None`` when it starts after the last complete day.

    Raises:
        ConfigurationError: naive ``now`` or unknown time zone.

    """
    if window is None:
        return extract_window(
            timezone_name=timezone_name,
            now=now,
            lookback_days=lookback_days,
            initial_days=initial_days,
            through_today=through_today,
        )
    last = yesterday_in(timezone_name, now) + timedelta(days=1 if through_today else 0)
    if window.start > last:
        return None
    return DateWindow(window.start, min(window.end, last))
