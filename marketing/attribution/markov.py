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

Order selection (:func:`choose_order`): journeys are split deterministically by a SHA-256 of
their key (every ``holdout``-th bucket is held out; for grouped paths a whole path row is one
unit); a chain of each order is fitted on the rest and scored by the **held-out
log-likelihood per event** (each next channel, conversion or null), with add-``alpha``
smoothing over the ``channels + 2`` possible next events. The best order wins; ties go to the
lower order.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from marketing.attribution.credit import Attribution, build_attribution, campaign_touch_weights
from marketing.attribution.journeys import AttributionInputError, Journey, Journeys

__all__ = ["MarkovChain", "choose_order", "fit_chain", "markov", "markov_auto"]

State = tuple[str, ...]
_CONV = "(conversion)"
_NULL = "(null)"


def _states(path: tuple[str, ...], order: int) -> list[State]:
    return [path[max(0, t - order + 1): t + 1] for t in range(len(path))]


@dataclass(frozen=True)
class MarkovChain:
    """A fitted chain: states, the transient matrix and its exits.

    Attributes:
        order: the order (states are tuples of up to ``order`` channels).
        states: transient states, in index order (sorted).
        q: transient-to-transient transition probabilities (sparse, CSC).
        start: probability of entering each state from ``(start)``.
        r_conv: probability of each state exiting to ``(conversion)``.
        r_value: expected value of each state's conversion exit (probability x mean value).

    """

    order: int
    states: tuple[State, ...]
    q: sp.csc_matrix
    start: np.ndarray
    r_conv: np.ndarray
    r_value: np.ndarray

    def absorb(self, removed: str | None = None) -> tuple[float, float]:
        """Return (P(conversion), expected value) from start, optionally with a channel removed."""
        keep = np.array([removed is None or removed not in s for s in self.states], dtype=bool)
        if not keep.any():
            return 0.0, 0.0
        idx = np.flatnonzero(keep)
        q = self.q[idx][:, idx]
        a = (sp.identity(len(idx), format="csc") - q).tocsc()
        rhs = np.column_stack([self.r_conv[idx], self.r_value[idx]])
        x = spsolve(a, rhs)
        x = np.asarray(x).reshape(len(idx), 2)
        p = self.start[idx] @ x
        return float(p[0]), float(p[1])


def _weights(j: Journey) -> tuple[float, float, float]:
    return float(j.conversions), float(j.value), float(j.nulls)


def fit_chain(items: Iterable[Journey], order: int) -> MarkovChain:
    """Fit a chain of ``order`` from journeys (conversions + nulls are the path weights)."""
    if order < 1:
        raise AttributionInputError(f"markov: order must be >= 1, got {order}")
    counts: dict[tuple[State, State], float] = {}
    start: dict[State, float] = {}
    conv: dict[State, float] = {}
    value: dict[State, float] = {}
    out: dict[State, float] = {}
    for j in items:
        c, v, n = _weights(j)
        w = c + n
        if w <= 0:
            continue
        states = _states(j.channels, order)
        start[states[0]] = start.get(states[0], 0.0) + w
        for a, b in itertools.pairwise(states):
            counts[(a, b)] = counts.get((a, b), 0.0) + w
            out[a] = out.get(a, 0.0) + w
        last = states[-1]
        out[last] = out.get(last, 0.0) + w
        conv[last] = conv.get(last, 0.0) + c
        value[last] = value.get(last, 0.0) + v
    names = tuple(sorted(out))
    index = {s: i for i, s in enumerate(names)}
    n_states = len(names)
    rows = [index[a] for a, _ in counts]
    cols = [index[b] for _, b in counts]
    probs = [w / out[a] for (a, _), w in counts.items()]
    q = sp.csc_matrix((probs, (rows, cols)), shape=(n_states, n_states))
    total_start = sum(start.values())
    start_v = np.zeros(n_states)
    r_conv = np.zeros(n_states)
    r_value = np.zeros(n_states)
    for s, w in start.items():
        start_v[index[s]] = w / total_start
    for s, w in conv.items():
        r_conv[index[s]] = w / out[s]
    for s, w in value.items():
        r_value[index[s]] = w / out[s]
    return MarkovChain(order, names, q, start_v, r_conv, r_value)


def markov(journeys: Journeys, order: int = 1) -> Attribution:
    """Attribute with an exact Markov chain of ``order`` (global removal-effect share).

    Details carry ``removal_effects`` (conversion), ``removal_effects_value``,
    ``conversion_probability`` and ``n_states``.

    Raises:
        AttributionInputError: if the order is < 1.

    """
    chain = fit_chain(journeys.items, order)
    p_all, v_all = chain.absorb()
    re_c: dict[str, float] = {}
    re_v: dict[str, float] = {}
    for ch in journeys.channels:
        p, v = chain.absorb(ch)
        re_c[ch] = max(0.0, 1.0 - p / p_all) if p_all > 0 else 0.0
        re_v[ch] = max(0.0, 1.0 - v / v_all) if v_all > 0 else 0.0
    kc, kv = campaign_touch_weights(journeys)
    # within a channel, campaigns share its credit by touch weight; scale to the channel total
    conv_c = {ch: re_c[ch] for ch in journeys.channels}
    val_c = {ch: re_v[ch] for ch in journeys.channels}
    return build_attribution(
        f"markov_order_{order}", journeys, conv_c, val_c, kc, kv,
        details={"removal_effects": re_c, "removal_effects_value": re_v,
                 "conversion_probability": p_all, "n_states": len(chain.states)},
    )


def _bucket(key: str, holdout: int) -> bool:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % holdout == 0


def _loglik(train: list[Journey], test: list[Journey], order: int, n_channels: int,
            alpha: float) -> float:
    counts: dict[tuple[State, str], float] = {}
    out: dict[State, float] = {}

    def events(j: Journey) -> Iterable[tuple[State, str, float, float]]:
        c, _, n = _weights(j)
        states = [(), *_states(j.channels, order)]
        for i, s in enumerate(states[:-1]):
            yield s, j.channels[i], c + n, 0.0
        if c > 0:
            yield states[-1], _CONV, c, 0.0
        if n > 0:
            yield states[-1], _NULL, n, 0.0

    for j in train:
        for s, e, w, _ in events(j):
            counts[(s, e)] = counts.get((s, e), 0.0) + w
            out[s] = out.get(s, 0.0) + w
    size = n_channels + 2
    total, weight = 0.0, 0.0
    for j in test:
        for s, e, w, _ in events(j):
            p = (counts.get((s, e), 0.0) + alpha) / (out.get(s, 0.0) + alpha * size)
            total += w * math.log(p)
            weight += w
    return total / weight if weight else float("-inf")


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
    test = [j for j in journeys.items if _bucket(j.key, holdout)]
    train = [j for j in journeys.items if not _bucket(j.key, holdout)]
    if not test or not train:
        raise AttributionInputError(
            f"choose_order: {len(journeys.items)} journeys are too few to hold out 1 in {holdout}")
    scores = {k: _loglik(train, test, k, len(journeys.channels), alpha)
              for k in range(1, max_order + 1)}
    best = max(scores, key=lambda k: (scores[k], -k))
    return best, scores


def markov_auto(journeys: Journeys, max_order: int = 4, holdout: int = 5) -> Attribution:
    """Choose the order by held-out log-likelihood, then attribute on all journeys."""
    best, scores = choose_order(journeys, max_order, holdout)
    result = markov(journeys, best)
    details = dict(result.details)
    details.update({"order": best, "heldout_loglik": scores})
    return Attribution(result.model, result.channels, result.campaigns,
                       result.total_conversions, result.total_value, details)
