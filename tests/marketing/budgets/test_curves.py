"""Curve fits recover planted parameters; thin or shapeless data falls back with its reason."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from marketing.budgets.curves import (
    CurveError,
    CurveKind,
    FitSettings,
    fit_curve,
    fit_curves,
    hill,
    saturating,
)
from marketing.budgets.reasons import Reason

WEEKDAY = (1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 1.0)


def _history(days: int, seed: int, a: float = 5000.0, b: float = 800.0,
             noise: float = 0.05, family: CurveKind = CurveKind.HILL,
             weekday: tuple[float, ...] = WEEKDAY) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day0 = date(2026, 9, 7)  # a Monday
    spend = rng.uniform(200, 2000, days)
    mult = np.array([weekday[(day0 + timedelta(i)).weekday()] for i in range(days)])
    shape = spend / (b + spend) if family is CurveKind.HILL else 1 - np.exp(-spend / b)
    value = mult * a * shape * (1 + noise * rng.standard_normal(days))
    return pd.DataFrame({"day": [day0 + timedelta(i) for i in range(days)], "spend": spend,
                         "value": np.maximum(value, 0), "conversions": 5})


@pytest.mark.parametrize("family", [CurveKind.HILL, CurveKind.SATURATING])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fit_recovers_planted_curve(seed: int, family: CurveKind) -> None:
    curve = fit_curve(_history(56, seed, family=family), settings=FitSettings(family=family))
    assert curve.kind is family and curve.note is None
    assert curve.a == pytest.approx(5000, rel=0.1)
    assert curve.b == pytest.approx(800, rel=0.2)  # the prior leans toward the median spend
    assert curve.r2 is not None and curve.r2 > 0.8
    assert curve.data_days == 56
    assert curve.weekday[0] > curve.weekday[5]  # Monday above Saturday, as planted
    truth = (hill if family is CurveKind.HILL else saturating)(5000, 800)
    lo, hi = curve.marginal_interval(1000)
    assert lo < curve.marginal(1000) < hi
    assert abs(curve.marginal(1000) - truth.marginal(1000)) < 0.3


def test_hill_is_half_way_at_b_and_its_marginal_is_the_derivative() -> None:
    curve = hill(1000, 200)
    assert curve.value(200) == pytest.approx(500)
    h = 1e-3
    for x in (0.0, 50.0, 200.0, 900.0):
        numeric = (curve.value(x + h) - curve.value(max(x - h, 0.0))) / (x + h - max(x - h, 0))
        assert curve.marginal(x) == pytest.approx(numeric, rel=1e-4)
    with pytest.raises(CurveError, match="b > 0"):
        hill(1000, 0)


def test_delivery_cap_is_best_week_times_1_5() -> None:
    rows = _history(28, 4)
    best = rows["spend"].rolling(7).mean().max()
    curve = fit_curve(rows)
    assert curve.cap == pytest.approx(1.5 * best)
    assert curve.value(10 * best) == curve.value(curve.cap)
    assert curve.marginal(curve.cap) == 0.0 < curve.marginal(curve.cap * 0.99)


def test_thin_data_falls_back_to_shrunk_roas() -> None:
    rows = _history(10, 5)
    curve = fit_curve(rows, pooled_roas=1.0)
    assert curve.kind is CurveKind.LINEAR and curve.note is Reason.THIN_DATA
    own = rows["value"].sum() / rows["spend"].sum()
    s0 = 7 * rows["spend"].median()
    assert curve.a == pytest.approx((rows["value"].sum() + s0) / (rows["spend"].sum() + s0))
    assert 1.0 < curve.a < own  # pulled toward the pool, not onto it


def test_few_conversions_fall_back_too() -> None:
    rows = _history(40, 6).assign(conversions=0)
    assert fit_curve(rows, pooled_roas=2.0).note is Reason.THIN_DATA


def test_noise_without_shape_keeps_the_priors_curvature() -> None:
    """Pure noise neither flattens the curve nor makes it linear: b stays near the spend seen,
    and the marginal ROAS's interval is wide, saying how little the days tell."""
    rng = np.random.default_rng(7)
    rows = pd.DataFrame({"day": pd.date_range("2026-09-01", periods=40),
                         "spend": rng.uniform(100, 1000, 40), "value": rng.uniform(0, 3000, 40)})
    curve = fit_curve(rows, pooled_roas=2.0)
    assert curve.kind is CurveKind.HILL and curve.note is None
    median = float(rows["spend"].median())
    assert median / 3 < curve.b < median * 3
    assert curve.r2 is not None and curve.r2 < 0.2
    lo, hi = curve.marginal_interval(median)
    assert hi - lo > 0.5 * curve.marginal(median)


