"""The report's model set, its credit checks and ROAS, on journeys worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from marketing.attribution import AttributionInputError, journeys_from_touches
from marketing.attribution.model_set import (
    MODEL_NAMES,
    CreditCheckError,
    ModelSettings,
    check_credit,
    credit_tables,
    describe_model,
    run_model_set,
)
from marketing.attribution.roas import ChannelCoverage, SpendCoverage, SpendError, with_roas

END = datetime(2026, 6, 1, tzinfo=UTC)


def _journeys(spec):
    touches, outcomes = [], []
    for jid, (steps, conv, value) in spec.items():
        for i, (channel, campaign, days) in enumerate(steps):
            touches.append({"journey_id": jid, "position": i, "channel": channel,
                            "campaign": campaign, "touched_at": END - timedelta(days=days)})
        outcomes.append({"journey_id": jid, "converted": conv > 0, "conversions": conv,
                         "value": Decimal(value), "converted_at": END})
    return journeys_from_touches(pd.DataFrame(touches), pd.DataFrame(outcomes))


SPEC = {
    "a": ([("google_ads", "Brand", 5), ("meta_ads", "Retarget", 1)], 1, "90"),
    "b": ([("meta_ads", "Retarget", 3), ("direct", None, 0)], 1, "30"),
    "c": ([("google_ads", "Brand", 2)], 0, "0"),
}

SPEND = pd.DataFrame(
    [("google_ads", "google_ads:1", "Brand", Decimal("30")),
     ("google_ads", "google_ads:2", "Brand", Decimal("15")),
     ("meta_ads", "meta_ads:9", "Retarget", Decimal("40"))],
    columns=["channel", "campaign_id", "campaign_name", "spend"], dtype=object)


def test_every_model_runs_and_sums_exactly():
    outcomes = run_model_set(_journeys(SPEC), MODEL_NAMES, ModelSettings(markov_order=1))
    assert [o.name for o in outcomes] == list(MODEL_NAMES)
    assert all(o.skipped is None and o.attribution is not None for o in outcomes)
    channels, campaigns = credit_tables(outcomes)
    labels = [o.label for o in outcomes]
    check_credit(channels, campaigns, labels, Decimal(2), Decimal(120))
    last = channels[channels["model"] == "last_touch"].set_index("channel")["value"]
    assert last.to_dict() == {"direct": Decimal(30), "google_ads": Decimal(0),
                              "meta_ads": Decimal(90)}
    lnd = channels[channels["model"] == "last_non_direct"].set_index("channel")["value"]
    assert lnd["meta_ads"] == Decimal(120)
    assert set(campaigns["campaign"]) >= {"Brand", "Retarget", "(none)"}


def test_a_few_journeys_fall_back_to_order_one_and_say_so():
    outcomes = run_model_set(_journeys({"a": SPEC["a"]}), ["markov"])
    assert outcomes[0].label == "markov_order_1"
    assert outcomes[0].note is not None and "order 1 used" in outcomes[0].note


def test_coalition_shapley_over_too_many_channels_is_skipped_not_fatal():
    spec = {f"j{i}": ([(f"ch{i:02d}", None, 1)], 1, "1") for i in range(22)}
    outcomes = run_model_set(_journeys(spec), ["linear", "shapley_coalition"])
    assert outcomes[0].attribution is not None
    assert outcomes[1].attribution is None and "22 channels" in str(outcomes[1].skipped)


def test_unknown_and_repeated_models_are_refused():
    journeys = _journeys(SPEC)
    with pytest.raises(AttributionInputError, match="unknown models"):
        run_model_set(journeys, ["linear", "data_driven"])
    with pytest.raises(AttributionInputError, match="once"):
        run_model_set(journeys, ["linear", "linear"])


def test_check_credit_refuses_lost_or_invented_value():
    channels, campaigns = credit_tables(run_model_set(_journeys(SPEC), ["linear"]))
    check_credit(channels, campaigns, ["linear"], Decimal(2), Decimal(120))
    with pytest.raises(CreditCheckError, match="not the period's 121"):
        check_credit(channels, campaigns, ["linear"], Decimal(2), Decimal(121))
    broken = channels.copy()
    broken.loc[0, "conversions"] = Decimal(-1)
    with pytest.raises(CreditCheckError, match="negative"):
        check_credit(broken, campaigns, ["linear"], Decimal(2), Decimal(120))
    with pytest.raises(CreditCheckError, match="no rows"):
        check_credit(channels, campaigns, ["linear", "first_touch"], Decimal(2), Decimal(120))


def test_roas_by_channel_and_by_campaign_name_or_id():
    channels, campaigns = credit_tables(run_model_set(_journeys(SPEC), ["first_touch"]))
    priced = with_roas(channels, SPEND).set_index("channel")
    assert priced.loc["google_ads", "spend"] == Decimal(45)
    assert priced.loc["google_ads", "roas"] == pytest.approx(90 / 45)
    assert priced.loc["meta_ads", "roas"] == pytest.approx(30 / 40)
    assert priced.loc["direct", "roas"] is None and priced.loc["direct", "spend"] == 0
    by_campaign = with_roas(campaigns, SPEND).set_index(["channel", "campaign"])
    # touches carry the UTM name: both Google campaigns called Brand share the spend
    assert by_campaign.loc[("google_ads", "Brand"), "spend"] == Decimal(45)
    by_id = with_roas(pd.DataFrame([{"channel": "google_ads", "campaign": "google_ads:2",
                                     "value": Decimal(30)}]), SPEND)
    assert by_id.loc[0, "spend"] == Decimal(15) and by_id.loc[0, "roas"] == 2.0


def test_roas_is_refused_where_spend_misses_days_of_the_period():
    channels, campaigns = credit_tables(run_model_set(_journeys(SPEC), ["first_touch"]))
    start, end = date(2026, 5, 3), date(2026, 6, 1)  # 30 days
    coverage = SpendCoverage(start, end, {
        "google_ads": ChannelCoverage(14, date(2026, 5, 19), end),
        "meta_ads": ChannelCoverage(30, start, end),
        "linkedin_ads": ChannelCoverage(0),
    })
    priced = with_roas(channels, SPEND, coverage).set_index("channel")
    google = priced.loc["google_ads"]
    assert google["spend"] == Decimal(45) and google["roas"] is None
    assert (google["spend_days"], google["period_days"], google["spend_complete"]) == (
        14, 30, False)
    assert google["roas_note"] == ("spend covers 14 of 30 days (2026-05-19 to 2026-06-01): "
                                   "ROAS not computed")
    meta = priced.loc["meta_ads"]
    assert meta["roas"] == pytest.approx(30 / 40) and meta["spend_complete"] is True
    assert meta["roas_note"] is None
    direct = priced.loc["direct"]  # not an ad platform: nothing to cover
    assert direct["spend_days"] is None and direct["spend_complete"] is None
    assert direct["roas_note"] is None and direct["period_days"] == 30
    brand = with_roas(campaigns, SPEND, coverage).set_index(["channel", "campaign"])
    assert brand.loc[("google_ads", "Brand"), "roas"] is None
    assert brand.loc[("google_ads", "Brand"), "spend_complete"] is False
    assert coverage.note("linkedin_ads") == ("no spend loaded for 2026-05-03 to 2026-06-01: "
                                             "ROAS not computed")
    # without coverage, every row is priced as before
    assert with_roas(channels, SPEND).set_index("channel").loc["google_ads", "roas"] == 2.0


def test_bad_spend_rows_are_named():
    bad = SPEND.copy()
    bad.loc[1, "spend"] = Decimal(-5)
    with pytest.raises(SpendError, match="google_ads:2 has spend -5"):
        with_roas(pd.DataFrame([{"channel": "google_ads", "value": Decimal(1)}]), bad)
    with pytest.raises(SpendError, match="missing columns"):
        with_roas(pd.DataFrame([{"channel": "x", "value": Decimal(1)}]),
                  SPEND.drop(columns=["campaign_name"]))


def test_every_label_has_a_legend():
    for label in ("first_touch", "markov_order_3", "time_decay_7d", "position_based_0.4_0.4",
                  "shapley_simplified", "shapley_ordered", "shapley_coalition", "linear",
                  "last_touch", "last_non_direct"):
        assert describe_model(label) != label
    assert "40%" in describe_model("position_based_0.4_0.4")
