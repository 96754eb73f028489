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
"""

from __future__ import annotations

from marketing.attribution.credit import Attribution, build_attribution, per_touch_credit
from marketing.attribution.journeys import Journey, Journeys

__all__ = ["shapley_ordered", "shapley_simplified"]


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
