"""Attribution at scale: every model on N generated journeys; Markov vs ChannelAttribution.

For each size (default 1,000,000 and 10,000,000 journeys):

1. generate journeys (seeded numpy, not timed in the table): 10 channels with planted
   conversion lift (the most frequent channel has the smallest lift), 5 campaigns per channel
   (10 % of touches without a campaign), geometric path lengths (mean 3.5), touches spread
   over up to ~90 days before the journey's end, ~7 % converting (1-2 conversions, lognormal
   values in cents, 3 % zero-value), as the two frames :func:`journeys_from_touches` takes
   (touches: integer journey_id, position, categorical channel/campaign, tz-aware
   touched_at; outcomes: converting journeys only);
2. ``build``: ``journeys_from_touches`` on those frames (validation, sorting check,
   factorising, CSR layout) -- timed separately;
3. every public model on the built journeys: first/last touch, last non-direct, linear,
   time decay, position based, Shapley simplified/ordered/coalition, Markov order 1,
   ``markov_auto(max_order=3)`` (order choice on held-out journeys + the chosen chain) and
   ``journey_summary``. A model's time is the call alone. Helper arrays are cached on the
   :class:`Journeys` the first time a model needs them and that model pays for them:
   ``first_touch`` builds the converting-journeys subset (and its per-touch journey index and
   position), ``markov_order_1`` the per-touch journey index and position of all journeys;
4. Markov order 1 vs ``ChannelAttribution.markov_model`` on the same journeys: ``group`` is
   our exact grouping into distinct paths (:func:`group_paths`: path string, conversions,
   value, nulls) -- the input CA needs; the CA time is the ``markov_model`` call only
   (``var_null`` given, ``order=1``, ``flg_pro=False``, ``verbose=False``, ``seed=0``,
   ``ncore=1``), once with CA's default simulation settings (the speed comparison) and once
   with ``nsim_start=1e6, conv_par=0.01`` (slower, less simulation noise: shows CA converging
   to the exact chain). Our time is a second ``markov(journeys, 1)`` call on the ungrouped
   journeys (caches warm; it needs no grouping; it includes the exact absorbing-chain solves
   and the campaign split). Ratios are printed without and with the grouping charged to CA.
   The relative credit difference is over channels with >= 1 % of the conversions.
   CA is GPL and imported here only (test/bench oracle).

Peak memory: process RSS sampled every 5 ms by a psutil thread while the step runs; the table
shows the peak and the peak minus the RSS at the step's start (the step's own high-water).

    .venv/bin/python bench/bench_attribution.py [--sizes 1000000 10000000] [--ca-max 10000000]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._measure import peak_rss
from marketing.attribution import (
    Attribution,
    Journeys,
    first_touch,
    journey_summary,
    journeys_from_touches,
    last_non_direct,
    last_touch,
    linear,
    markov,
    markov_auto,
    position_based,
    shapley_coalition,
    shapley_ordered,
    shapley_simplified,
    time_decay,
)
from marketing.attribution.summary import group_paths

CHANNELS = ("affiliate", "bing_ads", "direct", "display", "email", "google_ads", "linkedin_ads",
            "meta_ads", "seo", "tiktok_ads")
# share of touches and planted log-odds lift; display is the most frequent, the least lift
FREQUENCY = np.array([.05, .06, .12, .22, .10, .14, .04, .13, .09, .05])
LIFT = np.array([.30, .45, .10, .05, .60, .90, .70, .80, .35, .25])
CAMPAIGNS_PER_CHANNEL = 5
T0 = np.datetime64("2026-01-01T00:00:00", "ns").astype(np.int64)
DAY_NS = 86_400 * 10**9


def generate(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (touches, outcomes) frames of ``n`` synthetic journeys."""
    rng = np.random.default_rng(seed)
    lengths = np.minimum(rng.geometric(1 / 3.5, n), 60).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    journey = np.repeat(np.arange(n, dtype=np.int64), lengths)
    channel = rng.choice(len(CHANNELS), size=total, p=FREQUENCY / FREQUENCY.sum()).astype(np.int8)
    campaign = (channel.astype(np.int16) * CAMPAIGNS_PER_CHANNEL
                + rng.integers(0, CAMPAIGNS_PER_CHANNEL, total, dtype=np.int16))
    campaign[rng.random(total) < 0.10] = -1
    masks = np.bitwise_or.reduceat(np.left_shift(1, channel.astype(np.int64)), offsets[:-1])
    lift = sum(((masks >> i) & 1) * LIFT[i] for i in range(len(CHANNELS)))
    p = 1 / (1 + np.exp(-(-3.9 + lift)))
    converting = rng.random(n) < p
    conversions = np.where(converting, 1 + (rng.random(n) < 0.05), 0).astype(np.int64)
    value = np.round(rng.lognormal(4.0, 0.8, n) * conversions, 2)
    value[converting & (rng.random(n) < 0.03)] = 0.0
    end = T0 + rng.integers(30 * DAY_NS, 120 * DAY_NS, n)
    gaps = rng.exponential(2.0 * DAY_NS, total)
    cum = np.cumsum(gaps)
    before = cum[offsets[1:] - 1][journey] - cum  # 0 at each journey's last touch
    before = np.minimum(before, 90 * DAY_NS)
    touched = (end[journey] - before.astype(np.int64)).astype("datetime64[ns]")
    del gaps, cum, before
    names = [f"{CHANNELS[c]}_c{k}" for c in range(len(CHANNELS))
             for k in range(CAMPAIGNS_PER_CHANNEL)]
    touches = pd.DataFrame({
        "journey_id": journey,
        "position": (np.arange(total, dtype=np.int64) - offsets[:-1][journey]).astype(np.int32),
        "channel": pd.Categorical.from_codes(channel, categories=list(CHANNELS)),
        "campaign": pd.Categorical.from_codes(campaign, categories=names),
        "touched_at": pd.DatetimeIndex(touched).tz_localize("UTC"),
    })
    ids = np.flatnonzero(converting)
    outcomes = pd.DataFrame({
        "journey_id": ids, "converted": True, "conversions": conversions[ids],
        "value": value[ids],
        "converted_at": pd.DatetimeIndex(end[ids].astype("datetime64[ns]")).tz_localize("UTC"),
    })
    return touches, outcomes


