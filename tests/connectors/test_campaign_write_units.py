"""Decimal -> each platform's budget unit, as properties: the round trip stays within the
documented rounding (down to the platform's step), nothing negative is ever sent, and an
amount below the platform's minimum (or not a number) is refused with the minimum named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.campaign_writes import BudgetRules, CampaignChange, ChangeRefusedError
from connectors.google_ads.campaign_writer import RULES as GOOGLE
from connectors.linkedin_ads.campaign_writer import RULES as LINKEDIN
from connectors.meta_ads.campaign_writer import RULES as META

RULES: dict[str, BudgetRules] = {"meta_ads": META, "google_ads": GOOGLE, "linkedin_ads": LINKEDIN}
LEVEL = {"meta_ads": "ad_set", "google_ads": "campaign_budget", "linkedin_ads": "campaign"}
# 2 decimals, none, 3 and 4 (ISO 4217 exponents).
CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KRW", "KWD", "BHD", "CLF"])
AMOUNTS = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("1e12"),
                      allow_nan=False, allow_infinity=False)


def _change(platform: str, amount: Decimal, currency: str) -> CampaignChange:
    return CampaignChange("1001", "42", LEVEL[platform], daily_budget=amount, currency=currency)


@pytest.mark.parametrize("platform", sorted(RULES))
@settings(max_examples=300, deadline=None)
@given(amount=AMOUNTS, currency=CURRENCIES)
def test_the_native_unit_round_trips_within_one_step_and_is_never_negative(
    platform: str, amount: Decimal, currency: str
):
    rules = RULES[platform]
    minimum, step = rules.minimum(currency), rules.step(currency)
    change = _change(platform, amount, currency)
    try:
        prepared = rules.prepare(change)
    except ChangeRefusedError as refused:
        # Refused only below the minimum (after rounding down), and says so.
        assert amount.quantize(step, rounding="ROUND_DOWN") < minimum
        assert refused.minimum == minimum and f"minimum is {minimum} {currency}" in str(refused)
        assert rules.title in str(refused) and "42" in str(refused)
        return
    sent = prepared.daily_budget
    assert sent is not None and prepared.native_budget is not None
    assert minimum <= sent <= amount < sent + step
    assert sent % step == 0
    assert rules.from_native(prepared.native_budget, currency) == sent
    native = prepared.native_budget
    assert (int(native) if isinstance(native, int) else Decimal(native)) > 0
    assert prepared.rounded == (sent != amount)
    assert (prepared.note != "") == prepared.rounded


@pytest.mark.parametrize("platform", sorted(RULES))
@settings(max_examples=100, deadline=None)
@given(data=st.data(), currency=CURRENCIES)
def test_every_amount_below_the_minimum_is_refused(platform: str, data, currency: str):
    rules = RULES[platform]
    minimum = rules.minimum(currency)
    amount = data.draw(st.decimals(max_value=minimum, min_value=-minimum * 100,
                                   allow_nan=False, allow_infinity=False)
                       .filter(lambda a: a < minimum))
    with pytest.raises(ChangeRefusedError, match=f"its minimum is {minimum} {currency}"):
        rules.prepare(_change(platform, amount, currency))


@pytest.mark.parametrize("platform", sorted(RULES))
@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_an_amount_that_is_not_a_number_is_refused(platform: str, amount: str):
    with pytest.raises(ChangeRefusedError, match="not a number"):
        RULES[platform].prepare(_change(platform, Decimal(amount), "USD"))


@settings(max_examples=200, deadline=None)
@given(amount=AMOUNTS, currency=CURRENCIES)
def test_google_micros_are_a_multiple_of_the_currencys_minimum_unit(
    amount: Decimal, currency: str
):
    try:
        prepared = GOOGLE.prepare(_change("google_ads", amount, currency))
    except ChangeRefusedError:
        return
    micros = prepared.native_budget
    assert isinstance(micros, int)
    assert micros % 10 ** (6 - GOOGLE.decimals(currency)) == 0


def test_google_refuses_more_micros_than_an_int64_holds():
    with pytest.raises(ChangeRefusedError, match="the most it holds"):
        GOOGLE.prepare(_change("google_ads", Decimal("1e13"), "USD"))


@pytest.mark.parametrize(
    "platform, amount, currency, native",
    [
        ("meta_ads", "50", "USD", 5000),
        ("meta_ads", "50.009", "USD", 5000),
        ("meta_ads", "1500", "JPY", 1500),
        ("google_ads", "50", "USD", 50_000_000),
        ("google_ads", "12.345678", "USD", 12_340_000),
        ("google_ads", "1500.5", "JPY", 1_500_000_000),
        ("linkedin_ads", "75", "USD", "75.00"),
        ("linkedin_ads", "75.129", "EUR", "75.12"),
        ("linkedin_ads", "13.455", "KWD", "13.45"),
        ("linkedin_ads", "1500.5", "JPY", "1500.00"),
    ],
)
def test_the_documented_units(platform: str, amount: str, currency: str, native: int | str):
    assert RULES[platform].prepare(
        _change(platform, Decimal(amount), currency)).native_budget == native
