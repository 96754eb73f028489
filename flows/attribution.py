"""The attribution report: which spend produced revenue, under every model side by side.

Scheduled daily, and started by the gateway's offline-conversions event (then it first
re-reads the conversion sources, so the new deal is in the journeys). One run:

1. stitches the period's touchpoints and conversions into per-person journeys (lookback
   window, journeys cut at each conversion);
2. runs the chosen models (rule-based, Markov, Shapley) and prices their credit against the
   period's spend (ROAS), only for ad platforms whose spend covers every day of the period
   (the others get no ROAS and a note saying which days their spend covers);
3. pushes offline conversions back to Google (Data Manager) and Meta (Conversions API) as a
   planned, idempotent step recorded in the operational store;
4. writes an HTML report and publishes the credit to ``marts.attribution_*`` in one
   transaction, after every model's credit summed exactly to the period's totals;
5. leaves a markdown summary, a link to the report and the credit table on the run's page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, cast
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import (
    create_progress_artifact,
    update_progress_artifact,
)
from prefect.runtime import flow_run
from pydantic import BaseModel, Field

from flows.parameters import ConversionKind, default_period, parse_attribution_request
from marketing.attribution.model_set import MODEL_NAMES, ModelName, ModelSettings
from resources import environment as environments
from resources.limits import WAREHOUSE_WRITER
from tasks.attribution import (
    AttributionRecord,
    Period,
    attribute_journeys,
    coverage_notes,
    price_credit,
    publish_attribution,
    read_period_inputs,
)
from tasks.attribution_report import (
    ReportInputs,
    publish_report_artifacts,
    push_rows,
    render_report,
)
from tasks.limits import ensure_concurrency_limits
from tasks.push_conversions import PushSummary, push_offline_conversions

__all__ = ["AttributionReportResult", "build_attribution_report"]

REFRESH_PLATFORMS = ["shopify", "hubspot", "offline_conversions"]
"""Sources re-read before an event-started run (where new conversions come from)."""


class AttributionReportResult(BaseModel):
    """What one report run built (returned to the caller, shown by the CLI)."""

    run_id: str
    period_start: dt.date
    period_end: dt.date
    window: str
    models: list[str]
    skipped: dict[str, str] = Field(default_factory=dict)
    journeys: int
    converting_journeys: int
    conversions: float
    value: float
    spend: float
    report_path: str
    pushed: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


def _yesterday(environment: environments.Environment) -> dt.date:
    """Return the last whole UTC day on the environment's clock (in the sandbox: its market's)."""
    return environment.now("offline_conversions").date() - dt.timedelta(days=1)


@flow(name="build-attribution-report", log_prints=True)
def build_attribution_report(
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    models: list[ModelName] = list(MODEL_NAMES),  # noqa: B006  # Prefect copies defaults
    lookback_days: Annotated[int, Field(ge=1, le=365)] = 90,
    acquisition_lookback_days: Annotated[int, Field(ge=1, le=365)] = 30,
    markov_order: Annotated[int | None, Field(ge=1, le=6)] = None,
    time_decay_half_life_days: Annotated[float, Field(gt=0, le=365)] = 7.0,
    position_first: Annotated[float, Field(ge=0, le=1)] = 0.4,
    position_last: Annotated[float, Field(ge=0, le=1)] = 0.4,
    conversion_kinds: list[ConversionKind] | None = None,
    push_conversions: bool = True,
    refresh_conversions: bool = False,
    dry_run: bool = False,
) -> AttributionReportResult:
    """Build the attribution report for a period of conversions.

    Args:
        period_start: first conversion day (UTC); default 30 days before ``period_end``.
        period_end: last conversion day (UTC, included); default yesterday.
        models: the models to run, side by side in the report.
        lookback_days: how far back a conversion's journey reaches (GA4's default: 90).
        acquisition_lookback_days: the same for leads (acquisitions; GA4's default: 30).
        markov_order: the Markov chain's order; empty chooses 1..4 by held-out fit.
        time_decay_half_life_days: time decay: days after which a touch counts half.
        position_first: position based: share of the first touch.
        position_last: position based: share of the last touch.
        conversion_kinds: only these conversion kinds (lead, deal, order, key_event,
            store_sale); empty for all.
        push_conversions: send the period's offline conversions to Google and Meta.
        refresh_conversions: re-read the shop, the CRM and the offline drop folder first
            (event-started runs set it).
        dry_run: plan the push-back without sending, and publish nothing to the warehouse.

    """
    logger = get_run_logger()
    environment = environments.current()
    start, end = default_period(period_start, period_end, _yesterday(environment))
    request = parse_attribution_request(
        period_start=start, period_end=end, models=tuple(models), lookback_days=lookback_days,
        acquisition_lookback_days=acquisition_lookback_days,
        conversion_kinds=tuple(conversion_kinds) if conversion_kinds else None,
    )
    settings = ModelSettings(half_life_days=time_decay_half_life_days,
                             position_first=position_first, position_last=position_last,
                             markov_order=markov_order)
    period = Period(request.period_start, request.period_end)
    ensure_concurrency_limits({WAREHOUSE_WRITER: 1})
    run_id = str(flow_run.get_id() or uuid.uuid4())
    steps = 6 + int(refresh_conversions)
    progress = cast(UUID, create_progress_artifact(  # sync in a sync flow
        0.0, key="attribution-progress", description="Attribution report: steps done"))
    done = 0

    def step(what: str) -> None:
        nonlocal done
        done += 1
        update_progress_artifact(progress, 100.0 * done / steps)
        logger.info("attribution %s: %s", period.describe(), what)

    notes: list[str] = []
    if refresh_conversions:
        notes += _refresh_sources()
        step("conversion sources re-read")
    inputs = read_period_inputs(environment, period, request.lookback_days,
                                request.acquisition_lookback_days, request.conversion_kinds)
    stitched, spend = inputs.stitched, inputs.spend
    step(f"{stitched.touches['journey_id'].nunique():,} journeys stitched")
    computation = attribute_journeys(stitched, list(request.models), settings)
    step(f"{len(computation.labels)} models run")
    channels, campaigns = price_credit(computation, spend, inputs.coverage)
    step("credit priced against spend")
    push: PushSummary | None = None
    if push_conversions:
        push = push_offline_conversions(environment, period_start=period.start_at,
                                        period_end=period.end_at, dry_run=dry_run)
    step("offline conversions pushed back" if push_conversions else "push-back not asked for")
    if push is not None:
        notes += [f"Push-back failed: {error}" for error in push.errors]

    notes += coverage_notes(inputs.coverage, channels)
    if stitched.conversions_without_touches:
        notes.append(f"{stitched.conversions_without_touches:,} conversions had no touch inside "
                     "their lookback window and are left out of every model.")
    if stitched.duplicate_conversions:
        notes.append(f"{stitched.duplicate_conversions:,} conversions reported by two sources "
                     "(a CRM deal and its offline export) were counted once.")
    skipped = {o.name: o.skipped for o in computation.outcomes if o.skipped}
    notes += [f"{name} was skipped: {why}" for name, why in skipped.items()]
    notes += [f"{o.name}: {o.note}" for o in computation.outcomes if o.note]
    if inputs.previous_period is not None and inputs.previous_period != period:
        notes.append(f"The previous run covered {inputs.previous_period.describe()}; changes "
                     "compare against it.")
    if dry_run:
        notes.append("Dry run: nothing was sent to the platforms or published to the warehouse.")

    total_spend = sum((Decimal(str(s)) for s in spend["spend"]), Decimal(0))
    built_at = dt.datetime.now(dt.UTC)
    report = render_report(environment, ReportInputs(
        period=period, window=stitched.window, computation=computation, channels=channels,
        campaigns=campaigns, previous=inputs.previous, previous_at=inputs.previous_at,
        total_spend=total_spend, notes=notes, push=push, built_at=built_at, run_id=run_id))
    path = report.path
    step(f"report written to {path}")
    record = AttributionRecord(
        run_id=run_id, built_at=built_at, period=period, lookback_days=request.lookback_days,
        acquisition_lookback_days=request.acquisition_lookback_days,
        window_rule=stitched.window, models=computation.labels,
        journeys=computation.journeys, converting_journeys=computation.converting_journeys,
        conversions=computation.total_conversions, value=computation.total_value,
        spend=total_spend, conversions_without_touches=stitched.conversions_without_touches,
        duplicate_conversions=stitched.duplicate_conversions,
        reporting_currency=environment.reporting_currency, channels=channels,
        campaigns=campaigns, report_path=str(path), flow_run_id=run_id,
    )
    if not dry_run:
        publish_attribution(environment, record)
    step("credit published" if not dry_run else "dry run: nothing published")
    publish_report_artifacts(report, channels)
    result = AttributionReportResult(
        run_id=run_id, period_start=period.start, period_end=period.end,
        window=stitched.window, models=computation.labels, skipped=skipped,
        journeys=computation.journeys, converting_journeys=computation.converting_journeys,
        conversions=float(computation.total_conversions),
        value=float(computation.total_value), spend=float(total_spend), report_path=str(path),
        pushed={str(row["destination"]): row for row in push_rows(push)}, notes=notes,
    )
    if push is not None:
        # The report and the credit are out; a destination that failed still fails the run,
        # so the failure is seen (the next run re-sends what was not confirmed).
        push.raise_for_errors()
    return result


def _refresh_sources() -> list[str]:
    """Re-read the conversion sources as a subflow; a failed source is a note, not a stop."""
    from flows._extract import ExtractFailed
    from flows.extract_sources import extract_sources

    try:
        extract_sources(platforms=REFRESH_PLATFORMS, lookback_days=1)  # type: ignore[arg-type]
    except ExtractFailed as exc:
        return [f"Re-reading the conversion sources failed in part ({exc}); the report uses "
                "what was published."]
    return []
