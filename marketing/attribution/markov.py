"""Markov-chain attribution of order 1..k, solved exactly (no simulation).

The chain (Anderl et al. 2016, as in ChannelAttribution): every path is
``(start) -> s_1 -> ... -> s_n -> (conversion) | (null)`` where a state ``s_t`` is the tuple of
the last ``order`` channels up to touch ``t`` (shorter at the start of a path). Transition
probabilities are path-weighted counts (converting occurrences + non-converting ones).
Absorption probabilities come from solving ``(I - Q) x = r`` with sparse LU, not from
simulating paths.

Removal effect of channel c: ``RE(c) = 1 - P(conversion | every state containing c removed) /
P(conversion)``, where removing a state sends its inflow to ``(null)``. Credit uses the
**global share** convention of ChannelAttribution: ``total conversions x RE(c) / sum RE``;
value uses the same construction on the expected value (each state's conversion exit carries
the mean value of the conversions leaving there). Within a channel, credit is split over
campaigns by that channel's touches in converting journeys (weighted by their conversions,
resp. value).

Order selection (:func:`choose_order`): journeys are split deterministically by a 64-bit hash
of their key (``pandas.util.hash_array``, fixed hash key; a journey is held out when the hash
is divisible by ``holdout``; for grouped paths a whole path row is one unit), so the split
depends on keys only, never on row order; a chain of each order is fitted on the rest and
scored by the **held-out log-likelihood per event** (each next channel, conversion or null),
with add-``alpha`` smoothing over the ``channels + 2`` possible next events. The best order
wins; ties go to the lower order.

Everything is vectorised over the touch arrays: a state of order k is the integer
``sum_l (channel[t - l] + 1) * (S + 1)^l`` (0 past the journey start), compacted to dense ids;
transition and exit counts are ``np.bincount`` over ``from * n_states + to``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from marketing.attribution.credit import Attribution, build_attribution, campaign_touch_weights
from marketing.attribution.journeys import AttributionInputError, Journeys, _ranges, bincount

__all__ = ["MarkovChain", "choose_order", "fit_chain", "markov", "markov_auto"]

State = tuple[str, ...]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_DENSE = 1 << 24  # largest id space compacted with a lookup table instead of a sort


@dataclass(frozen=True)
class MarkovChain:
    """A fitted chain: states, the transient matrix and its exits.

    Attributes:
        order: the order (states are tuples of up to ``order`` channels).
        codes: ``(n_states, order)`` channel codes of each state, most recent first
            (-1 past the journey start).
        channel_names: the channel names the codes index.
        q: transient-to-transient transition probabilities (sparse, CSC).
        start: probability of entering each state from ``(start)``.
        r_conv: probability of each state exiting to ``(conversion)``.
        r_value: expected value of each state's conversion exit (probability x mean value).
        occupied: states with at least one weighted visit.

    """

    order: int
    codes: I64
    channel_names: tuple[str, ...]
    q: sp.csc_matrix
    start: F64
    r_conv: F64
    r_value: F64
    occupied: npt.NDArray[np.bool_]

    @property
    def states(self) -> tuple[State, ...]:
        """Each state as channel names, oldest first."""
        return tuple(tuple(self.channel_names[c] for c in row[::-1] if c >= 0)
                     for row in self.codes)

    def absorb(self, removed: int | None = None) -> tuple[float, float]:
        """Return (P(conversion), expected value) from start, optionally with a channel removed.

        Args:
            removed: code of the channel whose states are removed (inflow goes to null).

        """
        keep = (np.ones(len(self.codes), dtype=bool) if removed is None
                else ~(self.codes == removed).any(axis=1))
        if not keep.any():
            return 0.0, 0.0
        idx = np.flatnonzero(keep)
        q = self.q[idx][:, idx]
        a = (sp.identity(len(idx), format="csc") - q).tocsc()
        rhs = np.column_stack([self.r_conv[idx], self.r_value[idx]])
        x = np.asarray(spsolve(a, rhs)).reshape(len(idx), 2)
        p = self.start[idx] @ x
        return float(p[0]), float(p[1])


def _state_ids(j: Journeys, order: int) -> tuple[I64, I64]:
    """Dense state id per touch and the ``(n_states, order)`` code matrix of the states."""
    base = len(j.channels) + 1
    shifted = j.channel_codes.astype(np.int64) + 1
    if order == 1:  # every channel is a state (unvisited ones are inert)
        return j.channel_codes.astype(np.int64), np.arange(base - 1, dtype=np.int64)[:, None]
    first, lengths = j.offsets[:-1], j.lengths

    def lagged(lag: int) -> I64:
        """(channel + 1) of the touch ``lag`` steps back, 0 past the journey start."""
        code = np.zeros(j.n_touches, dtype=np.int64)
        code[lag:] = shifted[: j.n_touches - lag]
        for early in range(lag):  # the first ``lag`` touches of each journey look past it
            code[first[lengths > early] + early] = 0
        return code

    if base ** order <= 2**62:
        combined = shifted.copy()
        for lag in range(1, order):
            combined += lagged(lag) * base**lag
        if base**order <= _DENSE:
            seen = np.zeros(base**order, dtype=bool)
            seen[combined] = True
            values = np.flatnonzero(seen)
            ids = np.cumsum(seen) - 1
            state = ids[combined]
        else:
            values, state = np.unique(combined, return_inverse=True)
        powers = base ** np.arange(order, dtype=np.int64)
        codes = (values[:, None] // powers[None, :]) % base - 1
        return state.astype(np.int64, copy=False), codes.astype(np.int64, copy=False)
    columns = np.stack([lagged(lag) for lag in range(order)], axis=1)
    rows, inverse = np.unique(columns, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), rows - 1


def _pair_counts(left: I64, right: I64, width: int, weights: F64) -> tuple[I64, I64, F64]:
    """Sum ``weights`` per (left, right) pair; returns the pairs with a positive sum."""
    if width * width <= _DENSE:
        counts = bincount(left * width + right, weights, width * width)
        cells: I64 = np.flatnonzero(counts > 0).astype(np.int64)
        return cells // width, cells % width, counts[cells]
    unique, inverse = np.unique(left * width + right, return_inverse=True)
    sums = bincount(inverse, weights, len(unique))
    keep = sums > 0
    kept: I64 = unique[keep].astype(np.int64)
    return kept // width, kept % width, sums[keep]


def _transitions(journeys: Journeys, state: I64, n_states: int,
                 weight_j: F64) -> tuple[I64, I64, F64]:
    """Weighted (from, to) counts of consecutive touches within journeys."""
    first, lengths = journeys.offsets[:-1], journeys.lengths
    odd = np.flatnonzero(weight_j != 1.0)
    if n_states * n_states > _DENSE or 2 * len(odd) > len(journeys):
        step = weight_j[journeys.touch_journey[1:]]
        step[journeys.position[1:] == 0] = 0.0
        return _pair_counts(state[:-1], state[1:], n_states, step)
    # mostly unit weights (one journey = one occurrence): count every consecutive pair
    # unweighted, take back the pairs that straddle two journeys, and add (weight - 1) for the
    # journeys whose weight is not 1 (the converting ones) -- no per-touch weight array
    width = n_states
    counts = bincount(state[:-1] * width + state[1:], None, width * width)
    counts -= bincount(state[first[1:] - 1] * width + state[first[1:]], None, width * width)
    if len(odd):
        touch = _ranges(first[odd], lengths[odd])
        sub = state[touch]
        extra = np.repeat(weight_j[odd] - 1.0, lengths[odd])[1:]
        starts = np.cumsum(lengths[odd])[:-1]
        extra[starts - 1] = 0.0  # a pair whose right touch starts the next journey
        counts += bincount(sub[:-1] * width + sub[1:], extra, width * width)
    cells: I64 = np.flatnonzero(counts > 1e-9).astype(np.int64)
    return cells // width, cells % width, counts[cells]


def fit_chain(journeys: Journeys, order: int) -> MarkovChain:
    """Fit a chain of ``order`` from journeys (conversions + nulls are the path weights).

    Raises:
        AttributionInputError: if the order is < 1.

    """
    if order < 1:
        raise AttributionInputError(f"markov: order must be >= 1, got {order}")
    state, codes = _state_ids(journeys, order)
    n_states = len(codes)
    weight_j = journeys.conversions + journeys.nulls
    first, last = journeys.offsets[:-1], journeys.offsets[1:] - 1
    rows, cols, counts = _transitions(journeys, state, n_states, weight_j)
    # every visit leaves once: to the next state or to an exit at the journey's last touch
    out = bincount(rows, counts, n_states) + bincount(state[last], weight_j, n_states)
    safe = np.where(out > 0, out, 1.0)
    q = sp.csc_matrix((counts / safe[rows], (rows, cols)), shape=(n_states, n_states))
    start = bincount(state[first], weight_j, n_states)
    total_start = start.sum()
    conv = bincount(state[last], journeys.conversions, n_states)
    value = bincount(state[last], journeys.value, n_states)
    return MarkovChain(
        order=order, codes=codes, channel_names=journeys.channels, q=q,
        start=start / total_start if total_start > 0 else start.copy(),
        r_conv=np.where(out > 0, conv / safe, 0.0), r_value=np.where(out > 0, value / safe, 0.0),
        occupied=out > 0,
    )


def markov(journeys: Journeys, order: int = 1) -> Attribution:
    """Attribute with an exact Markov chain of ``order`` (global removal-effect share).

    Details carry ``removal_effects`` (conversion), ``removal_effects_value``,
    ``conversion_probability`` and ``n_states``.

    Raises:
        AttributionInputError: if the order is < 1.

    """
    chain = fit_chain(journeys, order)
    p_all, v_all = chain.absorb()
    re_c: dict[str, float] = {}
    re_v: dict[str, float] = {}
    occurs = journeys.channel_touches > 0
    for code, ch in enumerate(journeys.channels):
        p, v = chain.absorb(code) if occurs[code] else (p_all, v_all)
        re_c[ch] = max(0.0, 1.0 - p / p_all) if p_all > 0 else 0.0
        re_v[ch] = max(0.0, 1.0 - v / v_all) if v_all > 0 else 0.0
    shares_c = np.array([re_c[c] for c in journeys.channels])
    shares_v = np.array([re_v[c] for c in journeys.channels])
    return build_attribution(
        f"markov_order_{order}", journeys, campaign_touch_weights(journeys, shares_c, shares_v),
        details={"removal_effects": re_c, "removal_effects_value": re_v,
                 "conversion_probability": p_all, "n_states": int(chain.occupied.sum())},
    )


def _held_out(journeys: Journeys, holdout: int) -> npt.NDArray[np.bool_]:
    """Per journey, whether its key falls in the held-out bucket (depends on the key only)."""
    hashes = pd.util.hash_array(np.asarray(journeys.keys))
    held: npt.NDArray[np.bool_] = hashes % np.uint64(holdout) == 0
    return held


def _touch_tally(journeys: Journeys, cells: I64, weight_j: F64,
                 selected: npt.NDArray[np.bool_], n_cells: int) -> F64:
    """Sum of journey weights over the touches of the ``selected`` journeys, per cell.

    Unit-weight journeys (one occurrence each, the usual case) are counted unweighted; only
    the others carry a (weight - 1) correction, so no per-touch weight array is built.
    """
    first, lengths = journeys.offsets[:-1], journeys.lengths
    chosen = np.flatnonzero(selected)
    if len(chosen) == len(journeys):
        counts = bincount(cells, None, n_cells)
    else:
        counts = bincount(cells[_ranges(first[chosen], lengths[chosen])], None, n_cells)
    odd = chosen[weight_j[chosen] != 1.0]
    if len(odd):
        touch = _ranges(first[odd], lengths[odd])
        counts += bincount(cells[touch], np.repeat(weight_j[odd] - 1.0, lengths[odd]), n_cells)
    return counts


def _loglik(journeys: Journeys, test_j: npt.NDArray[np.bool_], order: int,
            alpha: float) -> float:
    """Held-out log-likelihood per event of a chain of ``order`` fitted on the rest."""
    state, codes = _state_ids(journeys, order)
    n_states = len(codes)
    n_channels = len(journeys.channels)
    size = n_channels + 2
    first, last = journeys.offsets[:-1], journeys.offsets[1:] - 1
    # each touch is the event "next channel" from the previous state ((start) = n_states)
    prev = np.empty(journeys.n_touches, dtype=np.int64)
    prev[1:] = state[:-1]
    prev[first] = n_states
    conv, nulls = journeys.conversions, journeys.nulls
    touch_cells = prev * size + journeys.channel_codes
    del prev
    exit_cells = state[last] * size + n_channels
    weight_j = conv + nulls
    n_cells = (n_states + 1) * size
    exits = np.concatenate([exit_cells, exit_cells + 1])
    if n_cells <= 4 * _DENSE:
        counts = _touch_tally(journeys, touch_cells, weight_j, ~test_j, n_cells)
        counts += bincount(exits, np.concatenate([np.where(test_j, 0.0, conv),
                                                  np.where(test_j, 0.0, nulls)]), n_cells)
        held = _touch_tally(journeys, touch_cells, weight_j, test_j, n_cells)
        held += bincount(exits, np.concatenate([np.where(test_j, conv, 0.0),
                                                np.where(test_j, nulls, 0.0)]), n_cells)
        out = counts.reshape(n_states + 1, size).sum(axis=1)
        log_p = np.log((counts + alpha) / (np.repeat(out, size) + alpha * size))
    else:
        jt = journeys.touch_journey
        unique, inverse = np.unique(np.concatenate([touch_cells, exits]), return_inverse=True)
        weights = np.concatenate([weight_j[jt], conv, nulls])
        in_test = np.concatenate([test_j[jt], test_j, test_j])
        counts = bincount(inverse, np.where(in_test, 0.0, weights), len(unique))
        held = bincount(inverse, np.where(in_test, weights, 0.0), len(unique))
        out = bincount(unique // size, counts, n_states + 1)
        log_p = np.log((counts + alpha) / (out[unique // size] + alpha * size))
    total_weight = float(held.sum())
    if total_weight <= 0:
        return float("-inf")
    return float(held @ log_p / total_weight)


def choose_order(journeys: Journeys, max_order: int = 4, holdout: int = 5,
                 alpha: float = 1.0) -> tuple[int, dict[int, float]]:
    """Pick the order in ``1..max_order`` with the best held-out log-likelihood per event.

    Returns:
        (best order, {order: held-out mean log-likelihood}).

    Raises:
        AttributionInputError: if the split leaves the training or held-out part empty.

    """
    if max_order < 1 or holdout < 2:
        raise AttributionInputError("choose_order: need max_order >= 1 and holdout >= 2")
    test = _held_out(journeys, holdout)
    n_test = int(test.sum())
    if n_test == 0 or n_test == len(journeys):
        raise AttributionInputError(
            f"choose_order: {len(journeys)} journeys are too few to hold out 1 in {holdout}")
    scores = {k: _loglik(journeys, test, k, alpha) for k in range(1, max_order + 1)}
    best = max(scores, key=lambda k: (scores[k], -k))
    return best, scores


def markov_auto(journeys: Journeys, max_order: int = 4, holdout: int = 5) -> Attribution:
    """Choose the order by held-out log-likelihood, then attribute on all journeys."""
    best, scores = choose_order(journeys, max_order, holdout)
    result = markov(journeys, best)
    details: dict[str, Any] = dict(result.details)
    details.update({"order": best, "heldout_loglik": scores})
    return Attribution(result.model, result.channels, result.campaigns,
                       result.total_conversions, result.total_value, details)

