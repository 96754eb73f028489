"""The Prefect global concurrency limits campaign-ops relies on, declared in one place.

Prefect's `concurrency()` and `rate_limit()` silently proceed when a limit does not exist unless
`strict=True`; every call in campaign-ops is strict, so the limits must exist before a flow
takes a slot. Flows create any that are missing (`tasks.limits.ensure_concurrency_limits`).
"""

from __future__ import annotations

WAREHOUSE_WRITER = "warehouse-writer"
"""DuckDB allows one writing process per file: every warehouse write holds this slot."""

EXTRACT_SLOTS_PER_PLATFORM = 4
"""Accounts of one platform extracted at the same time (each has its own client-side limiter)."""


def extract_limit_name(platform: str) -> str:
    """Name of the limit that caps parallel account extracts for one platform."""
    return f"extract-{platform}"


def limits_for(platforms: list[str]) -> dict[str, int]:
    """Limits (name -> slots) an extract over `platforms` needs."""
    limits = {WAREHOUSE_WRITER: 1}
    for platform in platforms:
        limits[extract_limit_name(platform)] = EXTRACT_SLOTS_PER_PLATFORM
    return limits
