"""Bad input and bad settings end in one ``error:`` line and a non-zero exit, never a traceback.

The parameter models are checked in process (bounds, and hypothesis over any pair of days);
the CLI runs in subprocesses as a user runs it, each case failing before a Prefect server
starts, except one end-to-end case that runs the attribution flow on an empty period.
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
from tests.cli_env import cli_env

TODAY = dt.datetime.now(dt.UTC).date()
"""The day the parameter models take for today in this module. It is pinned (see the fixture
below): computed once at collection, it would otherwise disagree with the models' own clock
for a run that crosses midnight UTC, which CI did once."""
REPORT = {"models": ("linear",), "lookback_days": 90, "acquisition_lookback_days": 30}


# --------------------------------------------------------------------------- parameters


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("flows.parameters._today", lambda: TODAY)


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
    # An end out of bounds is handed on for the model to name, alone: the default start
    # counts back from yesterday (from 0001-01-01 the subtraction would overflow).
    default_start = yesterday - dt.timedelta(days=29)
    for end in (dt.date.min, dt.date(1999, 12, 31), TODAY + dt.timedelta(days=1), dt.date.max):
        assert default_period(None, end, yesterday) == (default_start, end)
        with pytest.raises(ParameterError, match=f"period_end: {end} is") as e:
            parse_attribution_request(period_start=default_start, period_end=end, **REPORT)
        assert "period_start" not in str(e.value)


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


# --------------------------------------------------------------------------- the CLI

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres:s3cret@127.0.0.1:5999/campaign_ops"


_env = cli_env


def _cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
         timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT,
                          env=_env(tmp_path, env), capture_output=True, text=True,
                          timeout=timeout)


def _one_error_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    """Assert a refusal as the user sees it; return its ``error:`` line."""
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output[-3000:]
    for part in expected:
        assert part in errors[0], errors[0]
    return errors[0]


def _refused_before_prefect(done: subprocess.CompletedProcess[str], *expected: str,
                            code: int = 1) -> str:
    line = _one_error_line(done, *expected)
    assert done.returncode == code, done.stderr
    assert "Starting temporary server" not in done.stdout + done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr  # the error line and nothing else
    return line


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _duckdb_file(path: Path) -> Path:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(path)).close()
    return path


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--start", "0001-01-01", "--end", "9999-12-31"],
         ["period_start: 0001-01-01 is before 2000-01-01", "period_end: 9999-12-31 is in the"]),
        (["--end", "2099-12-31"], ["parameters: period_end: 2099-12-31 is in the future"]),
        (["--end", "0001-01-01"], ["parameters: period_end: 0001-01-01 is before 2000-01-01"]),
        (["--start", "1999-12-31", "--end", "2000-01-31"], ["period_start: 1999-12-31"]),
        (["--start", "2001-01-01"], ["the longest period is 1,098 days"]),
        (["--start", "2026-11-10", "--end", "2026-11-01"], ["is after period_end 2026-11-01"]),
        (["--lookback-days", "30", "--acquisition-lookback-days", "60"],
         ["acquisition_lookback_days 60 exceeds lookback_days 30"]),
    ],
)
def test_attribution_refuses_impossible_periods(tmp_path, args, expected):
    done = _cli(tmp_path, "attribution", *args)
    _refused_before_prefect(done, "invalid build_attribution_report parameters", *expected)
    assert not (tmp_path / "wh").exists()  # nothing opened


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--start", "2026-02-30"], ["'--start'", "'2026-02-30' is not a day"]),
        (["--end", "yesterday"], ["'--end'", "'yesterday' is not a day"]),
        (["--lookback-days", "0"], ["'--lookback-days'"]),
        (["--markov-order", "9"], ["'--markov-order'"]),
        (["--model", "crystal_ball"], ["'--model'", "unknown model(s) crystal_ball"]),
        (["--start"], ["'--start' requires an argument"]),
    ],
)
def test_attribution_usage_errors_are_one_line_too(tmp_path, args, expected):
    _refused_before_prefect(_cli(tmp_path, "attribution", *args), *expected, code=2)


def test_attribution_refuses_bad_settings(tmp_path):
    cases = [
        ({"CAMPAIGN_OPS_ENV": "bogus"}, "CAMPAIGN_OPS_ENV: Input should be 'sandbox' or 'live'"),
        ({"CAMPAIGN_OPS_REPORTING_CURRENCY": "XYZ"}, "'XYZ' is not an ISO 4217 code"),
        ({}, "no warehouse at"),
        ({"CAMPAIGN_OPS_WAREHOUSE": str(tmp_path)}, "is a folder, not a DuckDB file"),
        ({"CAMPAIGN_OPS_WAREHOUSE": __file__}, "is not a DuckDB database file"),
    ]
    for env, expected in cases:
        _refused_before_prefect(_cli(tmp_path, "attribution", env=env), expected)
    warehouse = str(_duckdb_file(tmp_path / "wh" / "warehouse.duckdb"))
    cases = [
        ({"CAMPAIGN_OPS_STORE_URL": "not a url"},
         "CAMPAIGN_OPS_STORE_URL: store URL is not a SQLAlchemy URL"),
        ({"CAMPAIGN_OPS_STORE_URL": UNREACHABLE_POSTGRES}, "127.0.0.1:5999"),
        ({"PREFECT_API_URL": "not a url"}, "PREFECT_API_URL='not a url' is not an http(s) URL"),
        ({"PREFECT_API_URL": f"http://127.0.0.1:{_free_port()}/api"},
         "PREFECT_API_URL: no Prefect API answers at"),
    ]
    for env, expected in cases:
        line = _refused_before_prefect(
            _cli(tmp_path, "attribution", env={"CAMPAIGN_OPS_WAREHOUSE": warehouse, **env}),
            expected)
        assert "s3cret" not in line


def test_demo_refuses_unusable_places_before_starting_prefect(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    cases = [
        (["--warehouse", str(a_file / "wh.duckdb")], {},
         f"--warehouse: {a_file} is a file, not a folder"),
        (["--warehouse", str(tmp_path)], {}, "--warehouse: "),
        ([], {"CAMPAIGN_OPS_WAREHOUSE": str(a_file / "deeper" / "wh.duckdb")},
         "CAMPAIGN_OPS_WAREHOUSE: cannot create the folder"),
        ([], {"CAMPAIGN_OPS_DATA_DIR": str(a_file)}, "CAMPAIGN_OPS_DATA_DIR: "),
        ([], {"CAMPAIGN_OPS_REPORTING_CURRENCY": "EURO"},
         "'EURO' is not a three-letter ISO 4217 code"),
        ([], {"CAMPAIGN_OPS_STORE_URL": UNREACHABLE_POSTGRES}, "CAMPAIGN_OPS_STORE_URL: store"),
        ([], {"PREFECT_API_URL": "ftp://127.0.0.1/api"}, "is not an http(s) URL"),
    ]
    for args, env, expected in cases:
        _refused_before_prefect(_cli(tmp_path, "demo", *args, env=env), expected)
    _refused_before_prefect(_cli(tmp_path, "demo", "-p", "tiktok"), "unknown platform(s) tiktok",
                            code=2)


def test_sandbox_serve_refuses_a_taken_port_and_a_foreign_host(tmp_path, taken_port):
    cases = [
        (["--port", str(taken_port)], f"port {taken_port} on 127.0.0.1 is taken"),
        (["--host", "no-such-host.invalid"], "host 'no-such-host.invalid' does not resolve"),
        (["--host", "192.0.2.1"], "host 192.0.2.1 is not an address of this machine"),
    ]
    for args, expected in cases:
        _refused_before_prefect(_cli(tmp_path, "sandbox", "serve", *args), expected)
    for args in (["--fault-rate", "2"], ["--platform", "tiktok"], ["--port", "70000"]):
        _refused_before_prefect(_cli(tmp_path, "sandbox", "serve", *args), args[0], code=2)


def test_the_gateway_refuses_a_store_it_cannot_use(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a database")
    port = str(_free_port())
    cases = [
        ({"CAMPAIGN_OPS_STORE_URL": "not a url"},
         "CAMPAIGN_OPS_STORE_URL: store URL is not a SQLAlchemy URL"),
        ({"CAMPAIGN_OPS_STORE_URL": "nosuchdb://u@127.0.0.1/x"},
         "CAMPAIGN_OPS_STORE_URL: no database driver for store URL nosuchdb://"),
        ({"CAMPAIGN_OPS_STORE_URL": UNREACHABLE_POSTGRES},
         "store postgresql+psycopg://postgres:***@127.0.0.1:5999/campaign_ops failed"),
        ({"CAMPAIGN_OPS_STORE_URL": f"sqlite:///{a_file}/store.sqlite"},
         "cannot create the folder"),
        ({"CAMPAIGN_OPS_STORE_URL": f"sqlite:///{a_file}"}, "file is not a database"),
        ({"PREFECT_API_URL": "not a url"}, "PREFECT_API_URL: must be an http(s) URL"),
        ({"PREFECT_API_URL": "https://user:s3cret@prefect.example/api"},
         "PREFECT_API_URL: must be an http(s) URL"),
        ({"CAMPAIGN_OPS_GATEWAY_MAX_BODY_BYTES": "lots"}, "CAMPAIGN_OPS_GATEWAY_MAX_BODY_BYTES"),
        ({"CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": "x"}, "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS"),
    ]
    for env, expected in cases:
        line = _refused_before_prefect(_cli(tmp_path, "gateway", "--port", port, env=env),
                                       expected)
        assert "s3cret" not in line
    line = _refused_before_prefect(
        _cli(tmp_path, "gateway", "--port", port, "--store-url", "not a url"), "--store-url: ")
    assert not (ROOT / "data" / "not a url").exists(), line


def test_the_gateway_refuses_a_taken_port_before_opening_the_store(tmp_path, taken_port):
    store = tmp_path / "store" / "inbox.sqlite"
    done = _cli(tmp_path, "gateway", "--port", str(taken_port),
                env={"CAMPAIGN_OPS_STORE_URL": f"sqlite:///{store}"})
    _refused_before_prefect(done, f"port {taken_port} on 127.0.0.1 is taken", "--port")
    assert not store.exists()


def test_up_refuses_what_it_could_not_serve_before_starting_anything(tmp_path, taken_port):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    free = _free_port()
    while taken_port - 2 <= free <= taken_port + 3:  # not among the emulators' ports below
        free = _free_port()
    home = ["--prefect-home", str(tmp_path / "prefect")]
    cases = [
        (["--port", str(free)], {"CAMPAIGN_OPS_ENV": "bogus"}, "CAMPAIGN_OPS_ENV: Input should be"),
        (["--port", str(taken_port)], {}, f"port {taken_port} on 127.0.0.1 is taken"),
        (["--port", str(free), "--sandbox-port", str(taken_port - 2)], {},
         "choose another with --sandbox-port"),
        (["--port", str(free), "--sandbox-port", "65535"], {}, "beyond 65535"),
        (["--port", "8703", "--sandbox-port", "8701"], {}, "--port 8703 is one of the"),
        (["--port", str(free), "--prefect-home", str(a_file / "prefect")], {},
         "--prefect-home: "),
    ]
    for args, env, expected in cases:
        _refused_before_prefect(_cli(tmp_path, "up", *home, *args, env=env, timeout=30),
                                expected)
    assert not any((tmp_path / "prefect").glob("*.db"))


def test_an_unknown_command_is_one_line(tmp_path):
    _refused_before_prefect(_cli(tmp_path, "attributoin"), "No such command 'attributoin'",
                            code=2)


def test_the_store_names_a_sqlite_folder_it_cannot_create(tmp_path):
    import store

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(store.StoreError, match="cannot create the folder"):
        store.create_store_engine(f"sqlite:///{a_file}/inbox.sqlite")


# --------------------------------------------------------------------------- Prefect's logs


def test_the_console_shows_an_expected_error_without_its_traceback_and_a_bug_with_it():
    import io
    import logging

    from prefect.logging.handlers import PrefectConsoleHandler

    from deployments.cli_logging import hide_tracebacks_of

    root = logging.getLogger()
    stream = io.StringIO()
    console = PrefectConsoleHandler(stream=stream)
    api: list[object] = []  # stands for the API handler on prefect.flow_runs

    class Api(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            api.append(record.exc_info)

    logger = logging.getLogger("tests.hostile.flow_runs")
    logger.addHandler(Api())
    formatters = {handler: handler.formatter for handler in root.handlers}
    root.addHandler(console)
    try:
        hide_tracebacks_of(ParameterError)
        for error in (ParameterError("period_end: 2099-12-31 is in the future"), KeyError("x")):
            try:
                raise error
            except Exception:
                logger.exception("Encountered exception during execution: %r", error)
    finally:
        root.removeHandler(console)
        logger.handlers.clear()
        for handler, formatter in formatters.items():  # other tests keep Prefect's console
            handler.setFormatter(formatter)
    shown = stream.getvalue()
    assert "Encountered exception during execution: ParameterError('period_end" in shown
    assert shown.count("Traceback") == 1 and "KeyError: 'x'" in shown  # the bug keeps it
    assert len(api) == 2 and all(info is not None for info in api)  # the API keeps both


@pytest.mark.e2e
def test_an_empty_period_runs_the_flow_and_ends_in_one_line_without_prefects_traceback(
    tmp_path,
):
    from tests.flows.attribution_data import build_warehouse

    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    build_warehouse(warehouse)  # journeys in September 2026; none in January 2025
    done = _cli(tmp_path, "attribution", "--start", "2025-01-01", "--end", "2025-01-31",
                timeout=300)
    assert done.returncode == 1
    _one_error_line(done, "empty period: there are no journeys to attribute")
    output = done.stdout + done.stderr
    assert "Starting temporary server" in output  # the flow really ran, on a Prefect server
    # Prefect still says the run failed, in one line each for the task and the flow ...
    assert "Encountered exception during execution: AttributionInputError" in output
    # ... and the logs reached the server before it stopped.
    assert "Error logging to API" not in output
