from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import ConfigurationError
from connectors.streams import DateWindow
from connectors.windows import clamp_window, extract_window, yesterday_in

ZONES = sorted(
    z for z in available_timezones() if "/" in z and not z.startswith(("posix", "right"))
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
days = st.dates(min_value=date(1999, 1, 1), max_value=date(2101, 1, 1))


@given(st.sampled_from(ZONES), instants)
def test_yesterday_is_the_local_date_minus_one(zone, now):
    assert yesterday_in(zone, now) == now.astimezone(ZoneInfo(zone)).date() - timedelta(days=1)


@given(
    st.sampled_from(ZONES),
    instants,
    st.none() | days,
    st.integers(0, 60),
    st.none() | days,
    st.none() | days,
)
def test_window_never_passes_yesterday_and_starts_where_it_should(
    zone, now, cursor, lookback, start, end
):
    if start and end and start > end:
        with pytest.raises(ConfigurationError):
            extract_window(timezone_name=zone, now=now, requested_start=start, requested_end=end)
        return
    window = extract_window(
        timezone_name=zone,
        now=now,
        cursor=cursor,
        lookback_days=lookback,
        requested_start=start,
        requested_end=end,
    )
    yesterday = yesterday_in(zone, now)
    end_bound = min(end, yesterday) if end else yesterday
    if start is not None:
        expected_start = start
    elif cursor is not None:
        expected_start = cursor - timedelta(days=lookback)
    else:
        expected_start = yesterday - timedelta(days=max(lookback, 1) - 1)
    if expected_start > end_bound:
        assert window is None
    else:
        assert window == DateWindow(expected_start, end_bound)
        assert window.end <= yesterday


def test_examples():
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # still Nov 19 in New York
    w = extract_window(timezone_name="America/New_York", now=now, cursor=date(2026, 11, 15))
    assert w == DateWindow(date(2026, 10, 18), date(2026, 11, 18))
    w = extract_window(timezone_name="Pacific/Auckland", now=now, cursor=date(2026, 11, 15))
    assert w is not None and w.end == date(2026, 11, 19)
    assert extract_window(timezone_name="UTC", now=now, requested_start=date(2026, 11, 20)) is None


def test_full_refresh_ignores_the_cursor_and_needs_a_start():
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    w = extract_window(
        timezone_name="UTC",
        now=now,
        cursor=date(2026, 11, 18),
        requested_start=date(2026, 1, 1),
        full_refresh=True,
    )
    assert w == DateWindow(date(2026, 1, 1), date(2026, 11, 19))
    with pytest.raises(ConfigurationError):
        extract_window(timezone_name="UTC", now=now, full_refresh=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lookback_days": -1},
        {"timezone_name": "Mars/Olympus"},
        {"now": datetime(2026, 11, 20, 12)},
        {"initial_days": 0},
    ],
)
def test_invalid_inputs(kwargs):
    args = {"timezone_name": "UTC", "now": datetime(2026, 11, 20, 12, tzinfo=UTC), **kwargs}
    with pytest.raises(ConfigurationError):
        extract_window(**args)


def test_date_window_split_and_validation():
    w = DateWindow(date(2026, 1, 1), date(2026, 1, 5))
    a, b = w.split()
    assert (a, b) == (
        DateWindow(date(2026, 1, 1), date(2026, 1, 3)),
        DateWindow(date(2026, 1, 4), date(2026, 1, 5)),
    )
    assert a.days + b.days == w.days and list(w.dates())[-1] == date(2026, 1, 5)
    with pytest.raises(ValueError):
        DateWindow(date(2026, 1, 1), date(2026, 1, 1)).split()
    with pytest.raises(ConfigurationError):
        DateWindow(date(2026, 1, 2), date(2026, 1, 1))


def test_streams_of_modified_records_may_run_through_today():
    now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # already the 27th in Berlin
    window = extract_window(timezone_name="Europe/Berlin", now=now, cursor=date(2026, 11, 20),
                            lookback_days=1, through_today=True)
    assert window == DateWindow(date(2026, 11, 19), date(2026, 11, 27))
    first = extract_window(timezone_name="UTC", now=now, initial_days=3, through_today=True)
    assert first == DateWindow(date(2026, 11, 24), date(2026, 11, 26))


@given(st.sampled_from(ZONES), instants, days, st.integers(0, 40), st.booleans())
def test_a_requested_window_is_cut_at_the_last_complete_day(zone, now, start, length, today):
    last = yesterday_in(zone, now) + timedelta(days=1 if today else 0)
    window = DateWindow(start, start + timedelta(days=length))
    clamped = clamp_window(
        window, timezone_name=zone, now=now, lookback_days=3, initial_days=7, through_today=today
    )
    if start > last:
        assert clamped is None
    else:
        assert clamped == DateWindow(start, min(window.end, last))


def test_no_window_reads_the_default_one():
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for today in (False, True):
        assert clamp_window(
            None, timezone_name="UTC", now=now, lookback_days=3, initial_days=7,
            through_today=today,
        ) == extract_window(
            timezone_name="UTC", now=now, lookback_days=3, initial_days=7, through_today=today
        )
