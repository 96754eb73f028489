"""Descriptive summaries of journeys: path lengths, time to conversion, top converting paths.

Pure and vectorised over the :class:`~marketing.attribution.journeys.Journeys` arrays. Counts
of "journeys" are entries of the :class:`Journeys` (for the grouped-path format one entry is one
distinct path row, whatever its counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from marketing.attribution.journeys import AttributionInputError, Journeys, bincount

__all__ = ["TIME_BUCKETS", "JourneySummary", "group_paths", "journey_summary", "path_ids"]

TIME_BUCKETS = ("same day", "1-2 days", "3-7 days", "8-14 days", "15-30 days", "31-60 days",
                "61-90 days", ">90 days")
"""Buckets of whole days from first touch to conversion (``same day`` = under 1 day)."""

_BUCKET_EDGES = np.array([1, 3, 8, 15, 31, 61, 91], dtype=np.float64)

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class JourneySummary:
    """Descriptive tables of a set of journeys.

    Attributes:
        path_lengths: ``touches, journeys, converting, conversions`` per path length, by length.
        time_to_conversion: ``bucket, conversions, journeys`` per bucket of whole days from the
            first touch to the conversion (converting journeys only), in ``TIME_BUCKETS``
            order; no rows when the journeys carry no times.
        top_paths: ``path, journeys, conversions, value`` of the converting paths with the most
            conversions (ties by path), ``path`` like ``"google_ads > meta_ads"``.

    """

    path_lengths: pd.DataFrame
    time_to_conversion: pd.DataFrame
    top_paths: pd.DataFrame


def path_ids(journeys: Journeys) -> tuple[I64, I64]:
    """Group journeys by their exact channel sequence.

    Prefixes are refined one position at a time (``np.unique`` of previous-prefix id x next
    channel), so grouping is exact (no hashing) and costs one sort per position over the
    journeys that are that long.

    Returns:
        (group id per journey, index of the first journey of each group); groups are numbered
        by (length, prefix order), not alphabetically.

    """
    n = len(journeys)
    lengths = journeys.lengths
    prefix = np.zeros(n, dtype=np.int64)
    active = np.arange(n, dtype=np.int64)
    width = len(journeys.channels) + 1
    t = 0
    while len(active):
        step = journeys.channel_codes[journeys.offsets[:-1][active] + t].astype(np.int64)
        _, inverse = np.unique(prefix[active] * width + step, return_inverse=True)
        prefix[active] = inverse.reshape(-1)
        t += 1
        active = active[lengths[active] > t]
    longest = int(lengths.max()) + 1 if n else 1
    _, first, group = np.unique(prefix * longest + lengths, return_index=True,
                                return_inverse=True)
    return group.reshape(-1).astype(np.int64), first.astype(np.int64)


def _path_strings(journeys: Journeys, rows: I64) -> list[str]:
    """Return the ``"a > b"`` path string of each journey in ``rows`` (one concat per touch)."""
    if len(rows) == 0:
        return []
    names = np.array(journeys.channels, dtype=object)
    joined = np.array([f" > {c}" for c in journeys.channels], dtype=object)
    starts, lengths = journeys.offsets[:-1][rows], journeys.lengths[rows]
    out = names[journeys.channel_codes[starts]]
    for t in range(1, int(lengths.max())):
        live = np.flatnonzero(lengths > t)
        out[live] = out[live] + joined[journeys.channel_codes[starts[live] + t]]
    return [str(p) for p in out]


def group_paths(journeys: Journeys) -> pd.DataFrame:
    """Return one row per distinct path, in ChannelAttribution's grouped format.

    Returns:
        Frame ``path, total_conversions, total_conversion_value, total_null, journeys``
        sorted by path (floats; conversions and value are exact sums of micro-units).

    """
    group, first = path_ids(journeys)
    n = len(first)

    def total(units: I64) -> npt.NDArray[np.float64]:
        sums = np.zeros(n, dtype=np.int64)
        np.add.at(sums, group, units)
        return sums / 1e6

    frame = pd.DataFrame({
        "path": _path_strings(journeys, first),
        "total_conversions": total(journeys.conversions_units),
        "total_conversion_value": total(journeys.value_units),
        "total_null": total(journeys.nulls_units),
        "journeys": np.bincount(group, minlength=n).astype(np.int64),
    })
    return frame.sort_values("path", kind="stable").reset_index(drop=True)


def _top_paths(journeys: Journeys, top: int) -> pd.DataFrame:
    columns = ["path", "journeys", "conversions", "value"]
    converting = journeys.converting
    if len(converting) == 0 or top <= 0:
        return pd.DataFrame({"path": pd.Series([], dtype=object),
                             "journeys": pd.Series([], dtype=np.int64),
                             "conversions": pd.Series([], dtype=np.float64),
                             "value": pd.Series([], dtype=np.float64)})[columns]
    group, first = path_ids(converting)
    n = len(first)
    conv = np.zeros(n, dtype=np.int64)
    value = np.zeros(n, dtype=np.int64)
    np.add.at(conv, group, converting.conversions_units)
    np.add.at(value, group, converting.value_units)
    # only groups tied with or above the top-th conversions need a path string
    order = np.argsort(-conv, kind="stable")
    cutoff = conv[order[min(top, n) - 1]]
    candidates = np.flatnonzero(conv >= cutoff)
    frame = pd.DataFrame({
        "path": _path_strings(converting, first[candidates]),
        "journeys": np.bincount(group, minlength=n)[candidates].astype(np.int64),
        "conversions": conv[candidates] / 1e6,
        "value": value[candidates] / 1e6,
    })
    frame = frame.sort_values(["conversions", "path"], ascending=[False, True], kind="stable")
    return frame.head(top).reset_index(drop=True)[columns]


def journey_summary(journeys: Journeys, top: int = 20) -> JourneySummary:
    """Summarise path lengths, time to conversion and the top converting paths.

    Args:
        journeys: the journeys.
        top: how many converting paths to list.

    Returns:
        The summary tables (see :class:`JourneySummary`).

    Raises:
        AttributionInputError: if ``top`` is negative.

    """
    if top < 0:
        raise AttributionInputError(f"journey summary: top must be >= 0, got {top}")
    lengths = journeys.lengths
    longest = int(lengths.max()) + 1
    count = np.bincount(lengths, minlength=longest)
    converting = journeys.conversions_units > 0
    seen = np.flatnonzero(count)
    path_lengths = pd.DataFrame({
        "touches": seen.astype(np.int64),
        "journeys": count[seen].astype(np.int64),
        "converting": np.bincount(lengths[converting], minlength=longest)[seen].astype(np.int64),
        "conversions": bincount(lengths, journeys.conversions, longest)[seen],
    })
    if journeys.days_before is None:
        time_to_conversion = pd.DataFrame({
            "bucket": pd.Series([], dtype=object), "conversions": pd.Series([], dtype=np.float64),
            "journeys": pd.Series([], dtype=np.int64)})
    else:
        days = journeys.days_before[journeys.offsets[:-1][converting]]
        bucket = np.searchsorted(_BUCKET_EDGES, np.floor(days), side="right")
        time_to_conversion = pd.DataFrame({
            "bucket": list(TIME_BUCKETS),
            "conversions": bincount(bucket, journeys.conversions[converting], len(TIME_BUCKETS)),
            "journeys": np.bincount(bucket, minlength=len(TIME_BUCKETS)).astype(np.int64),
        })
    return JourneySummary(path_lengths, time_to_conversion, _top_paths(journeys, top))