MODELS: dict[str, Callable[[Journeys], Any]] = {
    "first_touch": first_touch,
    "last_touch": last_touch,
    "last_non_direct": last_non_direct,
    "linear": linear,
    "time_decay_7d": time_decay,
    "position_based": position_based,
    "shapley_simplified": shapley_simplified,
    "shapley_ordered": shapley_ordered,
    "shapley_coalition": shapley_coalition,
    "markov_order_1": markov,
    "markov_auto_max3": lambda j: markov_auto(j, max_order=3),
    "journey_summary": journey_summary,
}


def _row(name: str, m: dict[str, float], extra: str = "") -> str:
    return (f"  {name:<22} {m['seconds']:>9.2f} s {m['peak']:>10.0f} MB "
            f"{m['peak'] - m['start']:>+10.0f} MB  {extra}")


def _credit(result: Attribution) -> pd.Series:
    return result.channels.set_index("channel")["conversions"].astype(float)


def run(n: int, ca_max: int) -> None:
    print(f"\n== {n:,} journeys ==")
    with peak_rss() as gen:
        touches, outcomes = generate(n)
    print(f"  generated {len(touches):,} touches, {len(outcomes):,} converting journeys "
          f"in {gen['seconds']:.1f} s (not part of the table)")
    print(f"  {'step':<22} {'time':>11} {'peak RSS':>13} {'step high-water':>13}")
    with peak_rss() as m:
        journeys = journeys_from_touches(touches, outcomes, channels=CHANNELS)
    print(_row("build journeys", m, f"{journeys.n_touches:,} touches"))
    del touches, outcomes
    results: dict[str, Any] = {}
    for name, model in MODELS.items():
        with peak_rss() as m:
            results[name] = model(journeys)
        extra = ""
        if name == "markov_auto_max3":
            extra = f"chose order {results[name].details['order']}"
        print(_row(name, m, extra))
    ours_m = results["markov_order_1"]
    if n > ca_max:
        print(f"  ChannelAttribution comparison skipped at {n:,} (> --ca-max {ca_max:,})")
        return
    _compare(journeys, ours_m)


