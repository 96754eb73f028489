"""Turn per-touch or per-channel weights into exact credited conversions and value.

Every model ends here: float shares are scaled to the totals (integer micro-units) and
rounded with a largest-remainder correction, so the credited rows sum *exactly* to the total
conversions and value; ties are broken by row order (channel, then campaign), so results are
deterministic. Decimals are made only for the final rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketing.attribution.journeys import UNITS, Journeys, bincount

__all__ = ["QUANTUM", "Attribution", "CampaignKey", "RawCredit", "allocate", "allocate_units",
           "build_attribution", "campaign_touch_weights", "per_touch_credit"]

QUANTUM = Decimal("0.000001")
"""Resolution of credited conversions and value (rows sum exactly to the totals)."""

assert Decimal(1) / UNITS == QUANTUM

CampaignKey = tuple[str, str | None]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Attribution:
    """Credit of one model.

    Attributes:
        model: model name, e.g. ``markov_order_1``.
        channels: frame ``channel, conversions, value`` (Decimal columns), one row per
            declared/seen channel, sorted by channel.
        campaigns: frame ``channel, campaign, conversions, value`` (campaign may be None),
            sorted by channel then campaign.
        total_conversions: the journeys' total conversions (= sum of both frames' rows).
        total_value: the journeys' total value (= sum of both frames' rows).
        details: model-specific extras (removal effects, chosen order, ...).

    """

    model: str
    channels: pd.DataFrame
    campaigns: pd.DataFrame
    total_conversions: Decimal
    total_value: Decimal
    details: Mapping[str, Any] = field(default_factory=dict)

    def channel_credit(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Return ``{channel: (conversions, value)}``."""
        return {r.channel: (r.conversions, r.value) for r in self.channels.itertuples()}


@dataclass(frozen=True)
class RawCredit:
    """Float credit before rounding.

    Attributes:
        channel_conv: per channel (index of ``Journeys.channels``), conversion weight.
        channel_value: per channel, value weight.
        campaign_conv: per campaign slot (``Journeys.campaign_slots``), conversion weight
            within its channel.
        campaign_value: per campaign slot, value weight within its channel.
        campaign_present: per campaign slot, whether it gets a row.

    """

    channel_conv: F64
    channel_value: F64
    campaign_conv: F64
    campaign_value: F64
    campaign_present: npt.NDArray[np.bool_]


def allocate_units(weights: F64, total: int) -> I64:
    """Split ``total`` integer units over non-negative ``weights``, summing exactly.

    Largest remainders get the units left after flooring; ties go to the lower index.

    Raises:
        ValueError: on negative weights, or a non-zero total with all-zero weights.

    """
    w = np.asarray(weights, dtype=np.float64)
    if (w < 0).any():
        raise ValueError("negative attribution weight")
    weight_sum = float(w.sum())
    if weight_sum <= 0:
        if total != 0:
            raise ValueError(f"cannot split {total} units over weights that are all zero")
        return np.zeros(len(w), dtype=np.int64)
    exact = w / weight_sum * float(total)
    floors = np.floor(exact).astype(np.int64)
    left = total - int(floors.sum())
    index = np.arange(len(w))
    if left > 0:
        order = np.lexsort((index, -(exact - floors)))
        floors[order[:left]] += 1
    elif left < 0:  # float shares overshot: take the units back from the largest rows
        order = np.lexsort((index, -floors))
        floors[order[:-left]] -= 1
    assert int(floors.sum()) == total
    return floors


def allocate(shares: Mapping[Any, float], total: Decimal, quantum: Decimal = QUANTUM) -> dict[
    Any, Decimal
]:
    """Split ``total`` over keys in proportion to non-negative ``shares``, summing exactly.

    Args:
        shares: key -> non-negative weight (keys must be sortable among themselves).
        total: the amount to split (a multiple of ``quantum`` after rounding).
        quantum: the resolution of the result.

    Returns:
        key -> Decimal amount; amounts sum exactly to ``total`` rounded to ``quantum``.

    Raises:
        ValueError: on negative weights, or a non-zero total with all-zero weights.

    """
    units_total = int((total / quantum).to_integral_value())
    keys = sorted(shares, key=_sort_key)
    units = allocate_units(np.array([shares[k] for k in keys], dtype=np.float64), units_total)
    return {k: quantum * int(n) for k, n in zip(keys, units, strict=True)}


def _sort_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(("", "") if p is None else ("~", p) if isinstance(p, str) else p for p in key)
    return key


def _or_even(weights: F64) -> F64:
    """Keep weights, or split evenly when they are all zero (a channel's last resort)."""
    return weights if (weights > 0).any() else np.ones(len(weights))


