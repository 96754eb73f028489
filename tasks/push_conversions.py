"""Push offline conversions (closed deals, store sales) back to Google and Meta.

One planned, idempotent step, recorded in the operational store::

    read (warehouse) -> plan (marketing.conversion_uploads, pure) -> record the plan (store)
    -> send what is not yet sent, per destination, in batches -> mark each batch sent

Each task is thin: :func:`read_offline_conversions` runs one query,
:func:`read_sent_conversions` asks the ledger what earlier runs sent (so a conversion
reported by two sources keeps the copy whose ids already went out), :func:`record_upload_plan`
writes the plan to the ledger, :func:`send_uploads` sends one destination's unsent uploads.
:func:`push_offline_conversions` composes them and returns a :class:`PushSummary`.

Destinations are named (``google_data_manager``, ``meta_capi``) and built by the environment
(``Environment.conversion_destination``); this module talks to each through the one
interface (``connectors.conversion_destinations.ConversionDestination``: its rules, its
clock, ``send(batch)``) and never asks which platform is behind it.

Idempotency: the ledger (``store.uploads``) has one row per (destination, conversion) and a
batch is marked ``sent`` only after the platform accepted it, so a re-run sends nothing
twice. A crash between the platform's answer and the mark leaves the rows ``planned``: the
next run sends them again with the same ``transactionId`` / ``event_id``, which Google and
Meta (and our emulators) count once.

Failures: a destination that fails (the platform refused, the store could not mark) is
reported in its summary (``error``: what, where) and the other destination still runs; a
refused batch is marked ``rejected`` with the reason and retried by a later run. Errors::

    ConversionPushError    one or more destinations failed (raised by
                           ``PushSummary.raise_for_errors``; the summary is attached)

Warehouse, store and connector errors keep their own trees (``warehouse.errors``,
``store.errors``, ``connectors.errors``) and are reported, not translated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from pydantic import BaseModel, Field

from connectors.conversion_destinations import ConversionDestination
from connectors.errors import BadRequestError, ConnectorError
from marketing.conversion_uploads import (
    OFFLINE_KINDS,
    OfflineConversion,
    PlannedUpload,
    SkippedUpload,
    UploadPlan,
    idempotency_key,
    plan_uploads,
)
from marketing.stitching import IDENTITY_LINKS_CTE
from resources.environment import CONVERSION_DESTINATIONS, Environment
from resources.errors import EnvironmentConfigError
from resources.limits import WAREHOUSE_WRITER
from store import (
    NewUpload,
    StoreError,
    create_schema,
    create_store_engine,
    mark_rejected,
    mark_sent,
    record_planned,
    sent_keys,
)
from tasks.limits import ensure_concurrency_limits
from tasks.writer import open_warehouse

__all__ = [
    "OFFLINE_CONVERSIONS_SQL",
    "ConversionPushError",
    "DestinationSummary",
    "PushSummary",
    "SkippedConversion",
    "push_offline_conversions",
    "read_offline_conversions",
    "read_sent_conversions",
    "record_upload_plan",
    "send_uploads",
]

OFFLINE_CONVERSIONS_SQL = f"""
WITH {IDENTITY_LINKS_CTE},
conv AS (
    SELECT c.platform || ':' || c.conversion_id AS conversion_id, c.kind, c.occurred_at,
           c.value, c.currency, c.click_id_type, c.click_id,
           coalesce(c.person_key, a.person_key, k.person_key) AS person_key
    FROM core.conversions AS c
    LEFT JOIN links AS a
        ON c.person_key IS NULL AND a.id_type = 'client_id' AND a.id_value = c.anonymous_id
    LEFT JOIN links AS k
        ON c.person_key IS NULL AND k.id_type = c.click_id_type AND k.id_value = c.click_id
    WHERE list_contains($kinds, c.kind)
      AND c.occurred_at >= $period_start AND c.occurred_at < $period_end
),
clicks AS (
    -- every sighting of a Google or Meta click id: identity links and touchpoints
    SELECT person_key, id_type AS click_type, id_value AS click_id, first_seen_at AS seen_at
    FROM core.identity_links WHERE id_type IN ('gclid', 'fbclid')
    UNION ALL
    SELECT coalesce(t.person_key, a.person_key), t.click_id_type, t.click_id, t.occurred_at
    FROM core.touchpoints AS t
    LEFT JOIN links AS a ON t.person_key IS NULL AND a.id_type = 'client_id'
                        AND a.id_value = t.anonymous_id
    WHERE t.click_id_type IN ('gclid', 'fbclid') AND t.click_id IS NOT NULL
),
first_click AS (
    SELECT click_type, click_id, min(seen_at) AS clicked_at FROM clicks GROUP BY ALL
),
chosen AS (
    SELECT v.*,
           -- the conversion's own click id, else the person's latest click before it
           CASE WHEN v.click_id_type = 'gclid' THEN v.click_id ELSE
               (SELECT arg_max(k.click_id, k.seen_at) FROM clicks AS k
                WHERE k.person_key = v.person_key AND k.click_type = 'gclid'
                  AND (k.seen_at IS NULL OR k.seen_at <= v.occurred_at)) END AS gclid,
           CASE WHEN v.click_id_type = 'fbclid' THEN v.click_id ELSE
               (SELECT arg_max(k.click_id, k.seen_at) FROM clicks AS k
                WHERE k.person_key = v.person_key AND k.click_type = 'fbclid'
                  AND (k.seen_at IS NULL OR k.seen_at <= v.occurred_at)) END AS fbclid
    FROM conv AS v
)
SELECT c.conversion_id, c.kind, c.occurred_at, c.value, c.currency, c.gclid, c.fbclid,
       f.clicked_at AS fbclid_clicked_at, p.email, p.phone, c.person_key
