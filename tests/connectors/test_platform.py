"""What every platform connector shares: its stream lookup and the window of a read."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from connectors.errors import ConfigurationError
from connectors.registry import CONNECTORS
from connectors.streams import AccountInfo, DateWindow
from tests.connectors.fakes import FakeClock
from tests.connectors.test_http_settings import settings_of

NOW = datetime(2026, 3, 10, 2, tzinfo=UTC)  # still 9 March in New York
ACCOUNT = AccountInfo("1", "one", "USD", "America/New_York")


def connector(platform: str):
    cls: Any = CONNECTORS[platform].connector_cls  # the registry types it as BaseConnector
    return cls(settings_of(platform), clock=FakeClock(NOW))


@pytest.mark.parametrize("platform", sorted(CONNECTORS))
def test_streams_are_looked_up_by_name(platform):
    with connector(platform) as source:
        specs = source.streams()
        assert specs and all(source.stream(s.name) is s for s in specs)
        with pytest.raises(ConfigurationError, match=f"unknown {platform} stream 'nope'"):
            source.stream("nope")


@pytest.mark.parametrize("platform", sorted(CONNECTORS))
def test_a_read_window_ends_at_the_last_complete_day_in_the_account_zone(platform):
    with connector(platform) as source:
        for spec in (s for s in source.streams() if s.is_report):
            last = date(2026, 3, 9) if spec.through_today else date(2026, 3, 8)
            asked = DateWindow(date(2026, 3, 1), date(2026, 3, 31))
            assert source.clamp_window(ACCOUNT, asked, spec) == DateWindow(date(2026, 3, 1), last)
            late = DateWindow(date(2026, 3, 10), date(2026, 3, 11))
            assert source.clamp_window(ACCOUNT, late, spec) is None
            default = source.clamp_window(ACCOUNT, None, spec)
            assert default is not None and default.end == last
            assert default.days == source.settings.initial_days
