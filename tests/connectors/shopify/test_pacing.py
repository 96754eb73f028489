"""The connector paces itself from extensions.cost, and retries THROTTLED after the right wait."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from connectors.calllog import CallRecorder
from connectors.errors import RateLimitError
from connectors.streams import DateWindow
from emulators.shopify import ShopifyQuota
from tests.connectors.fakes import FakeClock
from tests.connectors.shopify.contract_target import NOW, shopify_connector, shopify_emulator

WINDOW = DateWindow(date(2026, 10, 1), NOW.date())


def _wired(quota: ShopifyQuota, **overrides):
    clock = FakeClock(NOW)
    emulator = shopify_emulator(None, quota=quota)
    connector = shopify_connector(emulator, clock, CallRecorder(), None, **overrides)
    return emulator, clock, connector


def test_a_long_read_stays_under_the_bucket_without_a_single_throttle():
    # A small bucket: every orders page requests 852 points and only one fits at a time.
    emulator, clock, connector = _wired(
        ShopifyQuota(maximum_available=1000, restore_rate=50), orders_page_size=50
    )
    account = connector.list_accounts()[0]
    result = connector.read("orders", account, WINDOW)
    lines = connector.read("order_line_items", account, WINDOW)
    connector.close()

    pages = [c for c in connector.recorder.calls if c.endpoint.endswith("graphql.json")]
    assert len(result.rows) > 150 and len(lines.rows) > len(result.rows)
    assert len(pages) > 10
    assert emulator.throttled == 0
    assert all(c.error is None for c in connector.recorder.calls)
    # It really waited for the bucket to refill (seconds of fake time), instead of hammering.
    assert connector.pacer.waited_seconds > 60
    assert clock.now - NOW >= timedelta(seconds=connector.pacer.waited_seconds)
    assert min(c.throttle_headroom for c in pages if c.throttle_headroom is not None) < 0.5


def test_throttled_is_retried_after_the_wait_the_cost_and_restore_rate_give():
    emulator, clock, connector = _wired(ShopifyQuota(), orders_page_size=50)
    account = connector.list_accounts()[0]
    emulator.bucket().drain()  # another job of the same app spent the bucket
    result = connector.read("orders", account, DateWindow(NOW.date(), NOW.date()))
    connector.close()

    assert result.rows
    calls = connector.recorder.calls[1:]  # after list_accounts
    assert calls[0].error is not None and calls[0].error.startswith("RateLimitError: ")
    assert "THROTTLED" in calls[0].error
    assert calls[1].error is None and calls[1].attempt == 2
    assert emulator.throttled == 1
    # (requested 852 - available 0 + 1 point of margin) / 100 points per second
    assert pytest.approx(8.53) in clock.sleeps
    # The emulator's bucket runs on the same fake clock: one wait was enough, and not more.
    assert sum(clock.sleeps) < 8.53 + 1


def test_throttles_that_outlast_the_retries_surface_as_retryable():
    emulator, _clock, connector = _wired(
        ShopifyQuota(maximum_available=2000, restore_rate=0.001), orders_page_size=50
    )
    account = connector.list_accounts()[0]
    emulator.bucket().drain()
    with pytest.raises(RateLimitError) as info:
        connector.read("orders", account, WINDOW)
    connector.close()
    assert info.value.retryable
    assert "THROTTLED" in str(info.value)