def build_attribution(
    model: str,
    journeys: Journeys,
    raw: RawCredit,
    details: Mapping[str, Any] | None = None,
) -> Attribution:
    """Round raw float credit into an :class:`Attribution` that sums exactly to the totals.

    Campaign shares are allocated *within* each channel's rounded credit, so the campaign rows
    of a channel sum exactly to that channel's row.
    """
    total_c = int(journeys.conversions_units.sum())
    total_v = int(journeys.value_units.sum())
    conv = allocate_units(np.maximum(0.0, np.nan_to_num(raw.channel_conv)), total_c)
    value = allocate_units(np.maximum(0.0, np.nan_to_num(raw.channel_value)), total_v)
    n_channels = len(journeys.channels)
    width = len(journeys.campaign_names) + 1
    camp_conv = np.maximum(0.0, raw.campaign_conv).reshape(n_channels, width)
    camp_value = np.maximum(0.0, raw.campaign_value).reshape(n_channels, width)
    present = raw.campaign_present.reshape(n_channels, width)
    names: list[str | None] = [None, *journeys.campaign_names]
    campaign_rows: list[tuple[str, str | None, Decimal, Decimal]] = []
    for c, channel in enumerate(journeys.channels):
        slots = np.flatnonzero(present[c])
        if len(slots) == 0:
            slots = np.zeros(1, dtype=np.int64)
        cc = allocate_units(_or_even(camp_conv[c, slots]), int(conv[c]))
        cv = allocate_units(_or_even(camp_value[c, slots]), int(value[c]))
        campaign_rows += [(channel, names[s], QUANTUM * int(a), QUANTUM * int(b))
                          for s, a, b in zip(slots, cc, cv, strict=True)]
    channel_rows = [(ch, QUANTUM * int(a), QUANTUM * int(b))
                    for ch, a, b in zip(journeys.channels, conv, value, strict=True)]
    result = Attribution(
        model=model,
        channels=pd.DataFrame(channel_rows, columns=["channel", "conversions", "value"],
                              dtype=object),
        campaigns=pd.DataFrame(campaign_rows,
                               columns=["channel", "campaign", "conversions", "value"],
                               dtype=object),
        total_conversions=(QUANTUM * total_c).quantize(QUANTUM),
        total_value=(QUANTUM * total_v).quantize(QUANTUM),
        details=dict(details or {}),
    )
    return result


def per_touch_credit(journeys: Journeys, weights: F64) -> RawCredit:
    """Sum per-touch weights (each converting journey's summing to 1) x conversions and value.

    Args:
        journeys: the journeys (usually ``journeys.converting``).
        weights: one weight per touch; touches of non-converting journeys are ignored.

    Returns:
        The raw channel and campaign credit; a campaign gets a row when one of its touches in
        a converting journey has a non-zero weight.

    """
    jt = journeys.touch_journey
    conv_j = journeys.conversions[jt]
    n_channels = len(journeys.channels)
    n_slots = n_channels * (len(journeys.campaign_names) + 1)
    conv_t = conv_j * weights
    val_t = journeys.value[jt] * weights
    slots = journeys.campaign_slots
    live = ((weights != 0) & (conv_j > 0)).astype(np.float64)
    return RawCredit(
        channel_conv=bincount(journeys.channel_codes, conv_t, n_channels),
        channel_value=bincount(journeys.channel_codes, val_t, n_channels),
        campaign_conv=bincount(slots, conv_t, n_slots),
        campaign_value=bincount(slots, val_t, n_slots),
        campaign_present=bincount(slots, live, n_slots) > 0,
    )


def campaign_touch_weights(journeys: Journeys, channel_conv: F64,
                           channel_value: F64) -> RawCredit:
    """Weigh campaigns within each channel by its touches in converting journeys.

    Touches count with their journey's conversions (resp. value); a channel credited only
    through non-converting paths (possible in a chain) falls back to all its touches weighted
    by occurrences.
    """
    n_channels = len(journeys.channels)
    width = len(journeys.campaign_names) + 1
    n_slots = n_channels * width
    converting = journeys.converting
    slots = converting.campaign_slots
    jt = converting.touch_journey
    kc = bincount(slots, converting.conversions[jt], n_slots).reshape(n_channels, width)
    kv = bincount(slots, converting.value[jt], n_slots).reshape(n_channels, width)
    present = (bincount(slots, None, n_slots) > 0).reshape(n_channels, width)
    covered_c = np.asarray((kc > 0).any(axis=1))
    covered_v = np.asarray((kv > 0).any(axis=1))
    occurs = journeys.channel_touches > 0
    if (occurs & ~(covered_c & covered_v)).any():
        # a channel credited only through non-converting paths: all its touches, by occurrence
        every = journeys.campaign_slots
        occurrences = journeys.conversions + journeys.nulls
        fallback = bincount(every, occurrences[journeys.touch_journey], n_slots).reshape(
            n_channels, width)
        touched = (bincount(every, None, n_slots) > 0).reshape(n_channels, width)
        kc = np.where(covered_c[:, None], kc, fallback)
        kv = np.where(covered_v[:, None], kv, fallback)
        present |= ~(covered_c & covered_v)[:, None] & touched
    return RawCredit(channel_conv, channel_value, kc.ravel(), kv.ravel(), present.ravel())
