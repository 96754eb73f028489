"""Rule-based attribution: first/last touch, last non-direct, linear, time decay, position.

Each rule gives every touch of a converting journey a weight (a journey's weights sum to 1);
a channel's credit is the sum of weight x journey conversions (and x journey value), and a
campaign's credit uses the same per-touch weights. Repeated touches of a channel count each
time (as in ChannelAttribution's ``linear_touch``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from marketing.attribution.credit import Attribution, build_attribution, per_touch_credit
from marketing.attribution.journeys import AttributionInputError, Journey, Journeys

__all__ = ["DEFAULT_DIRECT", "first_touch", "last_non_direct", "last_touch", "linear",
           "position_based", "time_decay"]

DEFAULT_DIRECT = frozenset({"direct"})
"""Channels that ``last_non_direct`` skips unless a journey has nothing else."""

Rule = Callable[[Journey], list[float]]


def _run(name: str, journeys: Journeys, rule: Rule) -> Attribution:
    weights = [rule(j) if j.conversions > 0 else [0.0] * len(j.channels) for j in journeys.items]
    return build_attribution(name, journeys, *per_touch_credit(journeys, weights))


def _one_hot(n: int, index: int) -> list[float]:
    w = [0.0] * n
    w[index] = 1.0
    return w


def first_touch(journeys: Journeys) -> Attribution:
    """Credit each converting journey to its first touch."""
    return _run("first_touch", journeys, lambda j: _one_hot(len(j.channels), 0))


def last_touch(journeys: Journeys) -> Attribution:
    """Credit each converting journey to its last touch."""
    return _run("last_touch", journeys, lambda j: _one_hot(len(j.channels), len(j.channels) - 1))


def last_non_direct(journeys: Journeys, direct: Collection[str] = DEFAULT_DIRECT) -> Attribution:
    """Credit each converting journey to its last touch outside ``direct``.

    A journey made only of direct touches keeps its last (direct) touch, as GA's
    last-non-direct-click does.
    """
    skip = frozenset(direct)

    def rule(j: Journey) -> list[float]:
        for i in range(len(j.channels) - 1, -1, -1):
            if j.channels[i] not in skip:
                return _one_hot(len(j.channels), i)
        return _one_hot(len(j.channels), len(j.channels) - 1)

    return _run("last_non_direct", journeys, rule)


def linear(journeys: Journeys) -> Attribution:
    """Split each converting journey equally over its touches."""
    return _run("linear", journeys, lambda j: [1.0 / len(j.channels)] * len(j.channels))


def time_decay(journeys: Journeys, half_life_days: float = 7.0) -> Attribution:
    """Weight touches by ``0.5 ** (days before conversion / half_life_days)``, normalised.

    Raises:
        AttributionInputError: if the half-life is not positive or journeys carry no times
            (the grouped-path format has none).

    """
    if not half_life_days > 0:
        raise AttributionInputError(f"time decay: half_life_days must be > 0, got {half_life_days}")

    def rule(j: Journey) -> list[float]:
        if j.days_before is None:
            raise AttributionInputError(
                f"time decay needs touch times; journey {j.key!r} has none (grouped paths?)")
        raw = [0.5 ** (d / half_life_days) for d in j.days_before]
        total = sum(raw)
        return [r / total for r in raw]

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

    def rule(j: Journey) -> list[float]:
        n = len(j.channels)
        if n == 1:
            return [1.0]
        if n == 2:
            return [first / (first + last), last / (first + last)]
        inner = middle / (n - 2)
        return [first, *([inner] * (n - 2)), last]

    return _run(f"position_based_{first:g}_{last:g}", journeys, rule)
