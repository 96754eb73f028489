"""Attribution tasks: stitch a period's journeys, run the models, price them, publish, report.

Each task is a thin step: the stitching is :mod:`marketing.stitching`, the models and their
checks :mod:`marketing.attribution`, the page :mod:`reports.attribution`. Results reach the
warehouse in one transaction (``marts.attribution_*``, migrations 014 and 017) only after
every model's credit summed exactly to the period's conversions and value. Spend is priced
only where it covers the period (:data:`COVERAGE_SQL`): an ad platform with days of the period
missing gets no ROAS, and the row says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from prefect import task
from prefect.cache_policies import NONE

from marketing.attribution import journeys_from_touches
from marketing.attribution.model_set import (
    ModelOutcome,
    ModelSettings,
    check_credit,
    credit_tables,
    run_model_set,
)
from marketing.attribution.roas import ChannelCoverage, SpendCoverage, with_roas
from marketing.attribution.summary import JourneySummary, journey_summary
from marketing.stitching import StitchedJourneys, stitch_journeys
from resources.environment import Environment
from tasks.writer import open_warehouse

__all__ = [
    "COVERAGE_SQL",
    "SPEND_SQL",
    "AttributionComputation",
    "AttributionRecord",
    "Period",
    "PeriodInputs",
    "attribute_journeys",
    "coverage_notes",
    "price_credit",
    "publish_attribution",
    "read_period_inputs",
    "report_dir",
]

SPEND_SQL = """
WITH names AS (
    -- the newest name (rows without a load time count as oldest)
    SELECT platform, campaign_id,
           arg_max(name, coalesce(_loaded_at, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS name
    FROM core.campaigns GROUP BY ALL
)
SELECT p.platform AS channel, p.campaign_id, n.name AS campaign_name,
       CAST(sum(coalesce(p.spend_reporting, 0)) AS DECIMAL(24, 4)) AS spend
FROM core.ad_performance_daily AS p
LEFT JOIN names AS n ON n.platform = p.platform AND n.campaign_id = p.campaign_id
WHERE p.date BETWEEN $start AND $end
GROUP BY ALL
ORDER BY ALL
"""

COVERAGE_SQL = """
-- days of spend present per ad platform (every platform ref.ad_channels knows, 0 without rows)
SELECT a.channel, count(DISTINCT p.date) AS days, min(p.date) AS first_day,
       max(p.date) AS last_day
FROM ref.ad_channels AS a
LEFT JOIN core.ad_performance_daily AS p
       ON p.platform = a.channel AND p.date BETWEEN $start AND $end
GROUP BY a.channel
ORDER BY a.channel
"""


@dataclass(frozen=True)
class Period:
    """The conversion days of one report (UTC days, both ends included)."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        """First instant of the period."""
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        """First instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)

    def describe(self) -> str:
        """Say the period in words, e.g. ``2026-11-01 to 2026-11-30 (30 days)``."""
        days = (self.end - self.start).days + 1
        return f"{self.start} to {self.end} ({days} day{'s' if days != 1 else ''})"


@dataclass(frozen=True)
class AttributionComputation:
    """Every model's credit for one period, with the journeys' shape and totals."""

    outcomes: list[ModelOutcome]
    summary: JourneySummary
    total_conversions: Decimal
    total_value: Decimal
    journeys: int
    converting_journeys: int

    @property
    def labels(self) -> list[str]:
        """Labels of the models that ran (``markov_order_2``...), in the order run."""
        return [o.label for o in self.outcomes if o.attribution is not None]


@dataclass(frozen=True)
class AttributionRecord:
    """One run as the warehouse stores it (``marts.attribution_*``)."""

    run_id: str
    built_at: dt.datetime
    period: Period
    lookback_days: int
    acquisition_lookback_days: int
    window_rule: str
    models: list[str]
    journeys: int
    converting_journeys: int
    conversions: Decimal
    value: Decimal
    spend: Decimal
    conversions_without_touches: int
    duplicate_conversions: int
    reporting_currency: str
    channels: pd.DataFrame
    campaigns: pd.DataFrame
    report_path: str | None = None
    flow_run_id: str | None = None


@dataclass(frozen=True)
class PeriodInputs:
    """What one report reads from the warehouse before it models anything.

    Attributes:
        stitched: the period's journeys and what stitching could not use.
        spend: spend per platform and campaign (``channel, campaign_id, campaign_name,
            spend``), reporting currency.
        coverage: the days of the period each ad platform's spend covers.
        previous: channel credit of the newest run already published (None before the
            first run), with when it was built and which period it covered.

    """

    stitched: StitchedJourneys
    spend: pd.DataFrame
    previous: pd.DataFrame | None
    previous_at: dt.datetime | None
    previous_period: Period | None
    coverage: SpendCoverage | None = None


@task(name="read-period-inputs", cache_policy=NONE)
def read_period_inputs(
    environment: Environment,
    period: Period,
    lookback_days: int,
    acquisition_lookback_days: int,
    kinds: tuple[str, ...] | None = None,
) -> PeriodInputs:
    """Read the period's journeys, its spend and the last run's credit in one warehouse open.

    One open, not three: each open waits for the warehouse-writer slot (about 2 s apiece
    between tasks on the test server).
    """
    with open_warehouse(environment) as wh:
        stitched = stitch_journeys(
            wh.con,
            period_start=period.start_at,
            period_end=period.end_at,
            lookback_days=lookback_days,
            acquisition_lookback_days=acquisition_lookback_days,
            kinds=kinds,
        )
        spend = pd.DataFrame(
            wh.fetchall(SPEND_SQL, {"start": period.start, "end": period.end}),
            columns=["channel", "campaign_id", "campaign_name", "spend"], dtype=object)
        coverage = SpendCoverage(period.start, period.end, {
            str(channel): ChannelCoverage(int(days), first, last_day)
            for channel, days, first, last_day in wh.fetchall(
                COVERAGE_SQL, {"start": period.start, "end": period.end})
        })
        last = wh.fetchall(
            "SELECT run_id, built_at, period_start, period_end FROM marts.attribution_runs "
            "ORDER BY built_at DESC, run_id DESC LIMIT 1")
        if not last:
            return PeriodInputs(stitched, spend, None, None, None, coverage)
        run_id, built_at, start, end = last[0]
        rows = wh.fetchall(
            "SELECT model, channel, conversions, value FROM marts.attribution_channel_credit "
            "WHERE run_id = $run ORDER BY model, channel", {"run": run_id})
    previous = pd.DataFrame(rows, columns=["model", "channel", "conversions", "value"])
    return PeriodInputs(stitched, spend, previous, built_at, Period(start, end), coverage)


@task(name="attribute-journeys", cache_policy=NONE)
def attribute_journeys(
    stitched: StitchedJourneys, models: list[str], settings: ModelSettings
) -> AttributionComputation:
    """Run the chosen models over the stitched journeys.

    Raises:
        AttributionInputError: the period has no journeys, or the journeys are unusable.

    """
    journeys = journeys_from_touches(stitched.touches, stitched.outcomes)
    outcomes = run_model_set(journeys, models, settings)
    return AttributionComputation(
        outcomes=outcomes,
        summary=journey_summary(journeys),
        total_conversions=journeys.total_conversions,
        total_value=journeys.total_value,
        journeys=len(journeys),
        converting_journeys=len(journeys.converting),
    )


def price_credit(
    computation: AttributionComputation, spend: pd.DataFrame,
    coverage: SpendCoverage | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flatten the credit and add each row's spend and ROAS; refuse sums that do not add up.

    With ``coverage``, rows of an ad platform whose spend misses days of the period get no
    ROAS and a ``roas_note`` saying why (see :func:`marketing.attribution.roas.with_roas`).

    Raises:
        CreditCheckError: a model's rows do not sum exactly to the totals.

    """
    channels, campaigns = credit_tables(computation.outcomes)
    check_credit(channels, campaigns, computation.labels,
                 computation.total_conversions.quantize(Decimal("0.000001")),
                 computation.total_value.quantize(Decimal("0.000001")))
    return with_roas(channels, spend, coverage), with_roas(campaigns, spend, coverage)


def coverage_notes(coverage: SpendCoverage | None, channels: pd.DataFrame) -> list[str]:
    """One sentence per credited ad platform whose spend does not cover the period."""
    if coverage is None or len(channels) == 0:
        return []
    credited = sorted({str(c) for c in channels["channel"]})
    return [f"ROAS left out for {channel}: {note}, so its credit is not priced against part "
            "of its spend." for channel in credited
            if (note := coverage.note(channel)) is not None]


def _none_if_nan(value: object) -> object:
    return None if isinstance(value, float) and value != value else value


def _coverage_columns(row: object) -> tuple[object, object, object, object]:
    """``spend_days, period_days, spend_complete, roas_note`` of a priced row (None if absent)."""
    return tuple(_none_if_nan(getattr(row, name, None))  # type: ignore[return-value]
                 for name in ("spend_days", "period_days", "spend_complete", "roas_note"))


@task(name="publish-attribution", cache_policy=NONE)
def publish_attribution(environment: Environment, record: AttributionRecord) -> None:
    """Write one run's rows to ``marts.attribution_*`` in a single transaction."""
    run = (
        record.run_id, record.built_at, record.period.start, record.period.end,
        record.lookback_days, record.acquisition_lookback_days, record.window_rule,
        record.models, record.journeys, record.converting_journeys, record.conversions,
        record.value, record.spend, record.conversions_without_touches,
        record.duplicate_conversions, record.reporting_currency, record.report_path,
        record.flow_run_id,
    )
    head = (record.run_id, record.period.start, record.period.end)
    channel_rows = [
        (*head, r.model, r.channel, r.conversions, r.value, r.spend, _none_if_nan(r.roas),
         *_coverage_columns(r))
        for r in record.channels.itertuples(index=False)
    ]
    campaign_rows = [
        (*head, r.model, r.channel, r.campaign, r.conversions, r.value, r.spend,
         _none_if_nan(r.roas), *_coverage_columns(r))
        for r in record.campaigns.itertuples(index=False)
    ]
    with open_warehouse(environment) as wh, wh.transaction(context="publish attribution") as con:
        con.execute(
            "INSERT INTO marts.attribution_runs VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", run)
        if channel_rows:
            con.executemany(
                "INSERT INTO marts.attribution_channel_credit (run_id, period_start, "
                "period_end, model, channel, conversions, value, spend, roas, spend_days, "
                "period_days, spend_complete, roas_note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", channel_rows)
        if campaign_rows:
            con.executemany(
                "INSERT INTO marts.attribution_campaign_credit (run_id, period_start, "
                "period_end, model, channel, campaign, conversions, value, spend, roas, "
                "spend_days, period_days, spend_complete, roas_note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", campaign_rows)


def report_dir(environment: Environment) -> Path:
    """Where the HTML reports of this environment are written."""
    return environment.data_dir / "reports"