def _best_of(repeats: int, call: Callable[[], Any]) -> dict[str, Any]:
    """Run ``call`` ``repeats`` times; keep the fastest time and the highest peak RSS."""
    best: dict[str, Any] = {}
    for _ in range(repeats):
        with peak_rss() as m:
            result = call()
        if not best or m["seconds"] < best["seconds"]:
            best = {**m, "peak": max(m["peak"], best.get("peak", 0.0))}
        else:
            best["peak"] = max(best["peak"], m["peak"])
        best["result"] = result
    return best


def _compare(journeys: Journeys, _ours_cached: Attribution) -> None:
    import ChannelAttribution as ca  # GPL: bench/test oracle only

    with peak_rss() as g:
        grouped = group_paths(journeys)
    print(_row("group paths (for CA)", g, f"{len(grouped):,} distinct paths"))
    o = _best_of(3, lambda: markov(journeys, 1))
    ours = o.pop("result")
    print(_row("ours markov order 1", o, "best of 3"))
    runs = {}
    for label, settings, repeats in (
            ("CA markov_model", {}, 2),
            ("CA nsim 1e6, conv .01", {"nsim_start": 1e6, "conv_par": 0.01}, 1)):
        t = _best_of(repeats, partial(
            ca.markov_model, grouped, "path", "total_conversions",
            var_value="total_conversion_value", var_null="total_null", order=1, sep=">",
            seed=0, verbose=False, flg_pro=False, **settings))
        frame = t.pop("result")
        print(_row(label, t, f"best of {repeats}" if repeats > 1 else ""))
        runs[label] = (t, frame.set_index("channel_name")["total_conversions"].astype(float))
    mine = _credit(ours)
    total = float(journeys.total_conversions)
    big = [c for c in mine.index if mine[c] / total >= 0.01]
    for label, (t, theirs) in runs.items():
        rel = {c: abs(mine[c] - theirs.get(c, 0.0)) / mine[c] for c in big}
        worst = max(rel, key=lambda c: rel[c])
        print(f"  {label}: speed ratio CA / ours {t['seconds'] / o['seconds']:.1f}x (call "
              f"only), {(t['seconds'] + g['seconds']) / o['seconds']:.1f}x (CA charged with "
              f"grouping); largest relative credit difference (channels >= 1 % of "
              f"conversions) {rel[worst]:.2%} ({worst})")
    print(f"  {'channel':<14} {'ours':>12} " + " ".join(f"{k[:22]:>24}" for k in runs))
    for c in mine.index:
        cells = " ".join(f"{th.get(c, 0.0):>12.1f} ({(th.get(c, 0.0) - mine[c]) / mine[c]:>+7.2%})"
                         if mine[c] else f"{th.get(c, 0.0):>24.1f}" for _, th in runs.values())
        print(f"  {c:<14} {mine[c]:>12.1f} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--ca-max", type=int, default=10_000_000,
                        help="largest size compared with ChannelAttribution")
    args = parser.parse_args()
    print(f"channels and planted lift: "
          f"{', '.join(f'{c} {x:g}' for c, x in zip(CHANNELS, LIFT, strict=True))}")
    for n in args.sizes:
        run(n, args.ca_max)


if __name__ == "__main__":
    main()
