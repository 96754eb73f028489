"""Properties every model keeps on arbitrary journeys (hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketing.attribution import (
    Attribution,
    Journeys,
    first_touch,
    journeys_from_touches,
    last_non_direct,
    last_touch,
    linear,
    markov,
    position_based,
    shapley_coalition,
    shapley_ordered,
    shapley_simplified,
    time_decay,
)
from tests.marketing.attribution.helpers import assert_exact_totals, frames

CHANNELS = ["direct", "email", "google", "meta", "seo"]
RULES: dict[str, Callable[[Journeys], Attribution]] = {
    "first": first_touch, "last": last_touch, "last_non_direct": last_non_direct,
    "linear": linear, "decay": lambda j: time_decay(j, 2.5), "position": position_based,
    "shapley": shapley_simplified, "shapley_ordered": shapley_ordered,
}
MODELS = {**RULES, "markov1": markov, "markov2": lambda j: markov(j, 2),
          "shapley_coalition": shapley_coalition}

step = st.tuples(st.sampled_from(CHANNELS), st.sampled_from([None, "c1", "c2"]),
                 st.floats(0, 30, allow_nan=False))
journey = st.tuples(st.lists(step, min_size=1, max_size=6), st.integers(0, 3),
                    st.decimals(0, 500, places=2))
specs = st.lists(journey, min_size=1, max_size=25).map(
    lambda js: {f"J{i:03d}": (steps, conv, str(val) if conv else "0")
                for i, (steps, conv, val) in enumerate(js)})

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(specs)
def test_credit_sums_exactly_to_totals(spec) -> None:
    j = journeys_from_touches(*frames(spec))
    for model in MODELS.values():
        assert_exact_totals(model(j), j)


@FAST
@given(specs, st.randoms(use_true_random=False))
def test_row_order_does_not_change_results(spec, rnd) -> None:
    touches, outcomes = frames(spec)
    order_t = list(range(len(touches)))
    order_o = list(range(len(outcomes)))
    rnd.shuffle(order_t)
    rnd.shuffle(order_o)
    a = journeys_from_touches(touches, outcomes)
    b = journeys_from_touches(touches.iloc[order_t], outcomes.iloc[order_o])
    for model in MODELS.values():
        ra, rb = model(a), model(b)
        pd.testing.assert_frame_equal(ra.channels, rb.channels)
        pd.testing.assert_frame_equal(ra.campaigns, rb.campaigns)


@FAST
@given(specs)
def test_channel_absent_from_converting_journeys_gets_nothing_from_rules(spec) -> None:
    j = journeys_from_touches(*frames(spec))
    in_converting = {c for jr in j.converting for c in jr.channels}
    for model in RULES.values():
        for channel, (conv, value) in model(j).channel_credit().items():
            if channel not in in_converting:
                assert conv == 0 and value == Decimal(0)


@FAST
@given(specs)
def test_coalition_value_stays_with_the_journeys_that_earned_it(spec) -> None:
    # Coalition Shapley splits each channel set's value over that set's channels, so every
    # channel's value credit is non-negative, at most the value of the journeys it touched,
    # and the credits sum exactly to the total value.
    j = journeys_from_touches(*frames(spec))
    result = shapley_coalition(j)
    assert sum(result.channels["value"], Decimal(0)) == j.total_value.quantize(Decimal("1e-6"))
    touched: dict[str, Decimal] = {}
    for jr in j:
        for channel in set(jr.channels):
            touched[channel] = touched.get(channel, Decimal(0)) + jr.value
    slack = Decimal("0.000001") * len(CHANNELS)
    for channel, (_, value) in result.channel_credit().items():
        assert value >= 0
        assert value <= touched.get(channel, Decimal(0)) + slack
