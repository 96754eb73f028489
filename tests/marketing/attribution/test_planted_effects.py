"""Data-driven models recover the channel effects planted in the emulated population.

``emulators.population`` makes a journey's conversion chance rise with the channels it
touched (``CHANNEL_LIFT``: google_ads 1.2 > meta_ads 0.8 > linkedin_ads 0.5 in log-odds).
Markov and Shapley credit must rank the three ad channels the same way. Touch frequency
(google 26 %, meta 24 %, linkedin 10 % of touches) points the same way, so this checks the
total ranking the brief asks for, not the per-touch lift.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from emulators.market import Market
from emulators.population import CHANNEL_LIFT, CHANNELS, Population
from marketing.attribution import (
    Attribution,
    Journeys,
    journeys_from_touches,
    markov,
    markov_auto,
    shapley_coalition,
    shapley_ordered,
    shapley_simplified,
)

ADS = ("google_ads", "meta_ads", "linkedin_ads")


@pytest.fixture(scope="module")
def journeys() -> Journeys:
    population = Population(Market(seed=7, platforms=("meta_ads", "google_ads", "linkedin_ads")),
                            size=5_000)
    touches, outcomes = [], []
    for person in population:
        conversions = person.conversions
        # a converter's journey is its touches up to its last conversion
        end = max((c.touch_index for c in conversions), default=len(person.touches) - 1)
        for i, t in enumerate(person.touches[: end + 1]):
            touches.append({"journey_id": person.person_id, "position": i, "channel": t.channel,
                            "campaign": t.campaign, "touched_at": t.at})
        outcomes.append({
            "journey_id": person.person_id, "converted": bool(conversions),
            "conversions": len(conversions),
            "value": sum((c.value for c in conversions), Decimal(0)),
            "converted_at": max((c.at for c in conversions), default=None),
        })
    return journeys_from_touches(pd.DataFrame(touches), pd.DataFrame(outcomes),
                                 channels=sorted(CHANNELS))


def _ranking(result: Attribution) -> list[str]:
    credit = result.channel_credit()
    return sorted(ADS, key=lambda c: -credit[c][0])


def test_planted_ranking_is_the_one_in_the_emulator() -> None:
    assert sorted(ADS, key=lambda c: -CHANNEL_LIFT[c]) == ["google_ads", "meta_ads",
                                                          "linkedin_ads"]


@pytest.mark.parametrize("model", [markov, lambda j: markov(j, 2), markov_auto,
                                   shapley_simplified, shapley_ordered, shapley_coalition],
                         ids=["markov1", "markov2", "markov_auto", "shapley", "shapley_ordered",
                              "shapley_coalition"])
def test_data_driven_models_recover_the_planted_ranking(journeys: Journeys, model) -> None:
    assert _ranking(model(journeys)) == ["google_ads", "meta_ads", "linkedin_ads"]


def test_markov_removal_effects_follow_the_lift_per_touch(journeys: Journeys) -> None:
    # removing a channel must cost conversions, most for google, least for linkedin. (This
    # mixes lift with frequency: per touch, linkedin's credit is not below meta's here.)
    effects = markov(journeys).details["removal_effects"]
    assert effects["google_ads"] > effects["meta_ads"] > effects["linkedin_ads"] > 0


# --- frequency against lift -------------------------------------------------------------
# A generated population where the most frequently touched channel has the SMALLEST planted
# lift: "wide" is 55 % of touches with lift 0 (log-odds), the others 15 % each with lifts
# 1.2 > 0.8 > 0.4. Rules that follow touches (last touch, linear) rank "wide" first; the
# coalition Shapley value (v(S) = conversion rate of journeys inside S) recovers the planted
# ranking. Markov removal effects are driven by how many converting paths pass through a
# channel, so on this population Markov (orders 1 and 2) also ranks "wide" first: it does NOT
# recover per-touch lift when frequency and lift point in opposite directions (measured; see
# the last test).
PLANTED = {"wide": 0.0, "strong": 1.2, "medium": 0.8, "weak": 0.4}
FREQ = {"wide": 0.55, "strong": 0.15, "medium": 0.15, "weak": 0.15}


@pytest.fixture(scope="module")
def confounded() -> Journeys:
    import numpy as np

    rng = np.random.default_rng(11)
    names = sorted(PLANTED)
    n = 30_000
    lengths = rng.geometric(1 / 2.5, n)
    journey = np.repeat(np.arange(n), lengths)
    channel = rng.choice(len(names), size=len(journey), p=[FREQ[c] for c in names])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    lift = np.zeros(n)
    for code, name in enumerate(names):
        has = np.bitwise_or.reduceat((channel == code).astype(np.int64), offsets[:-1])
        lift += has * PLANTED[name]
    converts = rng.random(n) < 1 / (1 + np.exp(-(-2.5 + lift)))
    position = np.arange(len(journey)) - offsets[:-1][journey]
    end = pd.Timestamp("2026-03-01", tz="UTC")
    touches = pd.DataFrame({
        "journey_id": journey, "position": position,
        "channel": np.array(names, dtype=object)[channel], "campaign": None,
        "touched_at": end - pd.to_timedelta(lengths[journey] - position, unit="D")})
    ids = np.flatnonzero(converts)
    outcomes = pd.DataFrame({"journey_id": ids, "converted": True, "conversions": 1,
                             "value": 10.0, "converted_at": end})
    return journeys_from_touches(touches, outcomes, channels=names)


def _rank(result: Attribution) -> list[str]:
    credit = result.channel_credit()
    return sorted(PLANTED, key=lambda c: (-credit[c][0], c))


def test_touch_following_rules_rank_the_frequent_channel_first(confounded: Journeys) -> None:
    from marketing.attribution import last_touch, linear

    for model in (last_touch, linear):
        assert _rank(model(confounded))[0] == "wide"


def test_coalition_shapley_recovers_the_planted_ranking(confounded: Journeys) -> None:
    assert _rank(shapley_coalition(confounded)) == ["strong", "medium", "weak", "wide"]
    values = shapley_coalition(confounded).details["shapley_values"]
    assert values["strong"] > values["medium"] > values["weak"] > values["wide"]


def test_markov_follows_frequency_not_lift_here(confounded: Journeys) -> None:
    # documents the limitation: removal effects reward being on many converting paths
    for order in (1, 2):
        ranking = _rank(markov(confounded, order))
        assert ranking[0] == "wide"
        assert ranking[1:] == ["strong", "medium", "weak"]
