"""Shapley attribution in the two forms of Zhao, Mahboobi & Bagheri (2018, arXiv 1804.05327).

Both use the additive coalition value of that paper: ``v(S)`` = conversions of journeys whose
set of channels is a subset of ``S``. With it the Shapley value has a closed form,
``phi_j = sum over channel sets T containing j of R(T) / |T|`` (``R(T)`` = conversions of
journeys whose channel set is exactly ``T``), so no ``2^n`` enumeration and no channel limit:
cost is linear in the number of touches.

* :func:`shapley_simplified` — the set-based form. It equals linear credit over the *distinct*
  channels of each converting journey; within a channel, its share is split evenly over that
  channel's touches (for campaign credit).
* :func:`shapley_ordered` — the ordered form: the same value, broken down by the position at
  which the channel *first* enters the journey (``phi_j^(i)``, summing over i to ``phi_j``).
  A channel's share goes to its first touch (so campaign credit goes to the campaign that
  brought the channel in). Channel totals equal the simplified form's; the extra is the
  per-position table in ``details["by_position"]``.

Neither form uses non-converting journeys (the coalition value counts conversions only).

* :func:`shapley_coalition` — the classic game-theoretic Shapley value over all ``2^n``
  coalitions of channels, with a *non-additive* value: ``v(S)`` = conversion rate (resp. value
  per journey) of the journeys whose channel set is a subset of ``S`` (0 if there are none),
  so non-converting journeys count. Exact, by a subset-sum transform over bitmasks:
  ``O(n 2^n)`` time and memory. Limited to ``MAX_COALITION_CHANNELS`` (20) channels that
  actually occur; above that it raises :class:`AttributionInputError` (use the simplified form
  or group channels). Shapley values can be negative (a channel whose presence lowers the
  rate); they are clipped at 0 and the positive ones share the total conversions (the
  global-share convention used for Markov). Value follows that conversion credit coalition by
  coalition: the value of the journeys whose channel set is exactly ``T`` is split over the
  channels of ``T`` in proportion to their clipped Shapley values (evenly when all are 0). So
  value stays with the journeys that earned it, sums to the total, is never negative, and a
  channel credited with conversions gets the value of the journeys it was part of. (A second
  game on value per journey, clipped on its own, was degenerate: it mixes conversion rate with
  order size, and a channel that raised the rate of cheap conversions came out negative,
  clipped to 0 value for hundreds of credited conversions, while the channel of a few large
  orders took almost all of the value.) Campaigns share a channel's credit by its touches in
  converting journeys.

Channel sets are computed without per-journey Python: (journey, channel) pairs are made
unique with one sort (simplified/ordered, converting journeys only) and a journey's set is a
bitmask from ``np.bitwise_or.reduceat`` (coalition).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from marketing.attribution.credit import (
    Attribution,
    build_attribution,
    campaign_touch_weights,
    per_touch_credit,
)
from marketing.attribution.journeys import AttributionInputError, Journeys, bincount

__all__ = ["MAX_COALITION_CHANNELS", "shapley_coalition", "shapley_ordered",
           "shapley_simplified"]

MAX_COALITION_CHANNELS = 20
"""Most channels :func:`shapley_coalition` enumerates (2^20 coalitions)."""

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def _pairs(j: Journeys) -> tuple[I64, I64, I64, I64]:
    """Return per touch its pair id, the pair's touch count and the journey's distinct channels.

    A pair is (journey, channel); the fourth array is the index of each pair's first touch.
    """
    pair = j.touch_journey * len(j.channels) + j.channel_codes
    unique, first, inverse, counts = np.unique(pair, return_index=True, return_inverse=True,
                                               return_counts=True)
    distinct = np.bincount(unique // len(j.channels), minlength=len(j))
    return inverse, counts[inverse], distinct[j.touch_journey], first


def _simplified_weights(j: Journeys) -> F64:
    if len(j) == 0:
        return np.zeros(0)
    _, count, distinct, _ = _pairs(j)
    result: F64 = 1.0 / distinct / count
    return result


def shapley_simplified(journeys: Journeys) -> Attribution:
    """Set-based Shapley (Zhao et al.): each converting journey split evenly over its channels."""
    converting = journeys.converting
    weights = _simplified_weights(converting)
    return build_attribution("shapley_simplified", journeys,
                             per_touch_credit(converting, weights))


def shapley_ordered(journeys: Journeys) -> Attribution:
    """Ordered Shapley (Zhao et al.): credit by the position where each channel first enters.

    Details carry ``by_position``: ``{(channel, position): conversions}`` with positions
    counted from 1 over the journey's distinct channels in order of first touch.
    """
    j = journeys.converting
    weights = np.zeros(j.n_touches)
    by_position: dict[tuple[str, int], float] = {}
    if len(j):
        _, _, distinct, first = _pairs(j)
        entering = np.zeros(j.n_touches, dtype=bool)
        entering[first] = True
        weights = np.where(entering, 1.0 / distinct, 0.0)
        rank = np.cumsum(entering)
        before = np.concatenate([[0], rank])[j.offsets[:-1]]
        position = (rank - before[j.touch_journey])[first]
        width = int(position.max()) + 1
        credit = np.bincount(j.channel_codes[first].astype(np.int64) * width + position,
                             weights[first] * j.conversions[j.touch_journey[first]],
                             minlength=len(j.channels) * width)
        for key in np.flatnonzero(credit):
            by_position[(j.channels[key // width], int(key % width))] = float(credit[key])
    return build_attribution("shapley_ordered", journeys, per_touch_credit(j, weights),
                             details={"by_position": dict(sorted(by_position.items()))})


def _subset_sums(exact: F64, n: int) -> F64:
    """Turn per-exact-set totals into per-subset totals (sum over T subset of S)."""
    out = exact.copy()
    for i in range(n):
        view = out.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    return out


def _value_by_coalition(value_by_set: F64, n: int, weights: F64) -> F64:
    """Split each exact channel set's value over its channels by their (clipped) weights.

    Args:
        value_by_set: value of the journeys whose channel set is exactly each bitmask.
        n: number of channels (bits).
        weights: per bit, a non-negative weight (the clipped conversion Shapley value).

    Returns:
        Per bit, the value credited; sums to ``value_by_set.sum()``. A set whose channels all
        weigh 0 splits its value evenly over them.

    """
    sets = np.flatnonzero(value_by_set)
    if n == 0 or len(sets) == 0:
        return np.zeros(n)
    bits = ((sets[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)
    weighted = bits * weights[None, :]
    total = weighted.sum(axis=1)
    even = total <= 0
    weighted[even] = bits[even]
    total[even] = bits[even].sum(axis=1)
    shares: F64 = weighted / total[:, None]
    credit: F64 = value_by_set[sets] @ shares
    return credit


def shapley_coalition(journeys: Journeys,
                      max_channels: int = MAX_COALITION_CHANNELS) -> Attribution:
    """Classic Shapley over all coalitions with v(S) = conversion rate of journeys within S.

    Conversions are shared by the clipped Shapley values; each exact channel set's value is
    split over its channels by the same values (see the module docstring).
    Details carry ``shapley_values`` (per channel, conversion rate units, may be negative) and
    ``value_rule`` (the value split in words).

    Raises:
        AttributionInputError: if more than ``max_channels`` channels occur in the journeys.

    """
    occurs = journeys.channel_touches > 0
    present = np.flatnonzero(occurs)
    n = len(present)
    if n > max_channels:
        raise AttributionInputError(
            f"shapley_coalition: {n} channels occur but at most {max_channels} can be "
            f"enumerated (2^n coalitions); use shapley_simplified or group channels")
    bit_of = np.zeros(len(journeys.channels), dtype=np.int64)
    bit_of[present] = np.left_shift(1, np.arange(n, dtype=np.int64))
    masks = np.bitwise_or.reduceat(bit_of[journeys.channel_codes], journeys.offsets[:-1])
    size = 1 << n
    conv = bincount(masks, journeys.conversions, size)
    value_by_set = bincount(masks, journeys.value, size)
    occ = bincount(masks, journeys.conversions + journeys.nulls, size)
    conv, occ = _subset_sums(conv, n), _subset_sums(occ, n)
    safe = np.where(occ > 0, occ, 1.0)
    v_conv = np.where(occ > 0, conv / safe, 0.0)
    coalitions = np.arange(size)
    popcount = np.zeros(size, dtype=np.int64)
    for i in range(n):
        popcount += (coalitions >> i) & 1
    weight = np.array([math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                       for k in range(n)]) if n else np.zeros(0)
    phi = np.zeros(n)
    for i in range(n):
        without = coalitions[((coalitions >> i) & 1) == 0]
        w = weight[popcount[without]]
        phi[i] = float(np.sum(w * (v_conv[without | (1 << i)] - v_conv[without])))
    clipped = np.maximum(phi, 0.0)
    value_credit = _value_by_coalition(value_by_set, n, clipped)
    shares_c = np.zeros(len(journeys.channels))
    shares_v = np.zeros(len(journeys.channels))
    shares_c[present] = clipped
    shares_v[present] = value_credit
    phi_c = {journeys.channels[code]: float(phi[i]) for i, code in enumerate(present)}
    return build_attribution(
        "shapley_coalition", journeys, campaign_touch_weights(journeys, shares_c, shares_v),
        details={"shapley_values": phi_c,
                 "value_rule": "each channel set's value split over its channels by their "
                               "clipped Shapley values"},
    )
