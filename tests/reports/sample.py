"""A realistic AttributionReportData for report tests (reusable by flow and CLI tests).

`sample_report_data()` returns a month of attribution for six channels under ten models, with
campaigns (one with a hostile name), path-length and time-to-conversion distributions, top paths,
a previous run to compare with, notes and push-back rows. Everything is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from reports import AttributionReportData
from resources.platforms import channel_colours

HOSTILE_CAMPAIGN = "<script>alert(1)</script>"
ESCAPED_CAMPAIGN = "&lt;script&gt;alert(1)&lt;/script&gt;"

MODELS = [
    "first_touch", "last_touch", "last_non_direct", "linear", "time_decay_7d",
    "position_based_0.4_0.4", "markov_order_2", "shapley_simplified", "shapley_ordered",
    "shapley_coalition",
]
MODEL_NOTES = {
    "first_touch": "All credit to the first touch of the journey.",
    "last_touch": "All credit to the last touch before the conversion.",
    "last_non_direct": "All credit to the last touch that was not direct traffic.",
    "linear": "Credit split evenly over every touch.",
    "time_decay_7d": "Touches closer to the conversion get more credit; "
                     "the weight halves every 7 days.",
    "position_based_0.4_0.4": "40% to the first touch, 40% to the last, 20% shared by the middle.",
    "markov_order_2": "Credit by how much conversions drop when a channel is removed "
                      "(second-order Markov chain).",
    "shapley_simplified": "Shapley values over the set of channels in each journey.",
    "shapley_ordered": "Shapley values that respect the order of touches.",
    "shapley_coalition": "Classic Shapley values from conversion rates of every channel coalition.",
}
# channel -> (spend, share of conversions under a last-touch-like model, under a first-touch one)
CHANNELS = {
    "google_ads": (16_250.0, 0.34, 0.30),
    "meta_ads": (11_900.0, 0.18, 0.27),
    "linkedin_ads": (9_400.0, 0.07, 0.11),
    "email": (1_850.0, 0.16, 0.06),
    "organic": (math.nan, 0.11, 0.19),
    "direct": (math.nan, 0.14, 0.07),
}
TOTAL_CONVERSIONS = 1_284.0
AVERAGE_ORDER_VALUE = 87.5


def _credit(shift: float = 0.0) -> pd.DataFrame:
    rows = []
    for i, model in enumerate(MODELS):
        # Blend between "first-touch-like" and "last-touch-like" shares, model by model.
        w = [1.0, 0.0, 0.15, 0.5, 0.25, 0.5, 0.45, 0.55, 0.4, 0.5][i]
        shares = {ch: w * f + (1 - w) * last for ch, (_, last, f) in CHANNELS.items()}
        if model == "last_non_direct":
            shares["direct"] = 0.02
        shares["google_ads"] += shift
        norm = sum(shares.values())
        for ch, (spend, _, _) in CHANNELS.items():
            conv = TOTAL_CONVERSIONS * shares[ch] / norm
            value = conv * AVERAGE_ORDER_VALUE * (1.25 if ch == "linkedin_ads" else 1.0)
            rows.append({
                "model": model, "channel": ch, "conversions": conv, "value": value,
                "spend": spend, "roas": value / spend if spend > 0 else math.nan,
            })
    return pd.DataFrame(rows)


def _campaigns(credit: pd.DataFrame) -> pd.DataFrame:
    names = {
        "google_ads": ["Brand – Search EU", "Generic – Running shoes", "PMax – Catalogue"],
        "meta_ads": ["Prospecting – Lookalike 2%", "Retargeting – Cart abandoners",
                     HOSTILE_CAMPAIGN],
        "linkedin_ads": ["ABM – Enterprise EMEA", "Webinar – Q4 launch"],
        "email": ["Newsletter – Weekly", "Winback – 90 days"],
    }
    rows = []
    for row in credit.itertuples(index=False):
        if row.channel not in names:
            continue
        camps = names[row.channel]
        weights = np.linspace(1.0, 0.45, len(camps))
        weights = weights / weights.sum()
        for camp, w in zip(camps, weights, strict=True):
            spend = row.spend * w
            value = row.value * w
            rows.append({
                "model": row.model, "channel": row.channel, "campaign": camp,
                "conversions": row.conversions * w, "value": value, "spend": spend,
                "roas": value / spend,
            })
    return pd.DataFrame(rows)


def sample_report_data(*, first_run: bool = False) -> AttributionReportData:
    """Build the sample report; `first_run=True` leaves out the previous run."""
    credit = _credit()
    previous = _credit(shift=-0.02)[["model", "channel", "conversions", "value"]]
    # Late conversions and restated credit move every cell a little between runs.
    noise = np.random.default_rng(7).normal(1.0, 0.05, size=len(previous))
    previous["conversions"] *= noise
    previous["value"] *= noise
    linkedin = previous["channel"] == "linkedin_ads"
    previous.loc[linkedin, ["conversions", "value"]] *= 0.8
    previous.loc[len(previous)] = ["linear", "tiktok_ads", 12.0, 950.0]
    path_lengths = pd.DataFrame({
        "touches": [1, 2, 3, 4, 5, 6, 7, 8],
        "journeys": [9_800, 4_100, 2_250, 1_200, 640, 330, 170, 95],
        "converting": [402, 331, 247, 148, 83, 41, 22, 10],
    })
    path_lengths["conversions"] = path_lengths["converting"] * 1.0
    ttc = pd.DataFrame({
        "bucket": ["same day", "1–2 days", "3–7 days", "8–14 days", "15–30 days", "over 30 days"],
        "journeys": [420, 260, 280, 170, 110, 44],
        "conversions": [420.0, 262.0, 283.0, 171.0, 111.0, 37.0],
    })
    top_paths = pd.DataFrame([
        ("google_ads", 3_100, 190.0), ("direct", 2_600, 121.0),
        ("meta_ads > google_ads", 880, 97.0), ("organic", 2_050, 88.0),
        ("email", 610, 74.0), ("google_ads > direct", 500, 61.0),
        ("meta_ads > email > google_ads", 240, 44.0),
        ("linkedin_ads > google_ads > linkedin_ads", 120, 29.0),
        ("organic > meta_ads > google_ads > direct", 95, 18.0),
        ("meta_ads", 1_900, 16.0),
    ], columns=["path", "journeys", "conversions"])
    top_paths["value"] = top_paths["conversions"] * AVERAGE_ORDER_VALUE
    spend = float(sum(s for s, _, _ in CHANNELS.values() if not math.isnan(s)))
    value = float(credit[credit["model"] == "linear"]["value"].sum())
    data = AttributionReportData(
        title="Attribution — November 2026",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        generated_at=datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
        window="30-day lookback: touches up to 30 days before each conversion count",
        environment="sandbox",
        reporting_currency="EUR",
        models=list(MODELS),
        model_notes=dict(MODEL_NOTES),
        credit=credit,
        campaigns=_campaigns(credit),
        path_lengths=path_lengths,
        time_to_conversion=ttc,
        top_paths=top_paths,
        previous=previous,
        previous_generated_at=datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
        totals={"conversions": TOTAL_CONVERSIONS, "value": value, "spend": spend,
                "journeys": 18_585.0, "converting_journeys": 1_284.0},
        notes=[
            "37 conversions had no touchpoint in the lookback window and were left out.",
            "12 duplicate conversion events (same order id) were counted once.",
        ],
        pushed=[
            {"destination": "google_ads", "planned": 1_120, "sent": 1_084, "already_sent": 30,
             "skipped": 6, "rejected": 0},
            {"destination": "meta_ads", "planned": 1_120, "sent": 1_101, "already_sent": 0,
             "skipped": 4, "rejected": 15},
        ],
        channel_colours=channel_colours(),  # the platforms' declared colours, as the task does
    )
    if first_run:
        return replace(data, previous=None, previous_generated_at=None)
    return data


def empty_report_data() -> AttributionReportData:
    """The sample with every frame empty (no columns at all) and nothing to compare."""
    empty = pd.DataFrame()
    return replace(
        sample_report_data(), credit=empty, campaigns=empty, path_lengths=empty,
        time_to_conversion=empty, top_paths=empty, previous=None, previous_generated_at=None,
        totals={}, notes=[], pushed=[],
    )
