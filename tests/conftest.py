"""Shared fixtures: a real Prefect server (the test harness) for tests that need one.

Tests that touch deployments, concurrency limits, runs or artifacts take `prefect_server`; the
harness starts once per test process (about 20 s) on a fresh SQLite database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run `slow` tests only when asked for (`-m slow`; `.ci/run` runs that tier too)."""
    if "slow" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A real Prefect API for the whole test session; yields its URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())
