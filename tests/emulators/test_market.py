from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.curves import LAG_DAYS
from emulators.market import Ad, AdGroup, Campaign, Market

from .conftest import TODAY

P = "meta_ads"
MARKET = Market(seed=11, today=TODAY)
ADS = [ad for acc in MARKET.accounts(P) for ad in MARKET.ads(P, acc.id)]


def test_accounts_have_distinct_currencies_timezones_and_decimal_ids():
    accounts = MARKET.accounts(P)
    assert [a.id for a in accounts] == ["act_1001", "act_1002", "act_1003"]
    assert [(a.currency, a.timezone) for a in accounts] == [
        ("USD", "America/New_York"), ("EUR", "Europe/Berlin"), ("GBP", "Europe/London")]
    for acc in accounts:
        campaigns = MARKET.campaigns(P, acc.id)
        assert 2 <= len(campaigns) <= 4
        entities: list[Campaign | AdGroup | Ad] = [
            *campaigns, *MARKET.ad_groups(P, acc.id), *MARKET.ads(P, acc.id)]
        for entity in entities:
            assert entity.id.isdigit() and entity.account_id == acc.id


def test_account_count_is_a_parameter():
    big = Market(seed=11, today=TODAY, accounts_per_platform=20)
    accounts = big.accounts(P)
    assert len(accounts) == 20 and len({a.id for a in accounts}) == 20
    # The first accounts do not change when more are asked for.
    assert [c.id for c in big.campaigns(P, "act_1001")] == [
        c.id for c in MARKET.campaigns(P, "act_1001")]


def test_same_seed_same_data_other_seed_other_data():
    again = Market(seed=11, today=TODAY)
    other = Market(seed=12, today=TODAY)
    day = TODAY - timedelta(days=40)
    same = [MARKET.truth(P, ad.id, day) == again.truth(P, ad.id, day) for ad in ADS]
    assert all(same)
    ours = [MARKET.truth(P, ad.id, day).spend for ad in ADS]
    theirs = [other.truth(P, ad.id, day).spend for ad in other.ads(P, "act_1001")]
    assert ours[: len(theirs)] != theirs


def test_results_are_order_independent():
    day = TODAY - timedelta(days=100)
    fresh = Market(seed=11, today=TODAY)
    backwards = [fresh.truth(P, ad.id, day - timedelta(days=k)) for ad in ADS for k in (5, 0)]
    forwards = [MARKET.truth(P, ad.id, day - timedelta(days=k)) for ad in ADS for k in (5, 0)]
    assert backwards == forwards


@settings(max_examples=60, deadline=None)
@given(ad_index=st.integers(0, len(ADS) - 1), back=st.integers(1, 380))
def test_metrics_are_consistent(ad_index, back):
    t = MARKET.truth(P, ADS[ad_index].id, TODAY - timedelta(days=back))
    assert 0 <= t.clicks <= t.impressions
    assert t.spend >= 0 and t.spend == t.spend.quantize(Decimal("0.01"))
    assert (t.spend > 0) == (t.impressions > 0)
    w = t.conversions_by_window
    assert w["1d_click"] <= w["7d_click"] <= w["28d_click"] <= t.clicks
    assert t.conversions == w["7d_click"] + w["1d_view"]
    assert t.value == t.value_by_window["7d_click"] + t.value_by_window["1d_view"]


@settings(max_examples=40, deadline=None)
@given(ad_index=st.integers(0, len(ADS) - 1), back=st.integers(30, 300))
def test_late_conversions_are_monotone_and_complete_after_28_days(ad_index, back):
    ad, day = ADS[ad_index], TODAY - timedelta(days=back)
    series = [MARKET.truth(P, ad.id, day, as_of=day + timedelta(days=k)) for k in range(35)]
    for window in ("7d_click", "28d_click", "1d_view"):
        counts = [t.conversions_by_window[window] for t in series]
        assert counts == sorted(counts)
    values = [t.value for t in series]
    assert values == sorted(values)
    final = series[LAG_DAYS]
    assert final.complete and not series[LAG_DAYS - 1].complete
    assert all(t.conversions == final.conversions for t in series[LAG_DAYS:])
    assert all(t.spend == final.spend and t.clicks == final.clicks for t in series)


def test_late_conversions_actually_restate_past_days():
    restated = 0
    for ad in ADS:
        for back in range(30, 120):
            day = TODAY - timedelta(days=back)
            early = MARKET.truth(P, ad.id, day, as_of=day + timedelta(days=1))
            late = MARKET.truth(P, ad.id, day, as_of=day + timedelta(days=LAG_DAYS))
            restated += late.conversions_by_window["28d_click"] > early.conversions_by_window[
                "28d_click"]
    assert restated > 20


def test_conversions_show_diminishing_returns():
    from emulators.curves import CampaignCurve, expected_conversions

    curve = CampaignCurve(cpa_k=30, half_saturation=100, hill=1.0, aov=80, view_share=0.1)
    low, mid, high = (expected_conversions(curve, s) for s in (50, 100, 200))
    assert low < mid < high
    assert (high - mid) / 100 < (mid - low) / 50  # each extra unit of spend buys less
    assert mid == pytest.approx(100 / 30)  # at half saturation the CPA is cpa_k


