"""Verification of applied budget changes: effect against a control, verdicts, reverts."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.budgets.verify import DayResult, VerifyError, VerifyPolicy, verify_change


def days(spend: float, value: float, n: int, *, noise: float = 0.0, seed: int = 0,
         scale: float = 1.0) -> list[DayResult]:
    rng = random.Random(seed)
    return [DayResult(spend * scale, max(0.0, value * scale * (1 + rng.gauss(0, noise))))
            for _ in range(n)]


def test_a_raise_that_earned_more_than_its_spend_helped():
    pre, post = days(100, 250, 14, noise=0.05, seed=1), days(130, 340, 7, noise=0.05, seed=2)
    result = verify_change("a", pre, post, before=Decimal(100), after=Decimal(130),
                           predicted_value_delta=80.0)
    assert result.verdict == "helped" and not result.revert
    assert result.counterfactual == "pre-period level"
    assert result.spend_moved == pytest.approx(30)
    assert 70 < result.effect < 110  # about 90 more value per day
    assert result.prediction_error == pytest.approx(result.effect - 80.0)
    assert "budget raised 100 -> 130" in result.note


def test_a_raise_whose_extra_spend_earned_nothing_hurt_and_is_reverted():
    pre, post = days(100, 250, 14, noise=0.03, seed=3), days(150, 250, 7, noise=0.03, seed=4)
    result = verify_change("a", pre, post, before=Decimal(100), after=Decimal(150),
                           predicted_value_delta=60.0)
    assert result.verdict == "hurt" and result.revert
    assert result.net_interval[1] < 0
    assert result.prediction_error < -40


def test_a_market_wide_dip_moves_the_control_too_and_is_not_harm():
    # Every entity lost 30 % of its value after the change day (a holiday, a tracking gap
    # everywhere); the changed one lost the same share on a budget held almost flat.
    pre, post = days(100, 300, 14, noise=0.02, seed=5), days(101, 210, 7, noise=0.02, seed=6)
    controls = {f"c{n}": (days(80, 200, 14, noise=0.02, seed=10 + n),
                          days(80, 140, 7, noise=0.02, seed=20 + n)) for n in range(3)}
    alone = verify_change("a", pre, post, before=Decimal(100), after=Decimal(101),
                          predicted_value_delta=1.0)
    judged = verify_change("a", pre, post, before=Decimal(100), after=Decimal(101),
                           predicted_value_delta=1.0, controls=controls)
    assert alone.verdict == "hurt"  # against its own past it looks like a loss
    assert judged.counterfactual == "control" and judged.verdict != "hurt"
    assert abs(judged.effect) < 15


def test_a_cut_that_lost_more_value_than_the_saved_spend_would_earn_hurt():
    # Cutting 100 -> 60 saved 40 a day and lost 160 of value a day: 4x the saved spend.
    pre, post = days(100, 400, 14, noise=0.02, seed=7), days(60, 240, 7, noise=0.02, seed=8)
    result = verify_change("a", pre, post, before=Decimal(100), after=Decimal(60),
                           predicted_value_delta=-50.0, policy=VerifyPolicy(target_roas=2.0))
    assert result.spend_moved == pytest.approx(-40)
    assert result.verdict == "hurt" and result.revert
    # The same cut judged at a 5x target: the saved spend had to earn more than was lost.
    lenient = verify_change("a", pre, post, before=Decimal(100), after=Decimal(60),
                            predicted_value_delta=-50.0, policy=VerifyPolicy(target_roas=5.0))
    assert lenient.verdict == "helped"


def test_noise_without_a_clear_effect_is_unclear_and_too_few_days_too_early():
    pre, post = days(100, 250, 14, noise=0.6, seed=9), days(110, 262, 7, noise=0.6, seed=10)
    result = verify_change("a", pre, post, before=Decimal(100), after=Decimal(110),
                           predicted_value_delta=20.0)
    assert result.verdict == "unclear" and not result.revert
    early = verify_change("a", pre, post[:2], before=Decimal(100), after=Decimal(110),
                          predicted_value_delta=20.0)
    assert early.verdict == "too_early" and "2 after; 7 and 5 needed" in early.note


def test_bad_days_are_refused_with_where():
    with pytest.raises(VerifyError, match="a after the change: spend and value must be"):
        verify_change("a", days(1, 1, 7), [DayResult(-1.0, 2.0)] * 5, before=Decimal(1),
                      after=Decimal(2), predicted_value_delta=0.0)
    with pytest.raises(VerifyError, match="no day before the change"):
        verify_change("a", [], days(1, 1, 5), before=Decimal(1), after=Decimal(2),
                      predicted_value_delta=0.0)


@settings(max_examples=60, deadline=None)
@given(spend=st.floats(1, 1e4), value=st.floats(1, 1e5), lift=st.floats(0.3, 3.0),
       raise_by=st.floats(0.5, 2.0), scale=st.sampled_from([0.01, 1.0, 1000.0]),
       seed=st.integers(0, 10_000))
def test_the_verdict_does_not_depend_on_the_currency_scale(spend, value, lift, raise_by,
                                                           scale, seed):
    pre = days(spend, value, 14, noise=0.1, seed=seed)
    post = days(spend * raise_by, value * lift, 7, noise=0.1, seed=seed + 1)
    base = verify_change("a", pre, post, before=Decimal(1), after=Decimal(2),
                         predicted_value_delta=0.0)
    scaled = verify_change("a", days(spend, value, 14, noise=0.1, seed=seed, scale=scale),
                           days(spend * raise_by, value * lift, 7, noise=0.1, seed=seed + 1,
                                scale=scale),
                           before=Decimal(1), after=Decimal(2), predicted_value_delta=0.0)
    assert scaled.verdict == base.verdict
    assert scaled.effect == pytest.approx(base.effect * scale, rel=1e-6, abs=1e-6)
    assert base.revert == (base.verdict == "hurt")
