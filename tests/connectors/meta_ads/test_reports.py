"""Async insights reports against a tiny scripted Graph (the emulator covers the happy path)."""

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from connectors.errors import ReportJobError
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.streams import AccountInfo, DateWindow
from tests.connectors.fakes import FakeClock, json_response

ACCOUNT = AccountInfo("act_1001", "A", "EUR", "Europe/Berlin")


def insight(day: date, ad: str = "3", **over: Any) -> dict[str, Any]:
    row = {
        "account_id": "1001",
        "account_currency": "EUR",
        "campaign_id": "1",
        "adset_id": "2",
        "ad_id": ad,
        "date_start": day.isoformat(),
        "date_stop": day.isoformat(),
        "spend": "1.50",
        "impressions": "100",
        "clicks": "2",
        "actions": [{"action_type": "purchase", "value": "1"}],
        "action_values": [{"action_type": "purchase", "value": "9.99"}],
    }
    row.update(over)
    return row


class FakeReports:
    """POST insights -> run id; polls advance; ``fail`` decides which runs fail."""

    def __init__(
        self,
        fail: Callable[[date, date, int], bool] = lambda since, until, n: False,
        polls_needed: int = 2,
        extra_rows: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.fail = fail
        self.polls_needed = polls_needed
        self.runs: dict[str, dict[str, Any]] = {}
        self.started: list[tuple[date, date]] = []
        self.extra_rows = list(extra_rows)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/insights"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            assert form["level"] == "ad" and form["time_increment"] == "1"
            assert json.loads(form["action_attribution_windows"]) == ["7d_click", "1d_view"]
            tr = json.loads(form["time_range"])
            since, until = date.fromisoformat(tr["since"]), date.fromisoformat(tr["until"])
            self.started.append((since, until))
            n = sum(1 for s in self.started if s == (since, until))
            run_id = str(900 + len(self.started))
            self.runs[run_id] = {
                "since": since,
                "until": until,
                "polls": 0,
                "failed": self.fail(since, until, n),
            }
            return json_response(200, {"report_run_id": run_id})
        parts = path.strip("/").split("/")
        run = self.runs[parts[1]]
        if len(parts) == 2:
            run["polls"] += 1
            if run["polls"] < self.polls_needed:
                status = "Job Running"
            else:
                status = "Job Failed" if run["failed"] else "Job Completed"
            return json_response(
                200, {"id": parts[1], "async_status": status, "async_percent_completion": 50}
            )
        days = (run["until"] - run["since"]).days + 1
        rows = [insight(run["since"] + timedelta(days=i)) for i in range(days)]
        return json_response(200, {"data": rows + self.extra_rows})


def connector(handler, clock=None, **settings) -> tuple[MetaAdsConnector, FakeClock]:
    clock = clock or FakeClock(datetime(2026, 11, 20, 12, tzinfo=UTC))
    c = MetaAdsConnector(
        MetaAdsSettings(
            access_token=SecretStr("tok-reports-1"), requests_per_second=1000, **settings
        ),
        transport=httpx.MockTransport(handler),
        sleep=clock.sleep,
        clock=clock,
    )
    return c, clock


def test_report_rows_are_parsed():
    fake = FakeReports()
    c, _ = connector(fake)
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 3)))
    assert [r["date"] for r in result.rows] == [date(2026, 11, d) for d in (1, 2, 3)]
    row = result.rows[0]
    assert row["account_id"] == "act_1001" and row["ad_set_id"] == "2"
    assert row["conversions"] == 1 and str(row["conversion_value"]) == "9.99"
    assert row["attribution_setting"] == "7d_click_1d_view" and row["currency"] == "EUR"


def test_window_end_is_clamped_to_yesterday_in_the_account_zone():
    fake = FakeReports()
    # 23:30 UTC is already Nov 21 in Berlin: yesterday there is Nov 20.
    c, _ = connector(fake, FakeClock(datetime(2026, 11, 20, 23, 30, tzinfo=UTC)))
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 15), date(2026, 12, 1)))
    assert fake.started == [(date(2026, 11, 15), date(2026, 11, 20))]
    assert result.window == DateWindow(date(2026, 11, 15), date(2026, 11, 20))
    future = c.read(
        "ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 25), date(2026, 11, 26))
    )
    assert future.rows == [] and future.window is None


def test_default_window_is_the_last_initial_days():
    fake = FakeReports()
    c, _ = connector(fake, initial_days=7)
    c.read("ad_insights_daily", ACCOUNT)
    assert fake.started == [(date(2026, 11, 13), date(2026, 11, 19))]


def test_failed_job_is_retried_once_then_split_in_halves():
    # The 8-day range always fails; its halves succeed.
    fake = FakeReports(fail=lambda since, until, n: (until - since).days == 7)
    c, _ = connector(fake)
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 8)))
    assert fake.started == [
        (date(2026, 11, 1), date(2026, 11, 8)),
        (date(2026, 11, 1), date(2026, 11, 8)),
        (date(2026, 11, 1), date(2026, 11, 4)),
        (date(2026, 11, 5), date(2026, 11, 8)),
    ]
    assert len(result.rows) == 8 and not result.rejects


def test_a_job_that_fails_once_succeeds_on_retry():
    fake = FakeReports(fail=lambda since, until, n: n == 1)
    c, _ = connector(fake)
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 2)))
    assert len(fake.started) == 2 and len(result.rows) == 2


def test_a_single_day_that_keeps_failing_raises():
    fake = FakeReports(fail=lambda since, until, n: True)
    c, _ = connector(fake, report_max_split_depth=1)
    with pytest.raises(ReportJobError, match="twice"):
        c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 4)))
    # 4 days: 2 tries, then halves of 2 days each: 2 tries for the first, which fails for good.
    assert len(fake.started) == 4


def test_polling_backs_off_exponentially_with_a_cap_and_times_out():
    fake = FakeReports(polls_needed=10**9)
    c, clock = connector(
        fake,
        report_poll_initial_seconds=1,
        report_poll_max_seconds=8,
        report_timeout_seconds=60,
    )
    with pytest.raises(ReportJobError, match="still 'Job Running'"):
        c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 1)))
    polls = [s for s in clock.sleeps if s >= 1]
    assert polls[:5] == [1, 2, 4, 8, 8]
    assert sum(polls) <= 60


def test_bad_and_out_of_window_rows_become_rejects_with_locations():
    bad = insight(date(2026, 11, 1), ad="4", spend="12,3x")
    outside = insight(date(2026, 10, 1), ad="5")
    fake = FakeReports(extra_rows=[bad, outside])
    c, _ = connector(fake)
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 2)))
    assert len(result.rows) == 2
    assert [r.location.index for r in result.rejects] == [2, 3]
    assert all(r.location.page == 1 and r.stream == "ad_insights_daily" for r in result.rejects)
    assert "spend" in result.rejects[0].error
    assert "outside the window" in result.rejects[1].error
    assert json.loads(result.rejects[0].raw_json)["spend"] == "12,3x"


def test_conflicting_duplicate_keys_become_rejects():
    dup = insight(date(2026, 11, 1), spend="9.99")
    fake = FakeReports(extra_rows=[dup])
    c, _ = connector(fake)
    result = c.read("ad_insights_daily", ACCOUNT, DateWindow(date(2026, 11, 1), date(2026, 11, 1)))
    assert len(result.rows) == 1 and len(result.rejects) == 1
    assert "duplicate primary key" in result.rejects[0].error
    assert (result.rejects[0].location.page, result.rejects[0].location.index) == (1, 1)
