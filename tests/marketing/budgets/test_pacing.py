"""Intraday pacing trims only entities projected to overspend, within the guardrails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketing.budgets.guardrails import PlatformLimits
from marketing.budgets.pacing import (
    IntradayEntity,
    PacingError,
    month_pace,
    projected_spend,
    trim_intraday,
)
from marketing.budgets.reasons import Reason

FLAT = [1.0] * 24


def test_projection_follows_the_hourly_profile() -> None:
    assert projected_spend(Decimal(50), 12, FLAT) == Decimal(100)
    evening = [0.0] * 12 + [1.0] * 12  # nothing expected before noon
    assert projected_spend(Decimal(0), 6, evening) is None
    assert projected_spend(Decimal(30), 18, evening) == Decimal(60)


def test_only_overspenders_are_trimmed() -> None:
    entities = [
        IntradayEntity("hot", "google_ads", Decimal(100), Decimal(100), Decimal(60)),
        IntradayEntity("on_pace", "google_ads", Decimal(100), Decimal(100), Decimal(50)),
        IntradayEntity("cold", "google_ads", Decimal(100), Decimal(100), Decimal(20)),
        IntradayEntity("slightly", "google_ads", Decimal(100), Decimal(100), Decimal(52)),
    ]
    out = {d.entity_id: d for d in trim_intraday(entities, hour=12, profile=FLAT)}
    # hot: projected 120, 40 left for a half-day that would spend 60 -> budget x 2/3 = 66.67,
    # clipped at the -30 % step bound
    assert out["hot"].projected == Decimal(120)
    assert out["hot"].after == Decimal(70)
    assert out["hot"].reasons == (Reason.PACING, Reason.STEP_BOUND)
    for eid in ("on_pace", "cold", "slightly"):  # within the 5 % tolerance or below plan
        assert out[eid].after == out[eid].before and out[eid].reasons == ()


def test_trim_respects_minimum_rounding_learning_and_exclusion() -> None:
    limits = PlatformLimits(minimum=Decimal(90), step=Decimal(1))
    out = trim_intraday([
        IntradayEntity("floor", "google_ads", Decimal(100), Decimal(100), Decimal(56), limits),
        IntradayEntity("learning", "meta_ads", Decimal(100), Decimal(100), Decimal(80),
                       learning=True),
        IntradayEntity("excluded", "meta_ads", Decimal(100), Decimal(100), Decimal(80),
                       excluded=True),
        IntradayEntity("round", "linkedin_ads", Decimal(100), Decimal("100"), Decimal(53),
                       PlatformLimits(step=Decimal(1))),
    ], hour=12, profile=FLAT)
    by_id = {d.entity_id: d for d in out}
    assert by_id["floor"].after == Decimal(90)
    assert Reason.PLATFORM_MINIMUM in by_id["floor"].reasons
    assert by_id["learning"].after == Decimal(100)
    assert by_id["learning"].reasons == (Reason.LEARNING,)
    assert by_id["excluded"].reasons == (Reason.EXCLUDED,)
    # projected 106, 47 left for a half-day that would spend 53: 88.68 -> 88
    assert by_id["round"].after == Decimal(88)
    assert by_id["round"].reasons == (Reason.PACING, Reason.ROUNDING)


def test_month_pace_within_the_band() -> None:
    on_track = month_pace(Decimal(3000), Decimal(1000), date(2026, 11, 11))  # 2000 / 20 days
    assert on_track.total == Decimal(100) and not on_track.clipped
    behind = month_pace(Decimal(3000), Decimal(0), date(2026, 11, 21))
    assert behind.total == Decimal(125) and behind.clipped
    spent = month_pace(Decimal(3000), Decimal(3100), date(2026, 11, 21))
    assert spent.total == Decimal(0)
    with pytest.raises(PacingError, match="24 non-negative"):
        trim_intraday([], hour=3, profile=[1.0] * 23)


def test_nothing_is_trimmed_before_the_first_hour_of_trims() -> None:
    hot = IntradayEntity("a", "google_ads", Decimal(100), Decimal(100), Decimal(50))
    calm = IntradayEntity("b", "google_ads", Decimal(100), Decimal(100), Decimal(5))
    early = {d.entity_id: d for d in trim_intraday([hot, calm], hour=2, profile=FLAT,
                                                   min_hour=3)}
    assert early["a"].after == Decimal(100) and early["a"].reasons == (Reason.TOO_EARLY,)
    assert early["b"].reasons == ()
    later = {d.entity_id: d for d in trim_intraday([hot, calm], hour=3, profile=FLAT,
                                                   min_hour=3)}
    assert later["a"].after < Decimal(100) and Reason.PACING in later["a"].reasons