def test_no_delivery_before_start_or_in_the_future():
    ad = ADS[0]
    assert not MARKET.truth(P, ad.id, ad.start_day - timedelta(days=1)).delivered
    assert not MARKET.truth(P, ad.id, TODAY + timedelta(days=1)).delivered
    assert not MARKET.truth(P, ad.id, MARKET.history_start - timedelta(days=1)).delivered


def test_today_is_partial_and_grows_with_the_clock(clock):
    market = Market(seed=11, clock=clock)
    ad = next(a for a in market.ads(P, "act_1001")
              if market.truth(P, a.id, TODAY - timedelta(days=1)).delivered
              and market.truth(P, a.id, TODAY).delivered)
    morning = market.truth(P, ad.id, TODAY)
    clock.now += timedelta(hours=6)
    afternoon = market.truth(P, ad.id, TODAY)
    clock.now += timedelta(days=1)
    full = market.truth(P, ad.id, TODAY)
    assert morning.spend < afternoon.spend < full.spend
    assert morning.impressions <= afternoon.impressions <= full.impressions


def test_budget_change_applies_from_the_day_it_is_made(clock):
    market = Market(seed=11, clock=clock)
    campaign = next(c for acc in market.accounts(P) for c in market.campaigns(P, acc.id)
                    if c.budget_level == "campaign" and market.status(P, c.id) == "ACTIVE")
    ads = market.ads(P, campaign.id)
    yesterday = TODAY - timedelta(days=1)
    before_y = sum(market.spend(P, a.id, yesterday) for a in ads)
    old = market.budget(P, campaign.id)
    assert old is not None
    assert market.set_budget(P, campaign.id, old * 2) == (old, old * 2)
    assert market.budget(P, campaign.id, yesterday) == old
    assert market.budget(P, campaign.id) == old * 2
    assert sum(market.spend(P, a.id, yesterday) for a in ads) == before_y
    clock.now += timedelta(days=1)
    tomorrow_spend = sum(market.spend(P, a.id, TODAY) for a in ads)
    assert tomorrow_spend > Decimal(old) / 100  # doubled budget, pacing stays above 60%


def test_a_budget_cut_during_the_day_slows_the_rest_of_it_and_keeps_what_was_spent(clock):
    market = Market(seed=11, clock=clock)
    twin = Market(seed=11, clock=clock)
    campaign = next(c for c in market.campaigns(P, "act_1001")
                    if c.budget_level == "campaign" and market.status(P, c.id) == "ACTIVE")
    ads = [a for a in market.ads(P, campaign.id)
           if market.truth(P, a.id, TODAY).spend > 0]
    assert ads
    old = market.budget(P, campaign.id)
    assert old is not None

    def spent(m: Market) -> Decimal:
        return sum((m.truth(P, a.id, TODAY).spend for a in ads), Decimal(0))

    noon = spent(market)  # 12:00 UTC is 07:00 in New York
    market.set_budget(P, campaign.id, old // 2)
    assert spent(market) == noon  # what was spent stays spent
    assert market.budget(P, campaign.id) == old // 2  # the API reads the new budget at once
    clock.now += timedelta(hours=6)
    cut, uncut = spent(market), spent(twin)
    assert noon < cut < uncut  # still spending, at half the rate
    assert float(cut - noon) == pytest.approx(float(uncut - noon) / 2, rel=0.02)
    # The full day: 7 hours at the old budget, 17 at half of it.
    day = market.day_budget(P, campaign.id, TODAY)
    assert day == pytest.approx(old * 7 / 24 + old // 2 * 17 / 24, rel=1e-9)
    clock.now += timedelta(days=3)
    full = sum((market.spend(P, a.id, TODAY) for a in ads), Decimal(0))
    full_twin = sum((twin.spend(P, a.id, TODAY) for a in ads), Decimal(0))
    assert float(full) == pytest.approx(float(full_twin) * day / old, rel=0.01)


def test_spend_follows_the_daily_budget():
    for acc in MARKET.accounts(P):
        for group in MARKET.ad_groups(P, acc.id):
            budget = MARKET.budget(P, group.id, TODAY - timedelta(days=3))
            if budget is None:
                continue
            spend = sum(MARKET.spend(P, a.id, TODAY - timedelta(days=3))
                        for a in MARKET.ads(P, group.id))
            assert spend <= Decimal(budget) / 100 * Decimal("1.35")


def test_pausing_stops_delivery_from_today(clock):
    market = Market(seed=11, clock=clock)
    ad = next(a for a in market.ads(P, "act_1002")
              if market.truth(P, a.id, TODAY - timedelta(days=1)).delivered)
    market.set_status(P, ad.id, "PAUSED")
    assert market.truth(P, ad.id, TODAY - timedelta(days=1)).delivered
    clock.now += timedelta(days=1)
    assert not market.truth(P, ad.id, date(2026, 11, 27)).delivered
