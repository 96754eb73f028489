"""Bad input and bad settings end in one ``error:`` line and a non-zero exit, never a traceback.

The parameter models are checked in process (bounds, and hypothesis over any pair of days);
the CLI runs in subprocesses as a user runs it, each case failing before a Prefect server
starts, except one end-to-end case that runs the attribution flow on an empty period.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.parameters import (
    EARLIEST_DATE,
    MAX_ATTRIBUTION_PERIOD_DAYS,
    ParameterError,
    default_period,
    parse_attribution_request,
    parse_extract_request,
)

TODAY = dt.datetime.now(dt.UTC).date()
REPORT = {"models": ("linear",), "lookback_days": 90, "acquisition_lookback_days": 30}


# --------------------------------------------------------------------------- parameters


def test_the_bounds_are_inclusive():
    longest_start = TODAY - dt.timedelta(days=MAX_ATTRIBUTION_PERIOD_DAYS - 1)
    request = parse_attribution_request(period_start=longest_start, period_end=TODAY, **REPORT)
    assert (request.period_end - request.period_start).days + 1 == MAX_ATTRIBUTION_PERIOD_DAYS
    first = parse_attribution_request(period_start=EARLIEST_DATE, period_end=EARLIEST_DATE,
                                      **REPORT)
    assert first.period_start == EARLIEST_DATE
    extract = parse_extract_request(start_date=EARLIEST_DATE, end_date=TODAY)
    assert (extract.start_date, extract.end_date) == (EARLIEST_DATE, TODAY)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (dt.date.min, dt.date.max, "period_start: 0001-01-01 is before 2000-01-01"),
        (dt.date.min, dt.date.max, "period_end: 9999-12-31 is in the future (reports end at"),
        (TODAY, TODAY + dt.timedelta(days=1), "period_end: "),
        (EARLIEST_DATE - dt.timedelta(days=1), EARLIEST_DATE, "the earliest day accepted"),
        (TODAY - dt.timedelta(days=MAX_ATTRIBUTION_PERIOD_DAYS), TODAY,
         f"is {MAX_ATTRIBUTION_PERIOD_DAYS + 1:,} days; the longest period is "
         f"{MAX_ATTRIBUTION_PERIOD_DAYS:,} days"),
        (TODAY, TODAY - dt.timedelta(days=1), "is after period_end"),
    ],
)
def test_a_report_period_out_of_bounds_is_refused_naming_the_parameter(start, end, expected):
    with pytest.raises(ParameterError, match="invalid build_attribution_report parameters") as e:
        parse_attribution_request(period_start=start, period_end=end, **REPORT)
    assert expected in str(e.value)


@pytest.mark.parametrize(
    "parameters, expected",
    [
        ({"start_date": dt.date.min}, "start_date: 0001-01-01 is before 2000-01-01"),
        ({"end_date": dt.date(1999, 12, 31)}, "end_date: 1999-12-31 is before 2000-01-01"),
        ({"start_date": dt.date.max}, "start_date: 9999-12-31 is in the future"),
        ({"end_date": TODAY + dt.timedelta(days=1)}, "in the future (reports end at yesterday)"),
    ],
)
def test_an_extract_range_out_of_bounds_is_refused_naming_the_parameter(parameters, expected):
    with pytest.raises(ParameterError, match="invalid extract_ads parameters") as e:
        parse_extract_request(**parameters)
    assert expected in str(e.value)


def test_the_default_period_is_30_days_to_yesterday_and_never_overflows():
    yesterday = TODAY - dt.timedelta(days=1)
    assert default_period(None, None, yesterday) == (yesterday - dt.timedelta(days=29),
                                                     yesterday)
    # An end too early for the default length is handed on unchanged, for the model to name.
    assert default_period(None, dt.date.min, yesterday) == (dt.date.min, dt.date.min)
    with pytest.raises(ParameterError, match="period_end: 0001-01-01 is before"):
        parse_attribution_request(period_start=dt.date.min, period_end=dt.date.min, **REPORT)


days = st.dates(min_value=dt.date.min, max_value=dt.date.max)


@given(start=st.none() | days, end=st.none() | days,
       lookback=st.integers(-5, 400), acquisition=st.integers(-5, 400))
def test_any_report_period_is_accepted_within_bounds_or_refused_with_a_parameter_error(
    start, end, lookback, acquisition
):
    period_start, period_end = default_period(start, end, TODAY - dt.timedelta(days=1))
    try:
        request = parse_attribution_request(
            period_start=period_start, period_end=period_end, models=("linear",),
            lookback_days=lookback, acquisition_lookback_days=acquisition)
    except ParameterError:
        return
    assert EARLIEST_DATE <= request.period_start <= request.period_end <= TODAY
    assert (request.period_end - request.period_start).days < MAX_ATTRIBUTION_PERIOD_DAYS
    # What the flow then computes cannot overflow: the journeys' lookback and the day after.
    assert request.period_start - dt.timedelta(days=request.lookback_days) >= dt.date(1999, 1, 1)
    assert request.period_end + dt.timedelta(days=1) <= TODAY + dt.timedelta(days=1)


@given(start=st.none() | days, end=st.none() | days, lookback=st.none() | st.integers(-5, 800),
       platform=st.sampled_from(["meta_ads", "google_ads", "offline_conversions"]))
def test_any_extract_range_is_accepted_within_bounds_or_refused_with_a_parameter_error(
    start, end, lookback, platform
):
    try:
        request = parse_extract_request(platforms=[platform], start_date=start, end_date=end,
                                        lookback_days=lookback)
    except ParameterError:
        return
    for day in (request.start_date, request.end_date):
        assert day is None or EARLIEST_DATE <= day <= TODAY
    if request.start_date is not None and request.lookback_days is not None:
        assert request.start_date - dt.timedelta(days=request.lookback_days) > dt.date.min
