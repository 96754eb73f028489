"""The attribution report's page and its run artifacts (the ``reports`` layer, wrapped).

The flow hands over what it computed (:class:`ReportInputs`); :func:`render_report` writes the
HTML page under the data folder and :func:`publish_report_artifacts` puts the summary, the
link and the credit table on the run's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from marketing.attribution.model_set import describe_model
from reports.attribution import AttributionReportData, render_attribution_report, summary_markdown
from resources.environment import Environment
from resources.platforms import channel_colours
from tasks.attribution import AttributionComputation, Period, report_dir
from tasks.push_conversions import PushSummary

__all__ = ["RenderedReport", "ReportInputs", "publish_report_artifacts", "push_rows",
           "render_report"]


@dataclass(frozen=True)
class ReportInputs:
    """What one report run computed, as the page shows it."""

    period: Period
    window: str
    computation: AttributionComputation
    channels: pd.DataFrame
    campaigns: pd.DataFrame
    previous: pd.DataFrame | None
    previous_at: dt.datetime | None
    total_spend: Decimal
    notes: list[str]
    push: PushSummary | None
    built_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class RenderedReport:
    """The written page and its summary in markdown."""

    path: Path
    summary_markdown: str


@task(name="render-attribution-report", cache_policy=NONE)
def render_report(environment: Environment, inputs: ReportInputs) -> RenderedReport:
    """Write the report page (``<data dir>/reports/attribution-<end>-<run>.html``)."""
    data = _report_data(environment, inputs)
    path = render_attribution_report(
        data, report_dir(environment),
        file_name=f"attribution-{inputs.period.end}-{inputs.run_id[:8]}.html")
    return RenderedReport(path, summary_markdown(data, path))


@task(name="publish-attribution-artifacts", cache_policy=NONE)
def publish_report_artifacts(report: RenderedReport, channels: pd.DataFrame) -> None:
    """Put the summary, the link to the page and the credit table on the run's page."""
    path = report.path
    create_markdown_artifact(report.summary_markdown, key="attribution-summary",
                             description="Attribution report: credit by channel and model")
    create_link_artifact(path.resolve().as_uri(), link_text=f"Attribution report ({path.name})",
                         key="attribution-report", description="The HTML report of this run")
    table = [
        {"model": r.model, "channel": r.channel, "conversions": f"{r.conversions:.2f}",
         "value": f"{r.value:.2f}", "spend": f"{r.spend:.2f}",
         "roas": "" if r.roas is None else f"{r.roas:.2f}",
         "roas_note": getattr(r, "roas_note", None) or ""}
        for r in channels.itertuples(index=False)
    ]
    create_table_artifact(table or [{"model": "(none)"}], key="attribution-credit",
                          description="Credited conversions, value, spend and ROAS per "
                                      "model and channel")


def _as_float(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        out[column] = [float("nan") if v is None else float(v) for v in out[column]]
    return out


def _report_data(environment: Environment, inputs: ReportInputs) -> AttributionReportData:
    period, computation = inputs.period, inputs.computation
    previous, total_spend = inputs.previous, inputs.total_spend
    money = ["conversions", "value", "spend", "roas"]
    return AttributionReportData(
        title=f"Attribution: {period.describe()}",
        period_start=period.start,
        period_end=period.end,
        generated_at=inputs.built_at,
        window=inputs.window,
        environment=environment.name,
        reporting_currency=environment.reporting_currency,
        models=computation.labels,
        model_notes={label: describe_model(label) for label in computation.labels},
        credit=_as_float(inputs.channels, money),
        campaigns=_as_float(inputs.campaigns, money),
        path_lengths=computation.summary.path_lengths,
        time_to_conversion=computation.summary.time_to_conversion,
        top_paths=computation.summary.top_paths,
        previous=(_as_float(previous, ["conversions", "value"])
                  if previous is not None else None),
        previous_generated_at=inputs.previous_at,
        totals={
            "conversions": float(computation.total_conversions),
            "value": float(computation.total_value),
            "spend": float(total_spend),
            "journeys": float(computation.journeys),
            "converting_journeys": float(computation.converting_journeys),
        },
        notes=inputs.notes,
        pushed=push_rows(inputs.push),
        channel_colours=channel_colours(),
    )


def push_rows(push: PushSummary | None) -> list[dict[str, object]]:
    """One row per destination of the push-back, for the report's table."""
    if push is None:
        return []
    return [
        {"destination": name, "planned": d.planned, "sent": d.sent,
         "already_sent": d.already_sent, "skipped": len(d.skipped), "rejected": len(d.rejected),
         "error": d.error or ""}
        for name, d in push.destinations.items()
    ]


