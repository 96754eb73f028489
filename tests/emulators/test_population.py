"""The population behind the CRM, analytics and commerce emulators: deterministic, coherent
with the ad market, and carrying the planted channel effects attribution must recover."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.entities import Ad
from emulators.market import Market
from emulators.population import CHANNEL_LIFT, CHANNELS, Population

PLATFORMS = ("meta_ads", "google_ads", "linkedin_ads")


@pytest.fixture(scope="module")
def market() -> Market:
    return Market(seed=7, today=date(2026, 11, 26), platforms=PLATFORMS)


@pytest.fixture(scope="module")
def people(market: Market) -> list:
    return list(Population(market, size=6000))


def test_a_person_is_a_pure_function_of_seed_and_index(market: Market):
    a, b = Population(market, size=100), Population(market, size=100_000)
    assert a.person(42) == b.person(42)
    assert Population(market, size=100, seed=8).person(42) != a.person(42)
    with pytest.raises(IndexError):
        a.person(100)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(min_value=0, max_value=999_999))
def test_journeys_are_ordered_and_point_at_real_ads(market: Market, index: int):
    person = Population(market, size=1_000_000).person(index)
    touches = person.touches
    assert touches[0].at == person.first_seen
    assert all(x.at <= y.at for x, y in itertools.pairwise(touches))
    for touch in touches:
        platform, source, medium = CHANNELS[touch.channel]
        assert (touch.platform, touch.source, touch.medium) == (platform, source, medium)
        if touch.ad_id is not None:
            ad = market.entity(touch.platform or "", touch.ad_id)
            assert isinstance(ad, Ad) and ad.campaign_id == touch.campaign_id
        assert (touch.click_id is not None) == (touch.kind == "click" and touch.ad_id is not None)
    for conversion in person.conversions:
        assert conversion.at > touches[conversion.touch_index].at
        assert touches[conversion.touch_index].kind != "view"
        assert (conversion.value > 0) == (conversion.kind != "lead")
    assert person.person_id == f"P{index:07d}" and Population.index_of(person.person_id) == index


def test_time_reveals_events_and_moves_updated_at(people):
    person = next(p for p in people if len(p.conversions) >= 2)
    first, last = person.conversions[0], person.conversions[-1]
    before = first.at - timedelta(seconds=1)
    assert person.visible_conversions(before) == ()
    assert person.updated_at(last.at) == last.at > person.updated_at(before)
    assert person.lifecycle_stage(before) == "subscriber"
    assert person.lifecycle_stage(last.at) in ("lead", "customer")


def test_planted_channel_effects_show_in_conversion_rates(people):
    def rate(group: list) -> float:
        return sum(1 for p in group if p.conversions) / len(group)

    uplift = {}
    for channel in CHANNEL_LIFT:
        touched = [p for p in people if any(t.channel == channel for t in p.touches)]
        if not touched:  # a channel of an ad platform this market does not run
            continue
        untouched = [p for p in people if not any(t.channel == channel for t in p.touches)]
        uplift[channel] = rate(touched) - rate(untouched)
    ranked = sorted(uplift, key=uplift.__getitem__, reverse=True)
    assert ranked[0] == "google_ads" and ranked[-1] == "direct"
    assert uplift["google_ads"] > uplift["meta_ads"] > uplift["linkedin_ads"]
