"""Warehouse tasks: read cursors, and stage → check → publish (or quarantine) one account.

Every task here holds the `warehouse-writer` slot while the DuckDB file is open: DuckDB allows
one writing process per file, and flows from several deployments may run at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from resources.environment import Environment
from tasks.extract import AccountListing, ExtractedAccount
from tasks.reporting import CheckOutcome, TableLoad
from tasks.writer import open_warehouse
from warehouse.errors import DataQualityError  # re-exported: flows never import warehouse
from warehouse.pipeline import load_batch
from warehouse.publish import CursorUpdate, get_cursor, record_api_calls
from warehouse.quality.report import QualityContext, QualityReport
from warehouse.staging import LoadBatch

__all__ = [
    "DataQualityError",
    "LoadOutcome",
    "count_warehouse_rows",
    "load_account",
    "quality_outcomes",
    "read_cursors",
]


@task(name="read-cursors", cache_policy=NONE)
def read_cursors(
    environment: Environment, listing: AccountListing, run_id: str
) -> dict[str, dict[str, dt.date | None]]:
    """Read the last published report day per account and stream (None before a first load).

    Also records the API calls it took to list the accounts (the writer is open anyway).
    """
    with open_warehouse(environment) as wh:
        record_api_calls(wh, run_id, listing.api_calls)
        return {
            account.id: {
                stream: get_cursor(wh, listing.platform, account.id, stream)
                for stream in listing.report_streams
            }
            for account in listing.accounts
        }


@task(name="count-warehouse-rows", cache_policy=NONE)
def count_warehouse_rows(environment: Environment, schemas: list[str]) -> dict[str, int]:
    """Count the rows of every table in `schemas` (what a reader now sees)."""
    with open_warehouse(environment) as wh:
        tables = wh.fetchall(
            "select schema_name, table_name from duckdb_tables() "
            "where schema_name in (select unnest(?::varchar[])) order by 1, 2",
            [schemas],
        )
        return {
            f"{schema}.{table}": int(
                wh.fetchall(f'select count(*) from "{schema}"."{table}"')[0][0]
            )
            for schema, table in tables
        }


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one account did: tables written (or quarantined) and check results."""

    platform: str
    account_id: str
    loads: tuple[TableLoad, ...]
    checks: tuple[CheckOutcome, ...]


def quality_outcomes(report: QualityReport) -> tuple[CheckOutcome, ...]:
    """Return the report's check results as run-summary rows."""
    return tuple(
        CheckOutcome(
            platform=report.platform,
            account_id=report.account_id,
            table=result.table,
            check=result.check,
            severity=str(result.severity),  # type: ignore[arg-type]
            passed=result.passed,
            observed="" if result.observed is None else str(result.observed),
            detail="" if result.passed or not result.samples else f"e.g. {result.samples[0]}",
        )
        for result in report.results
    )


@task(
    name="load-account",
    cache_policy=NONE,
    task_run_name="load-{extracted.platform}-{extracted.account.id}",
)
def load_account(extracted: ExtractedAccount, environment: Environment) -> LoadOutcome:
    """Stage one account's landing files, run the quality gate, then publish or quarantine.

    Publishing merges every table on its natural keys, refreshes the account's slice of the core
    tables and advances the report cursors, in one DuckDB transaction. An ERROR check
    quarantines the whole batch and publishes nothing.

    Raises:
        DataQualityError: an ERROR check failed; the message names table, check and sample rows.

    """
    logger = get_run_logger()
    batch = LoadBatch(
        platform=extracted.platform,
        account_id=extracted.account.id,
        run_id=extracted.batch_id,
        files=extracted.files,
        window_end=extracted.window.end if extracted.window else None,
    )
    cursor_updates = [
        CursorUpdate(stream=stream, cursor_date=extracted.window.end)
        for stream in extracted.report_streams
        if extracted.window is not None
    ]
    with open_warehouse(environment) as wh:
        record_api_calls(wh, extracted.run_id, extracted.api_calls)
        published = load_batch(
            wh, batch, cursor_updates, QualityContext(window_end=batch.window_end)
        )
    for warning in published.warnings:
        logger.warning("%s %s: %s", extracted.platform, extracted.account.id, warning)
    return LoadOutcome(
        platform=extracted.platform,
        account_id=extracted.account.id,
        loads=tuple(
            TableLoad(
                platform=extracted.platform,
                account_id=extracted.account.id,
                table=load.table,
                rows=load.rows,
                inserted=load.inserted,
                updated=load.updated,
            )
            for load in published.tables
        ),
        checks=quality_outcomes(published.report) if published.report else (),
    )