def test_the_prior_pulls_a_noisy_fit_not_a_clear_one() -> None:
    """The same planted curve, seen through little noise and through much: the clear history
    finds the planted b, the noisy one stays closer to the prior's (the median spend)."""
    clear = fit_curve(_history(56, 8, b=300.0, noise=0.02))
    noisy = fit_curve(_history(56, 8, b=300.0, noise=1.0))
    assert clear.b == pytest.approx(300, rel=0.15)
    median = float(_history(56, 8)["spend"].median())
    assert abs(math.log(noisy.b / median)) < abs(math.log(clear.b / median))


def test_no_value_at_all_is_a_poor_fit() -> None:
    rows = _history(28, 9).assign(value=0.0)
    curve = fit_curve(rows, pooled_roas=2.0)
    assert curve.kind is CurveKind.LINEAR and curve.note is Reason.POOR_FIT
    assert math.isinf(curve.b)


def test_refit_is_identical() -> None:
    rows = _history(30, 10, noise=0.3)
    assert fit_curve(rows) == fit_curve(rows.copy())


def test_bad_rows_say_what_is_wrong() -> None:
    with pytest.raises(CurveError, match="missing columns"):
        fit_curve([{"day": "2026-09-01", "spend": 1}])
    with pytest.raises(CurveError, match="negative"):
        fit_curve([{"day": "2026-09-01", "spend": -1, "value": 0}])


def _channel(seed: int, n: int, weekday: tuple[float, ...], noise: float,
             days: int = 21) -> dict[str, pd.DataFrame]:
    return {f"e{seed}-{i}": _history(days, seed * 100 + i, a=3000.0 + 500 * i, b=600.0,
                                     noise=noise, weekday=weekday) for i in range(n)}


def _amplitude(weekday: tuple[float, ...]) -> float:
    return max(abs(m - 1) for m in weekday)


def test_a_channels_entities_share_its_weekday_pattern() -> None:
    planted = _channel(1, 10, WEEKDAY, 0.1, days=56)
    quiet = _channel(2, 10, (1.0,) * 7, 0.1, days=56)
    frames = {**planted, **quiet}
    channels = {**dict.fromkeys(planted, "meta_ads"), **dict.fromkeys(quiet, "linkedin_ads")}
    curves = fit_curves(frames, channels=channels)
    assert list(curves) == sorted(frames)
    meta = {curves[k].weekday for k in planted}
    linkedin = {curves[k].weekday for k in quiet}
    assert len(meta) == 1 and len(linkedin) == 1  # one pattern per channel
    (found,) = meta
    assert found[0] > found[5]  # Monday above Saturday, as planted
    assert _amplitude(found) > 0.05 > _amplitude(next(iter(linkedin)))
    # the channel's days say more than one entity's: alone, the prior keeps it near flat
    alone = fit_curve(planted[sorted(planted)[0]])
    assert _amplitude(alone.weekday) < _amplitude(found) / 3


def test_shared_weekdays_stay_flat_under_each_entitys_noise() -> None:
    """Three weeks of noisy days without a weekday effect: the channel's multipliers stay
    within 8 % of 1, so they do not tilt its entities' curves from day to day; each entity
    fitted alone with the old two-day prior tilts by about 25 %."""
    frames = _channel(3, 10, (1.0,) * 7, 0.4)
    shared = fit_curves(frames, channels=dict.fromkeys(frames, "google_ads"))
    assert max(_amplitude(c.weekday) for c in shared.values()) < 0.08
    old = FitSettings(weekday_prior_days=2.0)
    alone = [_amplitude(fit_curve(rows, settings=old).weekday) for rows in frames.values()]
    assert float(np.median(alone)) > 0.15


def test_fit_curves_says_what_is_missing() -> None:
    frames = _channel(4, 2, WEEKDAY, 0.1)
    with pytest.raises(CurveError, match="no channel"):
        fit_curves(frames, channels={})
    with pytest.raises(CurveError, match="seven positive"):
        fit_curve(next(iter(frames.values())), weekday=(1.0, 1.0))
