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
  rate); they are clipped at 0 and the positive ones share the total conversions and value
  (the global-share convention used for Markov). Campaigns share a channel's credit by its
  touches in converting journeys.
"""

from __future__ import annotations

import math

import numpy as np

from marketing.attribution.credit import (
    Attribution,
    build_attribution,
    campaign_touch_weights,
    per_touch_credit,
)
from marketing.attribution.journeys import AttributionInputError, Journey, Journeys

__all__ = ["MAX_COALITION_CHANNELS", "shapley_coalition", "shapley_ordered",
           "shapley_simplified"]

MAX_COALITION_CHANNELS = 20
"""Most channels :func:`shapley_coalition` enumerates (2^20 coalitions)."""


def _simplified_weights(j: Journey) -> list[float]:
    distinct = sorted(set(j.channels))
    touches = {c: j.channels.count(c) for c in distinct}
    return [1.0 / len(distinct) / touches[c] for c in j.channels]


def shapley_simplified(journeys: Journeys) -> Attribution:
    """Set-based Shapley (Zhao et al.): each converting journey split evenly over its channels."""
    weights = [_simplified_weights(j) if j.conversions > 0 else [0.0] * len(j.channels)
               for j in journeys.items]
    return build_attribution("shapley_simplified", journeys, *per_touch_credit(journeys, weights))


def _ordered_weights(j: Journey) -> list[float]:
    distinct = len(set(j.channels))
    seen: set[str] = set()
    weights = []
    for c in j.channels:
        weights.append(0.0 if c in seen else 1.0 / distinct)
        seen.add(c)
    return weights


def shapley_ordered(journeys: Journeys) -> Attribution:
    """Ordered Shapley (Zhao et al.): credit by the position where each channel first enters.

    Details carry ``by_position``: ``{(channel, position): conversions}`` with positions
    counted from 1 over the journey's distinct channels in order of first touch.
    """
    weights = [_ordered_weights(j) if j.conversions > 0 else [0.0] * len(j.channels)
               for j in journeys.items]
    by_position: dict[tuple[str, int], float] = {}
    for j, w in zip(journeys.items, weights, strict=True):
        position = 0
        for c, wt in zip(j.channels, w, strict=True):
            if wt > 0:
                position += 1
                key = (c, position)
                by_position[key] = by_position.get(key, 0.0) + wt * float(j.conversions)
    return build_attribution("shapley_ordered", journeys, *per_touch_credit(journeys, weights),
                             details={"by_position": dict(sorted(by_position.items()))})


def _subset_sums(exact: np.ndarray, n: int) -> np.ndarray:
    """Turn per-exact-set totals into per-subset totals (sum over T subset of S)."""
    out = exact.copy()
    for i in range(n):
        view = out.reshape(-1, 2, 1 << i)
        view[:, 1, :] += view[:, 0, :]
    return out


def shapley_coalition(journeys: Journeys,
                      max_channels: int = MAX_COALITION_CHANNELS) -> Attribution:
    """Classic Shapley over all coalitions with v(S) = conversion rate of journeys within S.

    Details carry ``shapley_values`` (per channel, conversion rate units, may be negative) and
    ``shapley_values_value``.

    Raises:
        AttributionInputError: if more than ``max_channels`` channels occur in the journeys.

    """
    present = sorted({c for j in journeys.items for c in j.channels})
    n = len(present)
    if n > max_channels:
        raise AttributionInputError(
            f"shapley_coalition: {n} channels occur but at most {max_channels} can be "
            f"enumerated (2^n coalitions); use shapley_simplified or group channels")
    bit = {c: 1 << i for i, c in enumerate(present)}
    size = 1 << n
    conv = np.zeros(size)
    value = np.zeros(size)
    occ = np.zeros(size)
    for j in journeys.items:
        mask = 0
        for c in set(j.channels):
            mask |= bit[c]
        conv[mask] += float(j.conversions)
        value[mask] += float(j.value)
        occ[mask] += float(j.conversions + j.nulls)
    conv, value, occ = (_subset_sums(a, n) for a in (conv, value, occ))
    with np.errstate(invalid="ignore", divide="ignore"):
        v_conv = np.where(occ > 0, conv / np.where(occ > 0, occ, 1), 0.0)
        v_value = np.where(occ > 0, value / np.where(occ > 0, occ, 1), 0.0)
    masks = np.arange(size)
    popcount = np.zeros(size, dtype=np.int64)
    for i in range(n):
        popcount += (masks >> i) & 1
    weight = np.array([math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                       for k in range(n)]) if n else np.zeros(0)
    phi_c: dict[str, float] = {}
    phi_v: dict[str, float] = {}
    for i, c in enumerate(present):
        without = masks[((masks >> i) & 1) == 0]
        w = weight[popcount[without]]
        phi_c[c] = float(np.sum(w * (v_conv[without | (1 << i)] - v_conv[without])))
        phi_v[c] = float(np.sum(w * (v_value[without | (1 << i)] - v_value[without])))
    kc, kv = campaign_touch_weights(journeys)
    return build_attribution(
        "shapley_coalition", journeys,
        {c: max(0.0, x) for c, x in phi_c.items()}, {c: max(0.0, x) for c, x in phi_v.items()},
        kc, kv, details={"shapley_values": phi_c, "shapley_values_value": phi_v},
    )