FROM chosen AS c
LEFT JOIN core.people AS p ON p.person_key = c.person_key
LEFT JOIN first_click AS f ON f.click_type = 'fbclid' AND f.click_id = c.fbclid
ORDER BY c.occurred_at, c.conversion_id
"""


class SkippedConversion(BaseModel):
    """A conversion not sent to a destination, and why."""

    conversion_id: str
    reason: str


class DestinationSummary(BaseModel):
    """What one push did at one destination.

    Attributes:
        destination: ``google_data_manager`` or ``meta_capi``.
        planned: conversions planned for it (this run's plan).
        already_sent: of those, sent by an earlier run (not sent again).
        sent: sent and accepted in this run (0 in a dry run).
        skipped: conversions that cannot go, with reasons.
        rejected: refused (locally by the connector or by the platform), with reasons.
        request_ids: Google request ids / Meta ``fbtrace_id`` of this run's requests.
        error: what failed and where, if the destination did not finish.

    """

    destination: str
    planned: int = 0
    already_sent: int = 0
    sent: int = 0
    skipped: list[SkippedConversion] = Field(default_factory=list)
    rejected: list[SkippedConversion] = Field(default_factory=list)
    request_ids: list[str] = Field(default_factory=list)
    error: str | None = None

    @property
    def to_send(self) -> int:
        """Uploads this run had to send (planned, not sent before)."""
        return self.planned - self.already_sent


class PushSummary(BaseModel):
    """What ``push_offline_conversions`` did, per destination.

    Attributes:
        period_start: start of the period read (inclusive).
        period_end: end of the period read (exclusive).
        dry_run: True when nothing was sent nor recorded.
        conversions: offline conversions read from the warehouse.
        destinations: one summary per destination, in the order asked.

    """

    period_start: dt.datetime
    period_end: dt.datetime
    dry_run: bool
    conversions: int = 0
    destinations: dict[str, DestinationSummary] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every destination finished."""
        return all(d.error is None for d in self.destinations.values())

    @property
    def errors(self) -> list[str]:
        """Every destination's error."""
        return [d.error for d in self.destinations.values() if d.error is not None]

    def raise_for_errors(self) -> None:
        """Raise :class:`ConversionPushError` when a destination failed."""
        if not self.ok:
            raise ConversionPushError(self)


class ConversionPushError(RuntimeError):
    """One or more destinations failed; ``summary`` holds everything the push did."""

    def __init__(self, summary: PushSummary) -> None:
        super().__init__("offline conversion push failed: " + "; ".join(summary.errors))
        self.summary = summary


def _aware(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    when: dt.datetime = value
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


@task(name="read-offline-conversions", cache_policy=NONE)
def read_offline_conversions(
    environment: Environment,
    period_start: dt.datetime,
    period_end: dt.datetime,
    kinds: Sequence[str] = tuple(sorted(OFFLINE_KINDS)),
) -> list[OfflineConversion]:
    """Read the period's offline conversions with their people's identifiers.

    Email and phone come from ``core.people``; the gclid and fbclid are the conversion's own
    click id, else the person's latest click before the conversion, and the fbclid's click
    time is its first sighting (identity link or touchpoint).
    """
    params = {"kinds": list(kinds), "period_start": period_start, "period_end": period_end}
    with open_warehouse(environment) as wh:
        rows = wh.fetchall(OFFLINE_CONVERSIONS_SQL, params)
    conversions: list[OfflineConversion] = []
    for r in rows:
        occurred = _aware(r[2])
        assert occurred is not None  # NOT NULL in core.conversions
        conversions.append(OfflineConversion(
            conversion_id=str(r[0]), kind=str(r[1]), occurred_at=occurred,
            value=Decimal(r[3]) if r[3] is not None else None, currency=r[4], gclid=r[5],
            fbclid=r[6], fbclid_clicked_at=_aware(r[7]), email=r[8], phone=r[9],
            person_key=r[10],
        ))
    return conversions


def _run_id() -> str | None:
    from prefect.runtime import flow_run

    run = flow_run.get_id()
    return str(run) if run else None


def _engine(environment: Environment) -> Any:
    engine = create_store_engine(environment.store_url)
    create_schema(engine)
    return engine


@task(name="record-upload-plan", cache_policy=NONE, retries=2, retry_delay_seconds=5)
def record_upload_plan(
    environment: Environment, plan: UploadPlan, *, dry_run: bool = False
) -> set[str]:
    """Record the plan in the ledger (insert-if-absent); return the keys already sent.

    A dry run records nothing: it only reads which keys earlier runs sent.
    """
    engine = _engine(environment)
    try:
        keys = [item.idempotency_key for item in plan.items]
        if dry_run:
            return sent_keys(engine, keys)
        outcomes = record_planned(
            engine,
            [NewUpload(i.destination, i.idempotency_key, i.conversion_id, i.event_id)
             for i in plan.items],
            now=dt.datetime.now(dt.UTC),
            run_id=_run_id(),
        )
        return {o.upload.idempotency_key for o in outcomes if o.status == "sent"}
    finally:
        engine.dispose()


@task(name="read-sent-conversions", cache_policy=NONE, retries=2, retry_delay_seconds=5)
def read_sent_conversions(
    environment: Environment, conversions: Sequence[OfflineConversion], destinations: Sequence[str]
) -> set[str]:
    """Return the ids of those conversions an earlier run sent to any of ``destinations``."""
    keys = {idempotency_key(d, c.conversion_id): c.conversion_id
            for c in conversions for d in destinations}
    if not keys:
        return set()
    engine = _engine(environment)
    try:
        return {keys[key] for key in sent_keys(engine, list(keys))}
    finally:
        engine.dispose()


@task(name="send-conversion-uploads", cache_policy=NONE)
def send_uploads(
    environment: Environment,
    destination: ConversionDestination,
    items: Sequence[PlannedUpload],
    *,
    batch_size: int | None = None,
) -> DestinationSummary:
    """Send one destination's unsent uploads in batches, marking each accepted batch sent.

    A batch the platform refuses as invalid (``BadRequestError``) is marked rejected and the
    next batch goes on; any other connector error (retries exhausted, auth, permissions) or
    a store failure stops this destination (reported in ``error``; what was marked stays
    marked, so the next run resumes after it). Events sent as test events (a Meta test event
    code) are not marked sent (the platform does not count them). The caller closes
    ``destination``.
    """
    logger = get_run_logger()
    name = destination.name
    summary = DestinationSummary(destination=name)
    if not items:
        return summary
    size = batch_size or destination.batch_size
    where = f"{environment.name} {destination.describe()}"
    engine = _engine(environment)
    try:
        for start in range(0, len(items), size):
            batch = list(items[start : start + size])
            try:
                result = destination.send(batch)
            except BadRequestError as exc:
                reason = f"refused by {where}: {exc}"
                mark_rejected(engine, [i.idempotency_key for i in batch], reason=reason)
                summary.rejected.extend(
                    SkippedConversion(conversion_id=i.conversion_id, reason=reason)
                    for i in batch)
                logger.warning("%s: batch of %d refused: %s", name, len(batch), exc)
                continue
            except ConnectorError as exc:
                summary.error = (f"{name}: sending batch {start // size + 1} to {where} "
                                 f"failed: {type(exc).__name__}: {exc}")
                logger.error("%s", summary.error)
                return summary
            by_event = {i.event_id: i for i in batch}
            for refused in result.rejected:
                item = by_event.get(refused.event_id)
                if item is not None:
                    mark_rejected(engine, [item.idempotency_key], reason=refused.reason)
                    summary.rejected.append(
                        SkippedConversion(conversion_id=item.conversion_id, reason=refused.reason))
            accepted = [by_event[event_id] for event_id in result.accepted
                        if event_id in by_event]
            if result.test:
                # Test events are never counted: leave them planned, so the real send later
                # is not mistaken for a repeat.
                logger.warning("%s: sent as test events; not marked sent", name)
            else:
                mark_sent(engine, [i.idempotency_key for i in accepted],
                          now=dt.datetime.now(dt.UTC),
                          request_id=",".join(result.request_ids)[:255] or None)
            summary.sent += len(accepted)
            summary.request_ids.extend(result.request_ids)
        logger.info("%s: sent %d to %s", name, summary.sent, where)
        return summary
    except StoreError as exc:
        summary.error = (f"{name}: the platform accepted a batch but the store could "
                         f"not record it ({exc}); the next run re-sends it with the same ids")
        logger.error("%s", summary.error)
        return summary
    finally:
        engine.dispose()


def push_offline_conversions(
    environment: Environment,
    *,
    period_start: dt.datetime,
    period_end: dt.datetime,
    destinations: Sequence[str] = CONVERSION_DESTINATIONS,
    dry_run: bool = False,
) -> PushSummary:
    """Push the period's offline conversions to each destination, nothing twice.

    Call it inside a flow run: it composes the tasks of this module. Every destination runs
    even when another fails (a destination the environment cannot build, e.g. live without
    its ids, fails alone); check ``summary.ok`` (or call ``summary.raise_for_errors()``).

    Args:
        environment: the run's environment (warehouse, store, sandbox or live platforms).
        period_start: first instant of the conversions read (aware, inclusive).
        period_end: end of the period (aware, exclusive).
        destinations: names of conversion destinations (default: every one the environment
            knows, ``google_data_manager`` and ``meta_capi``).
        dry_run: plan and report only: nothing is sent or recorded.

    Returns:
        Per destination: planned, already sent, sent, skipped and rejected (with reasons).

    Raises:
        ValueError: naive or empty period, or an unknown destination.
        WarehouseError, StoreError: the conversions could not be read or the plan recorded
            (nothing was sent).

    """
    if period_start.utcoffset() is None or period_end.utcoffset() is None:
        raise ValueError("period_start and period_end must be timezone-aware")
    if period_end <= period_start:
        raise ValueError(f"empty period {period_start.isoformat()} .. {period_end.isoformat()}")
    unknown = [d for d in destinations if d not in CONVERSION_DESTINATIONS]
    if unknown:
        raise ValueError(
            f"unknown destination(s) {unknown}: use {', '.join(CONVERSION_DESTINATIONS)}")
    wanted = list(dict.fromkeys(destinations))
    ensure_concurrency_limits({WAREHOUSE_WRITER: 1})  # the warehouse read takes its slot
    conversions = read_offline_conversions(environment, period_start, period_end)
    recorded = read_sent_conversions(environment, conversions, wanted)
    summary = PushSummary(period_start=period_start, period_end=period_end, dry_run=dry_run,
                          conversions=len(conversions))
    opened: dict[str, ConversionDestination] = {}
    try:
        for name in wanted:
            try:
                opened[name] = environment.conversion_destination(name)
            except EnvironmentConfigError as exc:
                summary.destinations[name] = DestinationSummary(
                    destination=name, error=f"{name}: {type(exc).__name__}: {exc}")
        _push(environment, opened, conversions, recorded, summary, dry_run=dry_run)
    finally:
        for destination in opened.values():
            destination.close()
    summary.destinations = {name: summary.destinations[name] for name in wanted}
    if not summary.ok:
        get_run_logger().error("offline conversion push: %s", "; ".join(summary.errors))
    return summary


def _push(
    environment: Environment,
    destinations: dict[str, ConversionDestination],
    conversions: Sequence[OfflineConversion],
    recorded: set[str],
    summary: PushSummary,
    *,
    dry_run: bool,
) -> None:
    """Plan, record and send to the destinations built; fill ``summary`` in."""
    items: list[PlannedUpload] = []
    skipped: list[SkippedUpload] = []
    for destination in destinations.values():
        # Each destination's age limit is measured against its own clock.
        part = plan_uploads(conversions, [destination.rules], now=destination.now(),
                            recorded=recorded)
        items.extend(part.items)
        skipped.extend(part.skipped)
    plan = UploadPlan(items=tuple(items), skipped=tuple(skipped),
                      destinations=tuple(destinations))
    already = record_upload_plan(environment, plan, dry_run=dry_run)
    for name, destination in destinations.items():
        planned = plan.for_destination(name)
        todo = [i for i in planned if i.idempotency_key not in already]
        result = DestinationSummary(destination=name)
        if not dry_run and todo:
            try:
                result = send_uploads(environment, destination, todo)
            except Exception as exc:  # one destination's failure must not lose the other's
                result.error = f"{name}: {type(exc).__name__}: {exc}"
        result.planned = len(planned)
        result.already_sent = len(planned) - len(todo)
        result.skipped = [SkippedConversion(conversion_id=s.conversion_id, reason=s.reason)
                          for s in plan.skipped_for(name)]
        summary.destinations[name] = result
