"""The extract every source shares: list accounts, read cursors, extract, load, report.

Per platform: list accounts → read cursors → extract every account in parallel (a strict
concurrency limit per platform) into immutable landing files → load each account as soon as
its extract finishes (one warehouse writer at a time): stage, quality gate, publish or
quarantine. A quarantined account does not stop the others; the run fails at the end and says
which batches were set aside and why. ``extract_ads`` and ``extract_sources`` are thin flows
over :func:`run_extract`, which must be called inside a flow run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.context import FlowRunContext
from prefect.futures import as_completed

from flows.parameters import ExtractRequest
from resources import environment as environments
from resources.limits import limits_for
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

__all__ = ["ExtractFailed", "run_extract"]


class ExtractFailed(RuntimeError):
    """One or more account batches were quarantined or failed; the others were published."""

    def __init__(self, message: str, summary: ExtractSummary) -> None:
        super().__init__(message)
        self.summary = summary


def run_extract(request: ExtractRequest, flow_label: str) -> ExtractSummary:
    """Extract ``request.platforms`` into the warehouse and publish the run's artifacts.

    Raises:
        ExtractFailed: a batch was quarantined or an account failed (the rest published).

    """
    logger = get_run_logger()
    environment = environments.current()
    context = FlowRunContext.get()
    run_id = (
        str(context.flow_run.id)
        if context and context.flow_run
        else dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    )
    logger.info("%s on %s", flow_label, environment.describe())
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
