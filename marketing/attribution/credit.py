"""Turn per-touch or per-channel weights into exact credited conversions and value.

Every model ends here: float shares are scaled to the totals and rounded to a fixed quantum
with a largest-remainder correction, so the credited rows sum *exactly* (as Decimals) to the
total conversions and value; ties are broken by the row key, so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import pandas as pd

from marketing.attribution.journeys import Journeys

__all__ = ["QUANTUM", "Attribution", "CampaignKey", "allocate", "build_attribution",
           "campaign_touch_weights", "per_touch_credit"]

QUANTUM = Decimal("0.000001")
"""Resolution of credited conversions and value (rows sum exactly to the totals)."""

CampaignKey = tuple[str, str | None]


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
    weight_sum = sum(shares[k] for k in keys)
    if any(shares[k] < 0 for k in keys):
        raise ValueError("negative attribution weight")
    if weight_sum <= 0:
        if units_total != 0:
            raise ValueError(f"cannot split {total} over weights that are all zero")
        return {k: Decimal(0) for k in keys}
    exact = [Decimal(repr(shares[k] / weight_sum)) * units_total for k in keys]
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    left = units_total - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:max(left, 0)]:
        floors[i] += 1
    if left < 0:  # float shares overshot: take the units back from the largest rows
        for i in sorted(range(len(keys)), key=lambda i: (-floors[i], i))[: -left]:
            floors[i] -= 1
    out = {k: quantum * n for k, n in zip(keys, floors, strict=True)}
    assert sum(out.values(), Decimal(0)) == quantum * units_total
    return out


def _or_even(weights: dict[CampaignKey, float]) -> dict[CampaignKey, float]:
    """Keep weights, or split evenly when they are all zero (a channel's last resort)."""
    return weights if any(w > 0 for w in weights.values()) else {k: 1.0 for k in weights}


def _sort_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(("", "") if p is None else ("~", p) if isinstance(p, str) else p for p in key)
    return key


def build_attribution(
    model: str,
    journeys: Journeys,
    channel_conv: Mapping[str, float],
    channel_value: Mapping[str, float],
    campaign_conv: Mapping[CampaignKey, float],
    campaign_value: Mapping[CampaignKey, float],
    details: Mapping[str, Any] | None = None,
) -> Attribution:
    """Round raw float credit into an :class:`Attribution` that sums exactly to the totals.

    Campaign shares are allocated *within* each channel's rounded credit, so the campaign rows
    of a channel sum exactly to that channel's row.
    """
    total_c = journeys.total_conversions.quantize(QUANTUM)
    total_v = journeys.total_value.quantize(QUANTUM)
    conv_share = {c: max(0.0, channel_conv.get(c, 0.0)) for c in journeys.channels}
    value_share = {c: max(0.0, channel_value.get(c, 0.0)) for c in journeys.channels}
    conv = allocate(conv_share, total_c)
    value = allocate(value_share, total_v)
    channel_rows = [(c, conv[c], value[c]) for c in journeys.channels]
    campaign_rows: list[tuple[str, str | None, Decimal, Decimal]] = []
    for c in journeys.channels:
        keys = sorted({k for k in (*campaign_conv, *campaign_value) if k[0] == c}, key=_sort_key)
        if not keys:
            keys = [(c, None)]
        cc = allocate(_or_even({k: max(0.0, campaign_conv.get(k, 0.0)) for k in keys}), conv[c])
        cv = allocate(_or_even({k: max(0.0, campaign_value.get(k, 0.0)) for k in keys}), value[c])
        campaign_rows += [(c, k[1], cc[k], cv[k]) for k in keys]
    result = Attribution(
        model=model,
        channels=pd.DataFrame(channel_rows, columns=["channel", "conversions", "value"],
                              dtype=object),
        campaigns=pd.DataFrame(campaign_rows,
                               columns=["channel", "campaign", "conversions", "value"],
                               dtype=object),
        total_conversions=total_c,
        total_value=total_v,
        details=dict(details or {}),
    )
    assert sum(result.channels["conversions"], Decimal(0)) == total_c
    assert sum(result.channels["value"], Decimal(0)) == total_v
    assert sum(result.campaigns["conversions"], Decimal(0)) == total_c
    assert sum(result.campaigns["value"], Decimal(0)) == total_v
    return result


def per_touch_credit(
    journeys: Journeys, weights: list[list[float]]
) -> tuple[dict[str, float], dict[str, float], dict[CampaignKey, float], dict[CampaignKey, float]]:
    """Sum per-touch weights (each journey's summing to 1) times its conversions and value."""
    cc: dict[str, float] = {}
    cv: dict[str, float] = {}
    kc: dict[CampaignKey, float] = {}
    kv: dict[CampaignKey, float] = {}
    for j, w in zip(journeys.items, weights, strict=True):
        if j.conversions <= 0:
            continue
        conv, val = float(j.conversions), float(j.value)
        for ch, camp, wt in zip(j.channels, j.campaigns, w, strict=True):
            if wt == 0:
                continue
            cc[ch] = cc.get(ch, 0.0) + conv * wt
            cv[ch] = cv.get(ch, 0.0) + val * wt
            key = (ch, camp)
            kc[key] = kc.get(key, 0.0) + conv * wt
            kv[key] = kv.get(key, 0.0) + val * wt
    return cc, cv, kc, kv


def campaign_touch_weights(
    journeys: Journeys,
) -> tuple[dict[CampaignKey, float], dict[CampaignKey, float]]:
    """Weigh campaigns within each channel by its touches in converting journeys.

    Touches count with their journey's conversions (resp. value); a channel credited only
    through non-converting paths (possible in a chain) falls back to all its touches weighted
    by occurrences.
    """
    kc: dict[CampaignKey, float] = {}
    kv: dict[CampaignKey, float] = {}
    fallback: dict[CampaignKey, float] = {}
    for j in journeys.items:
        occurrences = float(j.conversions + j.nulls)
        for ch, camp in zip(j.channels, j.campaigns, strict=True):
            fallback[(ch, camp)] = fallback.get((ch, camp), 0.0) + occurrences
            if j.conversions > 0:
                kc[(ch, camp)] = kc.get((ch, camp), 0.0) + float(j.conversions)
                kv[(ch, camp)] = kv.get((ch, camp), 0.0) + float(j.value)
    for weights in (kc, kv):
        covered = {ch for (ch, _), w in weights.items() if w > 0}
        for key, w in fallback.items():
            if key[0] not in covered:
                weights[key] = w
    return kc, kv
