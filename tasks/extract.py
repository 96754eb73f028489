"""Extract tasks: list a platform's accounts, and read one account's streams into landing files.

Extract tasks never open the warehouse: they write immutable landing files and return what the
load step needs. Parallel accounts of one platform share a strict Prefect concurrency limit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.concurrency.sync import concurrency
from prefect.context import TaskRunContext

from connectors.calllog import CallRecorder
from connectors.errors import ConnectorError, RetryableAPIError
from connectors.streams import AccountInfo, DateWindow
from connectors.windows import extract_window
from resources.environment import Environment
from resources.limits import extract_limit_name
from tasks.writer import open_warehouse
from warehouse.landing import LandingFile, write_landing
from warehouse.publish import record_api_calls


def retry_only_retryable(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry a task only when the platform said 'try again later'."""
    try:
        state.result()
    except RetryableAPIError:
        return True
    except Exception:
        return False
    return False


@dataclass(frozen=True)
class ExtractedAccount:
    """One account's landed streams, the window read, and every API call made."""

    platform: str
    account: AccountInfo
    run_id: str
    batch_id: str
    files: tuple[LandingFile, ...]
    window: DateWindow | None
    rows: dict[str, int] = field(default_factory=dict)
    rejects: int = 0
    report_streams: tuple[str, ...] = ()
    api_calls: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class AccountListing:
    """The accounts of one platform, and the API calls it took to list them."""

    platform: str
    accounts: tuple[AccountInfo, ...]
    report_streams: tuple[str, ...] = ()
    api_calls: tuple[dict[str, Any], ...] = ()


@task(
    name="list-accounts",
    cache_policy=NONE,
    retries=2,
    retry_delay_seconds=5,
    retry_condition_fn=retry_only_retryable,
)
def list_accounts(
    platform: str, environment: Environment, only: tuple[str, ...] | None = None
) -> AccountListing:
    """List the accounts the credentials can read on `platform`, optionally limited to `only`.

    Raises:
        ConnectorError: a requested account does not exist or is not readable.

    """
    recorder = CallRecorder()
    connector = environment.connector(platform, recorder=recorder)
    try:
        accounts = connector.list_accounts()
        report_streams = tuple(s.name for s in connector.streams() if s.is_report)
        wanted = None if only is None else {connector.normalize_account_id(a) for a in only}
    finally:
        connector.close()
    calls = tuple(call.as_row() for call in recorder.calls)
    if wanted is not None:
        found = [a for a in accounts if a.id in wanted]
        missing = sorted(wanted - {a.id for a in found})
        if missing:
            known = ", ".join(a.id for a in accounts) or "none"
            raise ConnectorError(
                f"{platform}: account(s) {', '.join(missing)} not readable with these "
                f"credentials (readable: {known})"
            )
        accounts = found
    return AccountListing(platform, tuple(accounts), report_streams, calls)


@task(
    name="extract-account",
    cache_policy=NONE,
    retries=2,
    retry_delay_seconds=10,
    retry_condition_fn=retry_only_retryable,
    task_run_name="extract-{platform}-{account.id}",
)
def extract_account(
    platform: str,
    account: AccountInfo,
    environment: Environment,
    run_id: str,
    cursors: dict[str, dt.date | None],
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    lookback_days: int | None = None,
    full_refresh: bool = False,
) -> ExtractedAccount:
    """Read every stream of one account and land it; report streams read their date window.

    The window runs from the stream's cursor minus the lookback (late conversions restate past
    days) to yesterday in the account's time zone; `start_date`/`end_date` override it.
    """
    logger = get_run_logger()
    context = TaskRunContext.get()
    # Landing files are immutable and named per batch: each task run (a retry, or the same
    # task in a retried flow run) lands under a name of its own.
    # The whole id: task-run ids are UUIDv7, whose leading digits are only a timestamp.
    task_run_id = context.task_run.id.hex if context else uuid.uuid4().hex
    batch_id = f"{run_id}-{task_run_id}"
    recorder = CallRecorder()
    files: list[LandingFile] = []
    rows: dict[str, int] = {}
    rejects = 0
    window: DateWindow | None = None
    report_streams: list[str] = []
    try:
        with concurrency(extract_limit_name(platform), occupy=1, strict=True):
            connector = environment.connector(platform, recorder=recorder)
            try:
                for stream in connector.streams():
                    stream_window = None
                    if stream.is_report:
                        report_streams.append(stream.name)
                        stream_window = extract_window(
                            timezone_name=account.timezone,
                            now=environment.now(platform),
                            cursor=cursors.get(stream.name),
                            lookback_days=connector.settings.lookback_days
                            if lookback_days is None
                            else lookback_days,
                            initial_days=connector.settings.initial_days,
                            requested_start=start_date,
                            requested_end=end_date,
                            full_refresh=full_refresh,
                            through_today=stream.through_today,
                        )
                        if stream_window is None:
                            logger.info("%s %s: already up to date", account.id, stream.name)
                            continue
                    result = connector.read(stream.name, account, stream_window)
                    if stream.is_report:
                        # The cursor follows what the connector really read (it clamps too).
                        window = result.window or stream_window
                    files.append(
                        write_landing(
                            environment.landing_root,
                            platform=platform,
                            stream=stream.name,
                            account_id=account.id,
                            run_id=batch_id,
                            rows=result.rows,
                            row_file=result.row_file,
                            rejects=result.rejects,
                            table=stream.table,
                        )
                    )
                    rows[stream.table] = result.row_count
                    rejects += len(result.rejects)
            finally:
                connector.close()
    except BaseException:
        # Calls of a failed attempt are the ones an operator most wants to see.
        record_failed_attempt_calls(environment, run_id, recorder)
        raise
    logger.info(
        "%s %s: landed %s (%d rejected record(s)), %d API call(s)",
        platform,
        account.id,
        ", ".join(f"{t}={n}" for t, n in rows.items()),
        rejects,
        len(recorder.calls),
    )
    return ExtractedAccount(
        platform=platform,
        account=account,
        run_id=run_id,
        batch_id=batch_id,
        files=tuple(files),
        window=window,
        rows=rows,
        rejects=rejects,
        report_streams=tuple(report_streams),
        api_calls=tuple(call.as_row() for call in recorder.calls),
    )


def record_failed_attempt_calls(
    environment: Environment, run_id: str, recorder: CallRecorder
) -> None:
    """Write the API calls of a failed attempt to the warehouse (best effort, never masks)."""
    if not recorder.calls:
        return
    try:
        with open_warehouse(environment, wait=10.0) as wh:
            record_api_calls(wh, run_id, [call.as_row() for call in recorder.calls])
    except Exception as exc:  # the original failure matters more than this record
        get_run_logger().warning("could not record %d API call(s): %s", len(recorder.calls), exc)
