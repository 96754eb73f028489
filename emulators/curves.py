"""Hidden response curves of the market: what an ad delivers on a day for a given spend.

Pure functions of (seed, ad, day, spend). The market decides the spend (budget, pacing,
status); this module turns it into impressions, clicks and individual conversion events,
each with an attribution kind, a click-to-conversion lag and a reporting delay, so that
"conversions for day d as observed on date t" is a count over events and grows
monotonically with t - d until it is complete after ``LAG_DAYS`` days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from emulators import _rng

LAG_DAYS = 28
"""Conversions of a day are complete (never restated again) this many days later."""

CLICK_WINDOWS = {"1d_click": 1, "7d_click": 7, "28d_click": 28}
VIEW_WINDOWS = {"1d_view": 1}
DEFAULT_WINDOWS = ("7d_click", "1d_view")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CampaignCurve:
    """Hidden per-campaign economics (never exposed by any API)."""

    cpa_k: float  # cost per conversion at the half-saturation spend, market units (USD)
    half_saturation: float  # daily ad spend (market units) where returns halve
    hill: float  # Hill exponent (shape of diminishing returns)
    aov: float  # average order value, market units
    view_share: float  # share of conversions attributed to a view


@dataclass(frozen=True)
class AdCurve:
    """Hidden per-ad delivery parameters."""

    cpm: float  # market units per 1000 impressions
    ctr: float  # clicks per impression
    weight: float  # share of its budget holder's spend among sibling ads


@dataclass(frozen=True)
class ConversionEvent:
    """One purchase credited to an ad-day."""

    kind: str  # "click" or "view"
    click_lag: int  # days from the ad interaction to the purchase (0..27)
    observed_lag: int  # days after the ad-day when the platform reports it (0..28)
    intraday: float  # fraction of the ad-day at which a same-day report appears
    value: Decimal  # order value in account currency
    incremental: bool = True  # False: a reported view-through that earned nothing


@dataclass(frozen=True)
class Delivery:
    """Complete (final) outcome of one ad on one day, before any as-of cut."""

    spend: Decimal
    impressions: int
    clicks: int
    events: tuple[ConversionEvent, ...]


def money(amount: float) -> Decimal:
    """Round a float amount to cents."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def expected_conversions(curve: CampaignCurve, spend_units: float) -> float:
    """Hill (diminishing returns) response: mean conversions for a day's spend."""
    if spend_units <= 0:
        return 0.0
    emax = 2.0 * curve.half_saturation / curve.cpa_k
    s_n: float = spend_units**curve.hill
    k_n: float = curve.half_saturation**curve.hill
    return emax * s_n / (k_n + s_n)


def _click_lag(u: float) -> int:
    # Truncated exponential with a 3-day scale: most purchases come within a week.
    top = 1.0 - math.exp(-LAG_DAYS / 3.0)
    return min(LAG_DAYS - 1, int(-3.0 * math.log(1.0 - u * top)))


def _report_delay(u: float) -> int:
    # Most events arrive the same day; offline/CAPI uploads arrive days later.
    if u < 0.7:
        return 0
    if u < 0.95:
        return 1 + int((u - 0.7) / 0.125)
    return 3 + int((u - 0.95) / 0.01)


def deliver(
    seed: int,
    ad_id: str,
    day_ordinal: int,
    spend: Decimal,
    fx: float,
    campaign: CampaignCurve,
    ad: AdCurve,
    multiplier: float = 1.0,
) -> Delivery:
    """Compute the complete outcome of ``ad_id`` on a day for a given spend.

    ``multiplier`` scales the expected conversions (a learning phase, see
    ``emulators.steering``); at 1.0 the draws are exactly those without it.
    """
    if spend <= 0:
        return Delivery(Decimal("0.00"), 0, 0, ())
    u = _rng.uniforms(seed, 6, ad_id, day_ordinal, "delivery")
    units = float(spend) * fx
    cpm = ad.cpm * math.exp(0.15 * _rng.gauss(u[0], u[1]))
    impressions = max(1, round(units / cpm * 1000.0))
    ctr = ad.ctr * math.exp(0.2 * _rng.gauss(u[2], u[3]))
    clicks = min(impressions, round(impressions * ctr))
    mean = expected_conversions(campaign, units)
    if multiplier != 1.0:
        mean *= multiplier
    count = _rng.poisson_from(mean, u[4], u[5])
    events: list[ConversionEvent] = []
    clicked = 0
    for i in range(count):
        e = _rng.uniforms(seed, 6, ad_id, day_ordinal, "event", i)
        is_view = e[0] < campaign.view_share
        if not is_view and clicked >= clicks:
            continue  # a click-through purchase needs a click
        lag = 0 if is_view else _click_lag(e[1])
        clicked += 0 if is_view else 1
        order = campaign.aov / fx * math.exp(0.35 * _rng.gauss(e[4], e[5]) - 0.06)
        events.append(
            ConversionEvent(
                kind="view" if is_view else "click",
                click_lag=lag,
                observed_lag=min(LAG_DAYS, lag + _report_delay(e[2])),
                intraday=e[3],
                value=money(max(1.0, order)),
            )
        )
    return Delivery(spend, impressions, clicks, tuple(events))


def in_window(event: ConversionEvent, window: str) -> bool:
    """Whether an event is credited under an attribution window such as ``7d_click``."""
    if event.kind == "click" and window in CLICK_WINDOWS:
        return event.click_lag < CLICK_WINDOWS[window]
    if event.kind == "view" and window in VIEW_WINDOWS:
        return event.click_lag < VIEW_WINDOWS[window]
    return False


def in_any_window(event: ConversionEvent, windows: tuple[str, ...]) -> bool:
    """Whether an event is credited under the union of ``windows``."""
    return any(in_window(event, w) for w in windows)
