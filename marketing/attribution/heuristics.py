"""Rule-based attribution: first/last touch, last non-direct, linear, time decay, position.

Each rule gives every touch of a converting journey a weight (a journey's weights sum to 1);
a channel's credit is the sum of weight x journey conversions (and x journey value), and a
campaign's credit uses the same per-touch weights. Repeated touches of a channel count each
time (as in ChannelAttribution's ``linear_touch``). Weights are computed for all touches at
once from the journeys' CSR arrays (position in journey, journey length, per-journey
reductions); only converting journeys are touched.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np
import numpy.typing as npt

from marketing.attribution.credit import Attribution, build_attribution, per_touch_credit
from marketing.attribution.journeys import AttributionInputError, Journeys

__all__ = ["DEFAULT_DIRECT", "first_touch", "last_non_direct", "last_touch", "linear",
           "position_based", "time_decay"]

DEFAULT_DIRECT = frozenset({"direct"})
"""Channels that ``last_non_direct`` skips unless a journey has nothing else."""

F64 = npt.NDArray[np.float64]
Rule = Callable[[Journeys], F64]


def _run(name: str, journeys: Journeys, rule: Rule) -> Attribution:
    converting = journeys.converting
    return build_attribution(name, journeys, per_touch_credit(converting, rule(converting)))


def _one_hot(journeys: Journeys, touch: npt.NDArray[np.int64]) -> F64:
    w = np.zeros(journeys.n_touches)
    w[touch] = 1.0
    return w


def first_touch(journeys: Journeys) -> Attribution:
    """Credit each converting journey to its first touch."""
    return _run("first_touch", journeys, lambda j: _one_hot(j, j.offsets[:-1]))


def last_touch(journeys: Journeys) -> Attribution:
    """Credit each converting journey to its last touch."""
    return _run("last_touch", journeys, lambda j: _one_hot(j, j.offsets[1:] - 1))


def last_non_direct(journeys: Journeys, direct: Collection[str] = DEFAULT_DIRECT) -> Attribution:
    """Credit each converting journey to its last touch outside ``direct``.

    A journey made only of direct touches keeps its last (direct) touch, as GA's
    last-non-direct-click does.
    """
    skip = frozenset(direct)

    def rule(j: Journeys) -> F64:
        if len(j) == 0:
            return np.zeros(0)
        skipped = np.array([c in skip for c in j.channels], dtype=bool)
        index = np.arange(j.n_touches, dtype=np.int64)
        candidate = np.where(skipped[j.channel_codes], -1, index)
        chosen = np.maximum.reduceat(candidate, j.offsets[:-1])
        chosen = np.where(chosen < 0, j.offsets[1:] - 1, chosen)
        return _one_hot(j, chosen)

    return _run("last_non_direct", journeys, rule)


def linear(journeys: Journeys) -> Attribution:
    """Split each converting journey equally over its touches."""
    return _run("linear", journeys, lambda j: 1.0 / j.lengths[j.touch_journey])


def time_decay(journeys: Journeys, half_life_days: float = 7.0) -> Attribution:
    """Weight touches by ``0.5 ** (days before conversion / half_life_days)``, normalised.

    Raises:
        AttributionInputError: if the half-life is not positive or journeys carry no times
            (the grouped-path format has none).

    """
    if not half_life_days > 0:
        raise AttributionInputError(f"time decay: half_life_days must be > 0, got {half_life_days}")

    def rule(j: Journeys) -> F64:
        if len(j) == 0:
            return np.zeros(0)
        if j.days_before is None:
            raise AttributionInputError(
                f"time decay needs touch times; journey {j.journey(0).key!r} has none "
                "(grouped paths?)")
        # relative to each journey's latest touch, so long journeys cannot underflow to 0/0
        nearest = np.minimum.reduceat(j.days_before, j.offsets[:-1])
        raw = 0.5 ** ((j.days_before - nearest[j.touch_journey]) / half_life_days)
        total = np.add.reduceat(raw, j.offsets[:-1])
        result: F64 = raw / total[j.touch_journey]
        return result

    return _run(f"time_decay_{half_life_days:g}d", journeys, rule)


def position_based(journeys: Journeys, first: float = 0.4, last: float = 0.4) -> Attribution:
    """Give ``first`` to the first touch, ``last`` to the last, the rest evenly to the middle.

    One-touch journeys give that touch everything. Two-touch journeys have no middle, so the
    two touches split the journey in the ratio ``first : last`` (50/50 with the 40/20/40
    default; a first-only rule ``first=1, last=0`` stays first-only).

    Raises:
        AttributionInputError: if the shares are negative or exceed 1 together, or
            ``first + last`` is 0 (two-touch journeys would have no rule).

    """
    if first < 0 or last < 0 or first + last > 1 + 1e-12 or first + last == 0:
        raise AttributionInputError(
            f"position based: need first, last >= 0, 0 < first + last <= 1; got {first}, {last}")
    middle = max(0.0, 1.0 - first - last)

    def rule(j: Journeys) -> F64:
        n = j.lengths[j.touch_journey]
        pos = j.position
        is_first, is_last = pos == 0, pos == n - 1
        inner = middle / np.maximum(n - 2, 1)
        w = np.where(is_first, first, np.where(is_last, last, inner))
        w = np.where(n == 2, np.where(is_first, first, last) / (first + last), w)
        result: F64 = np.where(n == 1, 1.0, w)
        return result

    return _run(f"position_based_{first:g}_{last:g}", journeys, rule)
