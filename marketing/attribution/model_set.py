"""Run a chosen set of attribution models over one period's journeys, and check the result.

The report flow asks for models by name (the UI form's choices, :data:`MODEL_NAMES`) with
their settings (:class:`ModelSettings`); :func:`run_model_set` runs each, and a model that
cannot run on these journeys (coalition Shapley over more than 20 channels, an order choice
on too few journeys) is *skipped with its reason* rather than failing the others.
:func:`credit_tables` flattens the results into the warehouse's row shape and
:func:`check_credit` refuses any table whose credit does not sum exactly to the totals.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pandas as pd

from marketing.attribution.credit import Attribution
from marketing.attribution.heuristics import (
    first_touch,
    last_non_direct,
    last_touch,
    linear,
    position_based,
    time_decay,
)
from marketing.attribution.journeys import AttributionInputError, Journeys
from marketing.attribution.markov import markov, markov_auto
from marketing.attribution.roas import CAMPAIGN_NONE
from marketing.attribution.shapley import shapley_coalition, shapley_ordered, shapley_simplified

__all__ = [
    "MODEL_NAMES",
    "CreditCheckError",
    "ModelName",
    "ModelOutcome",
    "ModelSettings",
    "check_credit",
    "credit_tables",
    "describe_model",
    "run_model_set",
]

ModelName = Literal[
    "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
    "markov", "shapley_simplified", "shapley_ordered", "shapley_coalition",
]
"""A model the report can run (the names in the UI's run form)."""

MODEL_NAMES: tuple[ModelName, ...] = (
    "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
    "markov", "shapley_simplified", "shapley_ordered", "shapley_coalition",
)


class CreditCheckError(ValueError):
    """Credit rows that do not add up to the period's conversions and value."""


@dataclass(frozen=True)
class ModelSettings:
    """Parameters of the models (defaults are the report's).

    Attributes:
        half_life_days: time decay: a touch this many days before the conversion counts half.
        position_first: position based: share of the first touch.
        position_last: position based: share of the last touch.
        markov_order: the Markov chain's order; None chooses 1..``markov_max_order`` by
            held-out log-likelihood.
        markov_max_order: the highest order tried when choosing.
        direct_channels: the channels last-non-direct skips.

    """

    half_life_days: float = 7.0
    position_first: float = 0.4
    position_last: float = 0.4
    markov_order: int | None = None
    markov_max_order: int = 4
    direct_channels: tuple[str, ...] = ("direct",)


@dataclass(frozen=True)
class ModelOutcome:
    """One requested model: its credit, or why it was skipped.

    Attributes:
        name: the requested model (a :data:`ModelName`).
        attribution: the credit (None when skipped).
        skipped: why the model could not run on these journeys (None when it ran).
        note: what the model did differently from what was asked (e.g. a fallback order).
        seconds: how long it took.

    """

    name: str
    attribution: Attribution | None
    skipped: str | None
    note: str | None
    seconds: float

    @property
    def label(self) -> str:
        """The result's own model label (``markov_order_2``), else the requested name."""
        return self.attribution.model if self.attribution is not None else self.name


def describe_model(label: str) -> str:
    """Return one sentence that says what a model label means (for legends)."""
    if label.startswith("markov_order_"):
        order = label.removeprefix("markov_order_")
        return (f"Markov chain of order {order}, solved exactly: a channel's share is its "
                "removal effect (ChannelAttribution's global-share convention).")
    if label.startswith("time_decay"):
        return ("Time decay: a touch counts half as much for every half-life before the "
                f"conversion ({label.removeprefix('time_decay_')}).")
    if label.startswith("position_based"):
        parts = label.removeprefix("position_based_").split("_")
        return (f"Position based: {float(parts[0]):.0%} to the first touch, "
                f"{float(parts[-1]):.0%} to the last, the rest split over the middle.")
    return {
        "first_touch": "First touch: the whole conversion to the journey's first touch.",
        "last_touch": "Last touch: the whole conversion to the journey's last touch.",
        "last_non_direct": "Last non-direct: the last touch that was not direct traffic.",
        "linear": "Linear: equal shares to every touch of the journey.",
        "shapley_simplified": ("Simplified Shapley (Zhao et al., set-based): equal shares to "
                               "the distinct channels of each converting journey."),
        "shapley_ordered": ("Ordered Shapley (Zhao et al.): the same channel totals, credited "
                            "at the position where each channel first entered."),
        "shapley_coalition": ("Classic Shapley over all channel coalitions, the value of a "
                              "coalition being its conversion rate (non-converting journeys "
                              "count); each journey's value goes to its channels in "
                              "proportion to their Shapley values."),
    }.get(label, label)


def _run_one(
    name: str, journeys: Journeys, settings: ModelSettings
) -> tuple[Attribution | None, str | None, str | None]:
    """Run one model; return (credit, why it was skipped, what it did differently)."""
    if name == "first_touch":
        return first_touch(journeys), None, None
    if name == "last_touch":
        return last_touch(journeys), None, None
    if name == "last_non_direct":
        return last_non_direct(journeys, settings.direct_channels), None, None
    if name == "linear":
        return linear(journeys), None, None
    if name == "time_decay":
        return time_decay(journeys, settings.half_life_days), None, None
    if name == "position_based":
        credit = position_based(journeys, settings.position_first, settings.position_last)
        return credit, None, None
    if name == "markov":
        if settings.markov_order is not None:
            return markov(journeys, settings.markov_order), None, None
        try:
            return markov_auto(journeys, max_order=settings.markov_max_order), None, None
        except AttributionInputError as exc:  # its order choice: too few journeys to hold out
            return markov(journeys, 1), None, f"order 1 used: {exc}"
    if name == "shapley_simplified":
        return shapley_simplified(journeys), None, None
    if name == "shapley_ordered":
        return shapley_ordered(journeys), None, None
    if name == "shapley_coalition":
        try:
            return shapley_coalition(journeys), None, None
        except AttributionInputError as exc:  # more channels than coalitions can enumerate
            return None, str(exc), None
    raise AttributionInputError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")


def run_model_set(
    journeys: Journeys, models: Sequence[str], settings: ModelSettings | None = None
) -> list[ModelOutcome]:
    """Run ``models`` in order over ``journeys``.

    Coalition Shapley over more channels than it can enumerate is skipped with the reason;
    an automatic Markov order that cannot be chosen (too few journeys to hold any out) falls
    back to order 1 and says so in the outcome's ``note``.

    Raises:
        AttributionInputError: an unknown model name, a repeated one, or settings no model
            could accept (a non-positive half-life, position shares outside 0..1).

    """
    settings = settings or ModelSettings()
    unknown = [m for m in models if m not in MODEL_NAMES]
    if unknown:
        raise AttributionInputError(
            f"unknown models {unknown}; known: {', '.join(MODEL_NAMES)}")
    if len(set(models)) != len(models):
        raise AttributionInputError(f"each model may be named once, got {list(models)}")
    outcomes = []
    for name in models:
        started = time.perf_counter()
        result, skipped, note = _run_one(name, journeys, settings)
        outcomes.append(
            ModelOutcome(name, result, skipped, note, time.perf_counter() - started))
    return outcomes


def credit_tables(outcomes: Sequence[ModelOutcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flatten the models' credit into rows (skipped models give none).

    Returns:
        ``(channels, campaigns)``: frames ``model, channel, conversions, value`` and
        ``model, channel, campaign, conversions, value`` (Decimal amounts; a touch without a
        campaign is campaign ``(none)``), models in the order run.

    """
    channel_rows: list[tuple[str, str, Decimal, Decimal]] = []
    campaign_rows: list[tuple[str, str, str, Decimal, Decimal]] = []
    for outcome in outcomes:
        result = outcome.attribution
        if result is None:
            continue
        for row in result.channels.itertuples(index=False):
            channel_rows.append((result.model, str(row.channel), row.conversions, row.value))
        merged: dict[tuple[str, str], list[Decimal]] = {}
        for row in result.campaigns.itertuples(index=False):
            campaign = CAMPAIGN_NONE if row.campaign is None else str(row.campaign)
            acc = merged.setdefault((str(row.channel), campaign), [Decimal(0), Decimal(0)])
            acc[0] += row.conversions
            acc[1] += row.value
        campaign_rows += [(result.model, ch, camp, c, v) for (ch, camp), (c, v) in merged.items()]
    channels = pd.DataFrame(channel_rows, columns=["model", "channel", "conversions", "value"],
                            dtype=object)
    campaigns = pd.DataFrame(
        campaign_rows, columns=["model", "channel", "campaign", "conversions", "value"],
        dtype=object)
    return channels, campaigns


def check_credit(
    channels: pd.DataFrame,
    campaigns: pd.DataFrame,
    models: Sequence[str],
    total_conversions: Decimal,
    total_value: Decimal,
) -> None:
    """Refuse credit tables that lose or invent conversions or value.

    Every model in ``models`` must have channel and campaign rows whose conversions and value
    sum exactly to the totals, with no negative, null or NaN amount and no row without a
    channel.

    Raises:
        CreditCheckError: naming the model, the table and what is wrong.

    """
    for table_name, table in (("channel", channels), ("campaign", campaigns)):
        if len(table) and table["channel"].isna().any():
            raise CreditCheckError(f"{table_name} credit: a row has no channel")
        for model in models:
            rows = table[table["model"] == model]
            if rows.empty:
                raise CreditCheckError(f"{table_name} credit: model {model} has no rows")
            for column, total in (("conversions", total_conversions), ("value", total_value)):
                amounts = list(rows[column])
                if any(not isinstance(a, Decimal) or not a.is_finite() or a < 0
                       for a in amounts):
                    raise CreditCheckError(
                        f"{table_name} credit of {model}: {column} holds a negative, missing "
                        "or non-finite amount")
                summed = sum(amounts, Decimal(0))
                if summed != total:
                    raise CreditCheckError(
                        f"{table_name} credit of {model}: {column} sum to {summed}, "
                        f"not the period's {total}")
