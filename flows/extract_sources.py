"""The sources extract: CRM, web analytics, the shop and offline conversions into the warehouse.

People, sessions, orders and closed deals land in their platform tables and in the core
people, touchpoints, conversions and orders tables under the same quality gate as the ads
(:func:`flows._extract.run_extract`). Scheduled, run by hand, and triggered when the gateway
receives new offline conversions.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows._extract import ExtractFailed, run_extract
from flows.parameters import SOURCE_PLATFORMS, SourcePlatform, parse_extract_request
from tasks.reporting import ExtractSummary

__all__ = ["ExtractFailed", "extract_sources"]


@flow(name="extract-sources", log_prints=True)
def extract_sources(
    platforms: list[SourcePlatform] = list(SOURCE_PLATFORMS),  # noqa: B006
    accounts: list[str] | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    lookback_days: int | None = None,
    full_refresh: bool = False,
) -> ExtractSummary:
    """Extract CRM, analytics, commerce and offline-conversion sources into the warehouse.

    Args:
        platforms: sources to read.
        accounts: only these accounts (HubSpot portal id, GA4 property, shop, drop-folder
            source name); all readable ones when empty.
        start_date: first day (default: cursor minus lookback, or the initial window).
        end_date: last day (default: today for records by modification day, yesterday for
            daily reports).
        lookback_days: days re-read before the cursor (default: the source's own).
        full_refresh: ignore the cursor and reload from `start_date`.

    """
    request = parse_extract_request(
        "extract_sources",
        platforms=platforms,
        accounts=accounts,
        start_date=start_date,
        end_date=end_date,
        lookback_days=lookback_days,
        full_refresh=full_refresh,
    )
    return run_extract(request, "extract-sources")
