"""The connector contract suite: every connector must pass it, unchanged, against its emulator.

A platform joins by declaring its :class:`ContractTarget` as ``TARGET`` in
``tests/connectors/<platform>/contract_target.py`` (found by :func:`discover_targets`). The
suite only uses the public connector API (``list_accounts``, ``streams``, ``read``,
``recorder``, ``close``) and the emulator contract (``transport()``, ``faults``,
``request_log``), so it needs nothing platform specific beyond the target's factories.

What it checks: accounts are listed; streams are declared consistently; rows have non-null,
unique primary keys and match their model; report rows stay inside the window and never
after yesterday in the account's time zone; reads span several pages; 20% injected
429/5xx/timeouts (and the platform's own throttles, and truncated JSON) give the same data as
a clean run; an expired token is refreshed; a repeated cursor raises PaginationError with a
clear message; malformed JSON is classified; bad records become rejects with a location; every
call is recorded; no secret reaches a log line, an error or the call log.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import logging
import pkgutil
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest

from connectors.calllog import CallRecorder
from connectors.errors import (
    ConnectorError,
    MalformedResponseError,
    PaginationError,
    TokenExpiredError,
)
from connectors.streams import AccountInfo, DateWindow, StreamResult, StreamSpec
from connectors.windows import yesterday_in
from emulators.faults import FaultConfig
from tests.connectors.fakes import FakeClock

TRANSIENT = ("http_429", "http_500", "http_503", "timeout")


class Connector(Protocol):
    """What the suite needs from a connector."""

    recorder: CallRecorder

    def list_accounts(self) -> list[AccountInfo]: ...
    def streams(self) -> list[StreamSpec]: ...
    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None
    ) -> StreamResult: ...
    def close(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class ContractTarget:
    """One platform under contract.

    Attributes:
        platform: platform name (connector, emulator and warehouse schema).
        make_emulator: ``(faults) -> emulator``: a fresh, seeded emulator whose market clock is
            fixed at ``now``; the same seed every time, so two emulators serve the same data.
        make_connector: ``(emulator, clock, recorder, base_url) -> connector``; with
            ``base_url=None`` it uses ``emulator.transport()``, else real HTTP to that URL.
            It must pass ``clock`` and ``clock.sleep`` so tests never sleep, and configure
            object pages of at most ``page_size`` records.
        now: the instant the emulator's market sees.
        page_size: the object page size the connector is configured with.
        secrets: credential values planted in the emulator and connector (canaries).
        extra_secrets: secrets the emulator issued during a test (e.g. refreshed tokens).
        report_days: length of the report window the suite reads.
    """

    platform: str
    make_emulator: Callable[[FaultConfig | None], Any]
    make_connector: Callable[[Any, FakeClock, CallRecorder, str | None], Connector]
    now: datetime
    page_size: int
    secrets: tuple[str, ...]
    extra_secrets: Callable[[Any], Sequence[str]] = lambda _emulator: ()
    report_days: int = 10


def discover_targets() -> dict[str, ContractTarget]:
    """Return every platform's ``TARGET`` from ``tests/connectors/<platform>/contract_target.py``.

    Raises:
        TypeError: a ``contract_target`` module declares no ``TARGET`` ContractTarget.

    """
    import tests.connectors as package

    targets: dict[str, ContractTarget] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        name = f"{package.__name__}.{info.name}.contract_target"
        if not info.ispkg or importlib.util.find_spec(name) is None:
            continue
        target = getattr(importlib.import_module(name), "TARGET", None)
        if not isinstance(target, ContractTarget):
            raise TypeError(f"{name} must declare TARGET = ContractTarget(...)")
        targets[target.platform] = target
    return targets


@dataclasses.dataclass
class Run:
    """An emulator, a fake clock and a connector wired together."""

    target: ContractTarget
    emulator: Any
    clock: FakeClock
    connector: Connector

    def window(self) -> DateWindow:
        end = self.target.now.date() - timedelta(days=1)
        return DateWindow(end - timedelta(days=self.target.report_days - 1), end)

    def read(self, spec: StreamSpec, account: AccountInfo) -> StreamResult:
        return self.connector.read(spec.name, account, self.window() if spec.is_report else None)


def start(target: ContractTarget, faults: FaultConfig | None = None) -> Run:
    emulator = target.make_emulator(faults)
    clock = FakeClock(target.now)
    connector = target.make_connector(emulator, clock, CallRecorder(), None)
    return Run(target, emulator, clock, connector)


def keyed(spec: StreamSpec, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(row[k] for k in spec.primary_key): row for row in rows}


def leaks(text: str, secrets: Sequence[str]) -> list[str]:
    return [s[:6] + "..." for s in secrets if s and s in text]


class ConnectorContract:
    """The shared suite; a ``target`` fixture (a :class:`ContractTarget`) drives it."""

    @pytest.fixture
    def clean(self, target: ContractTarget):
        run = start(target)
        yield run
        run.connector.close()

    @pytest.fixture
    def accounts(self, target: ContractTarget) -> list[AccountInfo]:
        run = start(target)
        try:
            return run.connector.list_accounts()
        finally:
            run.connector.close()

    @pytest.fixture
    def clean_rows(
        self, target: ContractTarget, accounts: list[AccountInfo]
    ) -> dict[str, list[dict[str, Any]]]:
        run = start(target)
        try:
            return {s.name: run.read(s, accounts[0]).rows for s in run.connector.streams()}
        finally:
            run.connector.close()

    # ---------------------------------------------------------------- discovery

    def test_lists_accounts(self, accounts: list[AccountInfo]):
        assert accounts, "the emulator has accounts; list_accounts returned none"
        assert len({a.id for a in accounts}) == len(accounts)
        for account in accounts:
            assert account.id and account.name and len(account.currency) == 3
            ZoneInfo(account.timezone)

    def test_streams_are_declared(self, clean: Run, target: ContractTarget):
        specs = clean.connector.streams()
        assert len({s.name for s in specs}) == len(specs)
        assert any(s.is_report for s in specs), "a platform has at least one report stream"
        for spec in specs:
            fields = set(spec.model.model_fields)
            assert spec.table == f"{target.platform}.{spec.name}"
            assert spec.primary_key and set(spec.primary_key) <= fields
            if spec.cursor_field is not None:
                assert spec.cursor_field in fields and spec.cursor_field in spec.primary_key

    # ---------------------------------------------------------------- rows

    def test_rows_match_model_with_unique_non_null_keys(
        self, clean: Run, accounts: list[AccountInfo]
    ):
        for spec in clean.connector.streams():
            result = clean.read(spec, accounts[0])
            assert result.rows, f"{spec.name}: no rows from the emulator"
            assert not result.rejects, f"{spec.name}: rejects on clean data: {result.rejects[:2]}"
            fields = set(spec.model.model_fields)
            for row in result.rows:
                assert set(row) == fields, f"{spec.name}: columns {sorted(set(row) ^ fields)}"
                assert spec.model.model_validate(row).model_dump() == row
                assert all(row[k] is not None for k in spec.primary_key)
            assert len(keyed(spec, result.rows)) == len(result.rows), f"{spec.name}: duplicate keys"
            for row in result.rows:
                for value in row.values():
                    if isinstance(value, datetime):
                        assert value.utcoffset() == timedelta(0), f"{spec.name}: non-UTC {value}"

    def test_report_rows_stay_inside_the_window_and_before_today(
        self, clean: Run, accounts: list[AccountInfo], target: ContractTarget
    ):
        today = target.now.date()
        asked = DateWindow(today - timedelta(days=target.report_days), today + timedelta(days=5))
        for spec in (s for s in clean.connector.streams() if s.is_report):
            for account in accounts:
                last = yesterday_in(account.timezone, clean.clock())
                last += timedelta(days=1 if spec.through_today else 0)
                result = clean.connector.read(spec.name, account, asked)
                assert result.rows, f"{spec.name} {account.id}: no rows"
                assert result.window is not None and result.window.end <= last
                for row in result.rows:
                    day = row[str(spec.cursor_field)]
                    assert isinstance(day, date)
                    assert asked.start <= day <= last, f"{spec.name}: {day} outside"

    def test_reads_span_several_pages(
        self, clean: Run, accounts: list[AccountInfo], target: ContractTarget
    ):
        multi_page = 0
        for spec in clean.connector.streams():
            before = len(clean.connector.recorder)
            result = clean.read(spec, accounts[0])
            calls = clean.connector.recorder.calls[before:]
            by_endpoint: dict[str, int] = {}
            for call in calls:
                # Pages may be GETs (Graph, Rest.li) or POSTs with a body token (Google Ads).
                if call.error is None:
                    by_endpoint[call.endpoint] = by_endpoint.get(call.endpoint, 0) + 1
            if not spec.is_report and len(result.rows) > target.page_size:
                # Entity listings are paged at page_size: more rows need more calls.
                assert max(by_endpoint.values()) >= -(-len(result.rows) // target.page_size)
                multi_page += 1
        assert multi_page, "no stream was read over more than one page"

    # ---------------------------------------------------------------- faults

    @pytest.mark.parametrize(
        "faults",
        [
            FaultConfig(rate=0.2, kinds=TRANSIENT, seed=11),
            FaultConfig(rate=0.2, kinds=TRANSIENT, seed=12),
            FaultConfig(rate=0.2, kinds=("throttle",), seed=13),
            FaultConfig(rate=0.3, kinds=("malformed_json",), seed=14),
        ],
        ids=["transient-a", "transient-b", "throttle", "malformed-json"],
    )
    def test_same_data_with_injected_faults(
        self,
        target: ContractTarget,
        accounts: list[AccountInfo],
        clean_rows: dict[str, list[dict[str, Any]]],
        faults: FaultConfig,
    ):
        run = start(target, faults)
        try:
            for spec in run.connector.streams():
                result = run.read(spec, accounts[0])
                assert not result.rejects
                assert keyed(spec, result.rows) == keyed(spec, clean_rows[spec.name]), spec.name
        finally:
            run.connector.close()
        injected = run.emulator.faults.injected
        assert injected, "no fault was injected: the test proves nothing"
        failed = [c for c in run.connector.recorder.calls if c.error is not None]
        assert len(failed) >= len(injected)
        assert max(c.attempt for c in run.connector.recorder.calls) >= 2

    def test_expired_token_is_refreshed(
        self,
        target: ContractTarget,
        accounts: list[AccountInfo],
        clean_rows: dict[str, list[dict[str, Any]]],
    ):
        run = start(target, FaultConfig(rate=1.0, kinds=("expired_token",), max_faults=1))
        try:
            spec = next(s for s in run.connector.streams() if not s.is_report)
            result = run.read(spec, accounts[0])
        finally:
            run.connector.close()
        assert keyed(spec, result.rows) == keyed(spec, clean_rows[spec.name])
        errors = [c.error_class for c in run.connector.recorder.calls]
        assert errors[:2] == ["TokenExpiredError", None]
        assert run.target.extra_secrets(run.emulator), "no new token was issued"

    def test_token_expired_twice_in_a_row_is_fatal(
        self, target: ContractTarget, accounts: list[AccountInfo]
    ):
        run = start(target, FaultConfig(rate=1.0, kinds=("expired_token",), max_faults=2))
        try:
            spec = next(s for s in run.connector.streams() if not s.is_report)
            with pytest.raises(TokenExpiredError) as info:
                run.read(spec, accounts[0])
        finally:
            run.connector.close()
        assert not info.value.retryable
        assert [c.error_class for c in run.connector.recorder.calls] == ["TokenExpiredError"] * 2

    def test_repeated_cursor_raises_pagination_error(
        self, target: ContractTarget, accounts: list[AccountInfo]
    ):
        run = start(target, FaultConfig(rate=1.0, kinds=("repeated_cursor",)))
        paged = 0
        try:
            for spec in run.connector.streams():
                before = len(run.emulator.request_log)
                try:
                    run.read(spec, accounts[0])
                except PaginationError as exc:
                    assert "repeated cursor" in str(exc)
                    paged += 1
                # Detected at once: no loop over the same page.
                assert len(run.emulator.request_log) - before < 50
        finally:
            run.connector.close()
        assert paged, "no stream had a second page to repeat"

    def test_malformed_json_is_classified(
        self, target: ContractTarget, accounts: list[AccountInfo]
    ):
        run = start(target, FaultConfig(rate=1.0, kinds=("malformed_json",)))
        try:
            with pytest.raises(MalformedResponseError) as info:
                run.connector.list_accounts()
        finally:
            run.connector.close()
        assert info.value.retryable and info.value.attempts >= 2
        assert {c.error_class for c in run.connector.recorder.calls} == {"MalformedResponseError"}

    def test_bad_records_become_rejects(
        self,
        target: ContractTarget,
        accounts: list[AccountInfo],
        clean_rows: dict[str, list[dict[str, Any]]],
    ):
        run = start(target, FaultConfig(rate=1.0, kinds=("bad_record",)))
        rejected = 0
        try:
            for spec in run.connector.streams():
                result = run.read(spec, accounts[0])
                clean = keyed(spec, clean_rows[spec.name])
                for key, row in keyed(spec, result.rows).items():
                    assert clean.get(key) == row, f"{spec.name}: a corrupted row was kept"
                assert len(result.rows) + len(result.rejects) == len(clean), spec.name
                for reject in result.rejects:
                    assert reject.stream == spec.name and reject.error
                    assert reject.location.stream == spec.name
                    assert reject.location.page >= 1 and reject.location.index >= 0
                    json.loads(reject.raw_json)
                rejected += len(result.rejects)
        finally:
            run.connector.close()
        assert rejected, "no bad record was rejected"

    # ---------------------------------------------------------------- observability

    def test_calls_are_recorded(self, target: ContractTarget, accounts: list[AccountInfo]):
        run = start(target, FaultConfig(rate=0.2, kinds=TRANSIENT, seed=21))
        try:
            for spec in run.connector.streams():
                run.read(spec, accounts[0])
        finally:
            run.connector.close()
        calls = run.connector.recorder.calls
        assert len(calls) == len(run.emulator.request_log)
        for call in calls:
            assert call.platform == target.platform
            assert call.attempt >= 1 and call.latency_ms >= 0
            assert call.started_at.tzinfo is not None
            assert call.endpoint.startswith("/") and "?" not in call.endpoint
            assert call.method in ("GET", "POST")
            if call.error is None:
                assert call.status is not None and call.status < 400
            if call.status is None:
                assert call.error is not None and call.error_class == "RequestTimeoutError"
        assert any(c.throttle_headroom is not None for c in calls)
        assert any(c.account_id == accounts[0].id for c in calls)
        assert any(c.attempt > 1 for c in calls)

    def test_no_secret_in_logs_errors_or_call_log(
        self, target: ContractTarget, accounts: list[AccountInfo], caplog
    ):
        caplog.set_level(logging.DEBUG)
        texts: list[str] = []
        kinds = (*TRANSIENT, "expired_token", "malformed_json", "throttle", "repeated_cursor")
        run = start(target, FaultConfig(rate=0.5, kinds=kinds, seed=5))
        try:
            for spec in run.connector.streams():
                try:
                    run.read(spec, accounts[0])
                except ConnectorError as exc:
                    texts += [str(exc), repr(exc), str(exc.args)]
            run.connector.recorder.calls  # noqa: B018 - the snapshot below is what we check
            texts.append(
                json.dumps([c.as_row() for c in run.connector.recorder.calls], default=str)
            )
            texts.append(repr(run.connector))
        finally:
            run.connector.close()
        texts.append(caplog.text)
        secrets = (*target.secrets, *target.extra_secrets(run.emulator))
        assert not leaks("\n".join(texts), secrets)
        assert "HTTP Request" in caplog.text  # httpx really logged the (redacted) URLs

    # ---------------------------------------------------------------- loopback

    def test_reads_over_loopback_http(self, target: ContractTarget):
        from emulators.serve import serve_in_thread

        emulator = target.make_emulator(None)
        with serve_in_thread(emulator) as server:
            clock = FakeClock(target.now)
            connector = target.make_connector(emulator, clock, CallRecorder(), server.base_url)
            try:
                accounts = connector.list_accounts()
                report = next(s for s in connector.streams() if s.is_report)
                end = target.now.date() - timedelta(days=1)
                result = connector.read(report.name, accounts[0], DateWindow(end, end))
            finally:
                connector.close()
        assert accounts and result.rows
