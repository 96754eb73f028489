"""Multi-touch attribution models: pure functions from journeys to exact channel credit.

No Prefect, no HTTP, no warehouse: callers build :class:`Journeys` with
:func:`journeys_from_touches` or :func:`journeys_from_paths` and call a model; each returns an
:class:`Attribution` whose channel and campaign rows sum exactly to the total conversions and
value. :func:`journey_summary` describes the journeys (path lengths, time to conversion,
top converting paths). Internally everything is columnar numpy (see ``journeys``).
"""

from marketing.attribution.credit import QUANTUM, Attribution
from marketing.attribution.heuristics import (
    DEFAULT_DIRECT,
    first_touch,
    last_non_direct,
    last_touch,
    linear,
    position_based,
    time_decay,
)
from marketing.attribution.journeys import (
    AttributionInputError,
    Journey,
    Journeys,
    journeys_from_paths,
    journeys_from_touches,
)
from marketing.attribution.markov import choose_order, markov, markov_auto
from marketing.attribution.shapley import (
    MAX_COALITION_CHANNELS,
    shapley_coalition,
    shapley_ordered,
    shapley_simplified,
)
from marketing.attribution.summary import JourneySummary, journey_summary

__all__ = [
    "DEFAULT_DIRECT", "MAX_COALITION_CHANNELS", "QUANTUM", "Attribution", "AttributionInputError",
    "Journey", "JourneySummary", "Journeys",
    "choose_order", "first_touch", "journey_summary", "journeys_from_paths",
    "journeys_from_touches",
    "last_non_direct", "last_touch", "linear", "markov", "markov_auto", "position_based",
    "shapley_coalition", "shapley_ordered", "shapley_simplified", "time_decay",
]
