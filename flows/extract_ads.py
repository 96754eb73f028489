"""The ads extract: platforms' objects and daily insights into the quality-gated warehouse.

Per platform: list accounts → read cursors → extract every account in parallel (a strict
concurrency limit per platform) into immutable landing files → load each account as soon as
its extract finishes (one warehouse writer at a time): stage, quality gate, publish or
quarantine. A quarantined account does not stop the others; the run fails at the end and says
which batches were set aside and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.context import FlowRunContext
from prefect.futures import as_completed

from deployments import environments
from deployments.limits import limits_for
from flows.parameters import Platform, parse_extract_request
from tasks.extract import ExtractedAccount, extract_account, list_accounts
from tasks.limits import ensure_concurrency_limits
from tasks.load import (
    DataQualityError,
    LoadOutcome,
    count_warehouse_rows,
    load_account,
    quality_outcomes,
    read_cursors,
)
from tasks.reporting import ExtractSummary, TableLoad, call_stats, publish_run_artifacts


class ExtractFailed(RuntimeError):
    """One or more account batches were quarantined or failed; the others were published."""

    def __init__(self, message: str, summary: ExtractSummary) -> None:
        super().__init__(message)
        self.summary = summary


@flow(name="extract-ads", log_prints=True)
def extract_ads(
    platforms: list[Platform] = ["meta_ads", "google_ads", "linkedin_ads"],  # noqa: B006
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
        platforms=platforms,
        accounts=accounts,
        start_date=start_date,
        end_date=end_date,
        lookback_days=lookback_days,
        full_refresh=full_refresh,
    )
    logger = get_run_logger()
    environment = environments.current()
    context = FlowRunContext.get()
    run_id = (
        str(context.flow_run.id)
        if context and context.flow_run
        else dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    )
    logger.info("extract-ads on %s", environment.describe())
    ensure_concurrency_limits(limits_for(list(request.platforms)))

    summary = ExtractSummary(
        run_id=run_id, environment=environment.name, warehouse_path=str(environment.warehouse_path)
    )
    futures = []
    for platform in request.platforms:
        listing = list_accounts(platform, environment, request.accounts)
        cursors = read_cursors(environment, listing, run_id)
        summary.calls.append(call_stats(platform, "(account listing)", list(listing.api_calls)))
        for account in listing.accounts:
            futures.append(
                extract_account.submit(
                    platform,
                    account,
                    environment,
                    run_id,
                    cursors[account.id],
                    request.start_date,
                    request.end_date,
                    request.lookback_days,
                    request.full_refresh,
                )
            )

    progress: UUID = create_progress_artifact(  # type: ignore[assignment]  # sync in a sync flow
        0.0, key="extract-progress", description=f"Accounts loaded (of {len(futures)})"
    )
    done = 0
    for future in as_completed(futures):
        done += 1
        extracted = future.result(raise_on_failure=False)
        if not isinstance(extracted, ExtractedAccount):
            summary.failures.append(f"extract failed: {extracted}")
            update_progress_artifact(progress, 100.0 * done / len(futures))
            continue
        _record_extract(summary, extracted)
        load_state = load_account(extracted, environment, return_state=True)
        _record_load(summary, extracted, load_state.result(raise_on_failure=False))
        update_progress_artifact(progress, 100.0 * done / len(futures))

    summary.totals = count_warehouse_rows(environment, ["core", *request.platforms])
    publish_run_artifacts(summary)
    if summary.failures:
        raise ExtractFailed(
            f"{len(summary.failures)} batch(es) not published: " + " | ".join(summary.failures),
            summary,
        )
    return summary


def _record_extract(summary: ExtractSummary, extracted: ExtractedAccount) -> None:
    summary.calls.append(
        call_stats(extracted.platform, extracted.account.id, list(extracted.api_calls))
    )
    if extracted.window is not None:
        summary.windows[f"{extracted.platform} {extracted.account.id}"] = str(extracted.window)


def _record_load(summary: ExtractSummary, extracted: ExtractedAccount, outcome: Any) -> None:
    if isinstance(outcome, LoadOutcome):
        summary.loads.extend(outcome.loads)
        summary.checks.extend(outcome.checks)
        return
    if isinstance(outcome, DataQualityError):
        summary.checks.extend(quality_outcomes(outcome.report))
        summary.loads.extend(
            TableLoad(
                platform=extracted.platform,
                account_id=extracted.account.id,
                table=table,
                rows=rows,
                status="quarantined",
            )
            for table, rows in extracted.rows.items()
        )
    summary.failures.append(str(outcome))
