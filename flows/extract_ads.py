"""The ads extract: platforms' objects and daily insights into the quality-gated warehouse.

The work is :func:`flows._extract.run_extract`; this flow names the ad platforms and their
parameters (the form the Prefect UI shows).
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows._extract import ExtractFailed, run_extract
from flows.parameters import PLATFORMS, Platform, parse_extract_request
from tasks.reporting import ExtractSummary

__all__ = ["ExtractFailed", "extract_ads"]


@flow(name="extract-ads", log_prints=True)
def extract_ads(
    platforms: list[Platform] = list(PLATFORMS),  # noqa: B006
    accounts: list[str] | None = None,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    lookback_days: int | None = None,
    full_refresh: bool = False,
) -> ExtractSummary:
    """Extract ad platforms into the warehouse.

    Args:
        platforms: platforms to read (connector names).
        accounts: only these account ids (e.g. `act_1001`); all readable accounts when empty.
        start_date: first report day (default: cursor minus lookback, or the initial window).
        end_date: last report day (default and maximum: yesterday in each account's time zone).
        lookback_days: days re-read before the cursor for late conversions (default: the
            platform's, 28 for Meta).
        full_refresh: ignore the cursor and reload from `start_date`.

    """
    request = parse_extract_request(
        "extract_ads",
        platforms=platforms,
        accounts=accounts,
        start_date=start_date,
        end_date=end_date,
        lookback_days=lookback_days,
        full_refresh=full_refresh,
    )
    return run_extract(request, "extract-ads")
