"""Journeys as the attribution models see them: validated, columnar, deterministic.

Two input shapes are accepted:

* a touch table ``(journey_id, position, channel, campaign, touched_at)`` plus a per-journey
  outcome table ``(journey_id, converted, conversions, value[, converted_at])``
  (:func:`journeys_from_touches`);
* the ChannelAttribution grouped-path format ``(path "a > b > c", total_conversions,
  total_conversion_value, total_null)`` (:func:`journeys_from_paths`).

Both become a :class:`Journeys`, a CSR layout sorted by journey key (so every model is
independent of the order rows arrive in): per touch an ``int32`` channel code, an ``int32``
campaign code (-1 = none) and the days before the conversion (``float64``, absent for grouped
paths); per journey ``int64`` offsets into the touch arrays and the conversions, value and
non-converting count as ``int64`` micro-units (1 unit = ``QUANTUM`` = 1e-6), so totals are exact
integer sums. Inputs finer than a micro-unit are rounded to it per journey.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["UNITS", "AttributionInputError", "Journey", "Journeys", "bincount",
           "journeys_from_paths", "journeys_from_touches"]

UNITS = 1_000_000
"""Micro-units per conversion (or per currency unit of value): 1 unit = ``QUANTUM``."""

_QUANTUM = Decimal("0.000001")
_MAX_UNITS = 2**62 // UNITS  # larger inputs would overflow int64 micro-unit sums

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]


class AttributionInputError(ValueError):
    """Input an attribution model cannot use; the message says what and where."""


@dataclass(frozen=True)
class Journey:
    """One journey (or one grouped path row), materialised for inspection.

    Attributes:
        key: journey id (touch input) or the path string (grouped input).
        channels: channel of each touch, in order.
        campaigns: campaign of each touch (None where unknown).
        days_before: days from each touch to the conversion (None when times are unknown).
        conversions: conversions credited to this journey (0 for non-converting ones).
        value: conversion value of this journey.
        nulls: non-converting occurrences of this path (1 for a non-converting journey).

    """

    key: Any
    channels: tuple[str, ...]
    campaigns: tuple[str | None, ...]
    days_before: tuple[float, ...] | None
    conversions: Decimal
    value: Decimal
    nulls: Decimal


def _dec(units: int) -> Decimal:
    return _QUANTUM * int(units)


@dataclass(frozen=True, eq=False)
class Journeys:
    """Validated journeys in CSR layout, sorted by key.

    Attributes:
        keys: journey keys, sorted (int64 when the input ids are integers, else str).
        offsets: ``int64``, length ``n + 1``; journey ``i`` owns touches
            ``offsets[i]:offsets[i + 1]`` (every journey has at least one touch).
        channel_codes: ``int32`` per touch, index into ``channels``.
        campaign_codes: ``int32`` per touch, index into ``campaign_names`` (-1 = none).
        days_before: ``float64`` per touch, days to the conversion; None without times.
        conversions_units: ``int64`` per journey, conversions in micro-units.
        value_units: ``int64`` per journey, value in micro-units.
        nulls_units: ``int64`` per journey, non-converting occurrences in micro-units.
        channels: the declared (or seen) channels, sorted.
        campaign_names: the campaigns seen, sorted.

    """

    keys: npt.NDArray[Any]
    offsets: I64
    channel_codes: I32
    campaign_codes: I32
    days_before: F64 | None
    conversions_units: I64
    value_units: I64
    nulls_units: I64
    channels: tuple[str, ...]
    campaign_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_touches(self) -> int:
        """Number of touches."""
        return int(self.offsets[-1])

    @cached_property
    def total_conversions(self) -> Decimal:
        """Total conversions (exact)."""
        return _dec(int(self.conversions_units.sum()))

    @cached_property
    def total_value(self) -> Decimal:
        """Total conversion value (exact)."""
        return _dec(int(self.value_units.sum()))

    @cached_property
    def lengths(self) -> I64:
        """Touches per journey."""
        return np.diff(self.offsets)

    @cached_property
    def channel_touches(self) -> I64:
        """Touches per channel."""
        return np.bincount(self.channel_codes, minlength=len(self.channels)).astype(np.int64)

    @cached_property
    def touch_journey(self) -> I64:
        """Journey index of each touch."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    @cached_property
    def position(self) -> I64:
        """Position of each touch in its journey (0 = first)."""
        return np.arange(self.n_touches, dtype=np.int64) - self.offsets[:-1][self.touch_journey]

    @cached_property
    def conversions(self) -> F64:
        """Conversions per journey as floats (for weights)."""
        return self.conversions_units / float(UNITS)

    @cached_property
    def value(self) -> F64:
        """Value per journey as floats (for weights)."""
        return self.value_units / float(UNITS)

    @cached_property
    def nulls(self) -> F64:
        """Non-converting occurrences per journey as floats (for weights)."""
        return self.nulls_units / float(UNITS)

    @cached_property
    def campaign_slots(self) -> I64:
        """Per touch, the (channel, campaign) slot ``channel * (n_campaigns + 1) + campaign + 1``.

        Slot order is channel, then campaign with "none" first: the order of campaign rows.
        """
        width = len(self.campaign_names) + 1
        return self.channel_codes.astype(np.int64) * width + (self.campaign_codes + 1)

    @cached_property
    def converting(self) -> Journeys:
        """The journeys with conversions > 0 (same channels and totals)."""
        keep = self.conversions_units > 0
        if keep.all():
            return self
        return self.subset(np.flatnonzero(keep))

    def subset(self, index: npt.NDArray[np.integer[Any]]) -> Journeys:
        """Return the journeys at ``index`` (sorted positions), keeping channels and campaigns."""
        lengths = self.lengths[index]
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        touch = _ranges(self.offsets[:-1][index], lengths)
        return Journeys(
            keys=self.keys[index], offsets=offsets,
            channel_codes=self.channel_codes[touch], campaign_codes=self.campaign_codes[touch],
            days_before=None if self.days_before is None else self.days_before[touch],
            conversions_units=self.conversions_units[index], value_units=self.value_units[index],
            nulls_units=self.nulls_units[index], channels=self.channels,
            campaign_names=self.campaign_names,
        )

    def journey(self, i: int) -> Journey:
        """Materialise journey ``i`` (for inspection and small data; slow per journey)."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        camps = self.campaign_codes[lo:hi]
        return Journey(
            key=self.keys[i].item() if isinstance(self.keys[i], np.generic) else self.keys[i],
            channels=tuple(self.channels[c] for c in self.channel_codes[lo:hi]),
            campaigns=tuple(None if c < 0 else self.campaign_names[c] for c in camps),
            days_before=None if self.days_before is None
            else tuple(float(d) for d in self.days_before[lo:hi]),
            conversions=_dec(int(self.conversions_units[i])),
            value=_dec(int(self.value_units[i])), nulls=_dec(int(self.nulls_units[i])),
        )

    def __iter__(self) -> Iterator[Journey]:
        return (self.journey(i) for i in range(len(self)))

    @property
    def items(self) -> tuple[Journey, ...]:
        """Every journey materialised (slow; for inspection and small data only)."""
        return tuple(self)


def bincount(codes: npt.NDArray[np.integer[Any]], weights: F64 | None, n: int) -> F64:
    """Float ``np.bincount`` of ``codes`` (weighted when ``weights`` is given), length >= n."""
    return np.asarray(np.bincount(codes, weights, minlength=n), dtype=np.float64)


def _ranges(starts: I64, lengths: I64) -> I64:
    """Concatenate ``range(s, s + n)`` for each start/length pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    out: I64 = np.arange(total, dtype=np.int64) + shift
    return out


def _units(column: pd.Series, what: str, where: Callable[[int], str]) -> I64:
    """Micro-units of a non-negative numeric column (missing = 0), or a clear error."""
    if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype):
        ints = column.to_numpy(dtype=np.int64)
        return _checked(ints.astype(np.float64), ints, column, what, where)
    missing = column.isna().to_numpy()
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64,
                                                              na_value=np.nan)
    bad = np.isnan(numbers) & ~missing
    if bad.any():
        i = int(np.argmax(bad))
        raise AttributionInputError(
            f"{where(i)}: {what} {_plain(column.iloc[i])!r} is not a number")
    numbers = np.where(missing, 0.0, numbers)
    return _checked(numbers, None, column, what, where)


def _checked(numbers: F64, ints: I64 | None, column: pd.Series, what: str,
             where: Callable[[int], str]) -> I64:
    infinite = ~np.isfinite(numbers)
    if infinite.any():
        i = int(np.argmax(infinite))
        raise AttributionInputError(
            f"{where(i)}: {what} {_plain(column.iloc[i])!r} is not finite")
    negative = numbers < 0
    if negative.any():
        i = int(np.argmax(negative))
        raise AttributionInputError(
            f"{where(i)}: {what} is negative ({_plain(column.iloc[i])})")
    big = numbers > _MAX_UNITS
    if big.any():
        i = int(np.argmax(big))
        raise AttributionInputError(
            f"{where(i)}: {what} {_plain(column.iloc[i])!r} is too large")
    if ints is not None:
        return ints * UNITS
    return np.rint(numbers * UNITS).astype(np.int64)


def _codes(values: pd.Series | np.ndarray) -> tuple[I32, list[str]]:
    """Codes into the sorted distinct ``str`` values (-1 where missing)."""
    codes, uniques = pd.factorize(values, sort=False)
    names = np.array([str(u) for u in uniques], dtype=object)
    if len(names) == 0:
        return codes.astype(np.int32), []
    distinct, remap = np.unique(names, return_inverse=True)
    out = np.where(codes >= 0, remap.astype(np.int64)[np.maximum(codes, 0)], -1)
    return out.astype(np.int32), [str(d) for d in distinct]


def _finish(keys: npt.NDArray[Any], offsets: I64, channel_codes: I32, seen: list[str],
            campaign_codes: I32, campaign_names: list[str], days: F64 | None,
            conv: I64, value: I64, nulls: I64, declared: Sequence[str] | None) -> Journeys:
    """Check the channel list against ``declared`` and assemble the journeys."""
    if len(keys) == 0:
        raise AttributionInputError("empty period: there are no journeys to attribute")
    used = np.bincount(channel_codes, minlength=len(seen)) > 0 if len(seen) else np.zeros(0, bool)
    seen_used = [c for c, u in zip(seen, used, strict=True) if u]
    if declared is not None:
        unknown = sorted(set(seen_used) - {str(d) for d in declared})
        if unknown:
            bad_codes = np.array([seen.index(u) for u in unknown])
            first_touch = int(np.argmax(np.isin(channel_codes, bad_codes)))
            journey = int(np.searchsorted(offsets, first_touch, side="right") - 1)
            raise AttributionInputError(
                f"unknown channels {unknown} (first in journey {_plain(keys[journey])!r}); "
                f"declared channels are {sorted(declared)}"
            )
        channels = sorted({str(d) for d in declared})
    else:
        channels = seen_used
    index = {c: i for i, c in enumerate(channels)}
    remap = np.array([index.get(c, -1) for c in seen], dtype=np.int32)
    codes = remap[channel_codes] if len(seen) else channel_codes
    return Journeys(
        keys=keys, offsets=offsets, channel_codes=codes.astype(np.int32),
        campaign_codes=campaign_codes.astype(np.int32), days_before=days,
        conversions_units=conv, value_units=value, nulls_units=nulls,
        channels=tuple(channels), campaign_names=tuple(campaign_names),
    )


def _plain(key: Any) -> Any:
    return key.item() if isinstance(key, np.generic) else key


def journeys_from_paths(
    paths: pd.DataFrame,
    *,
    path: str = "path",
    conversions: str = "total_conversions",
    value: str | None = "total_conversion_value",
    nulls: str | None = "total_null",
    sep: str = ">",
    channels: Sequence[str] | None = None,
) -> Journeys:
    """Read ChannelAttribution's grouped-path format (one row per distinct path).

    Args:
        paths: frame with a path column ("a > b > c") and count columns.
        path: name of the path column.
        conversions: name of the conversions column.
        value: name of the value column (None or absent: value 0).
        nulls: name of the non-converting count column (None or absent: 0).
        sep: the channel separator; spaces around channel names are ignored.
        channels: the declared channel list; a path naming another channel is an error.

    Returns:
        The journeys (one per row; rows with the same path are merged), keyed by the
        normalised path string ``"a > b > c"``.

    Raises:
        AttributionInputError: on a missing column, an empty path with conversions, a
            negative or non-numeric count, an unknown channel, or no rows.

    """
    for column in (path, conversions):
        if column not in paths.columns:
            raise AttributionInputError(f"grouped paths: missing column {column!r}")
    frame = paths.reset_index(drop=True)

    def where(i: int) -> str:
        return f"grouped paths row {i}"

    conv = _units(frame[conversions], "conversions", where)
    zeros = np.zeros(len(frame), dtype=np.int64)
    val = (_units(frame[value], "value", where)
           if value is not None and value in frame.columns else zeros)
    null = (_units(frame[nulls], "nulls", where)
            if nulls is not None and nulls in frame.columns else zeros)
    raw = frame[path].astype(object).where(frame[path].notna(), "").astype(str)
    steps = raw.str.split(sep, regex=False).explode().str.strip()
    steps = steps[steps != ""]
    row_of_step = steps.index.to_numpy(dtype=np.int64)
    has_steps = np.bincount(row_of_step, minlength=len(frame)) > 0
    empty = ~has_steps & ((conv > 0) | (val > 0))
    if empty.any():
        raise AttributionInputError(
            f"{where(int(np.argmax(empty)))}: conversions without touchpoints (empty path)")
    orphan = (val > 0) & (conv == 0)
    if orphan.any():
        i = int(np.argmax(orphan))
        raise AttributionInputError(f"{where(i)}: value {_dec(int(val[i]))} without conversions")
    # the normalised path string of each row is its key; rows with the same path merge
    key_of_row = pd.Series(steps.to_numpy(dtype=object)).groupby(row_of_step).agg(" > ".join)
    rows = key_of_row.index.to_numpy(dtype=np.int64)
    keys, inverse = np.unique(key_of_row.to_numpy(dtype=object).astype(str),
                              return_inverse=True)
    n = len(keys)
    conv_m = _sum_int(inverse, conv[rows], n)
    val_m = _sum_int(inverse, val[rows], n)
    null_m = _sum_int(inverse, null[rows], n)
    # touches of each merged path: those of its first row
    first_row = pd.Series(rows).groupby(inverse).min().to_numpy(dtype=np.int64)
    step_codes, seen = _codes(steps.to_numpy(dtype=object))
    step_start = np.searchsorted(row_of_step, first_row, side="left")
    step_end = np.searchsorted(row_of_step, first_row, side="right")
    lengths = step_end - step_start
    touch = _ranges(step_start, lengths)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return _finish(keys.astype(object), offsets, step_codes[touch], seen,
                   np.full(len(touch), -1, dtype=np.int32), [], None,
                   conv_m, val_m, null_m, channels)


def _sum_int(groups: npt.NDArray[np.integer[Any]], values: I64, n: int) -> I64:
    """Exact integer group sums."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, groups, values)
    return out


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AttributionInputError(f"{what}: missing columns {missing}")


def _epoch_seconds(column: pd.Series, what: str) -> F64:
    """Seconds since the epoch of a timestamp column (naive = UTC); NaN where missing."""
    try:
        stamps = pd.to_datetime(column, utc=True)
    except (ValueError, TypeError) as exc:
        raise AttributionInputError(f"{what}: not a timestamp ({exc})") from exc
    nanos = stamps.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view(np.int64)
    seconds: F64 = nanos / 1e9
    seconds[stamps.isna().to_numpy()] = np.nan
    return seconds


def _ids(touch_ids: pd.Series, outcome_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Journey ids as int64 when both sides are integers, else as str."""
    ints = (pd.api.types.is_integer_dtype(touch_ids.dtype)
            and pd.api.types.is_integer_dtype(outcome_ids.dtype)
            and not pd.api.types.is_bool_dtype(touch_ids.dtype))
    if ints:
        return touch_ids.to_numpy(dtype=np.int64), outcome_ids.to_numpy(dtype=np.int64)
    return (touch_ids.astype(str).to_numpy(dtype=object),
            outcome_ids.astype(str).to_numpy(dtype=object))


def journeys_from_touches(
    touches: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    channels: Sequence[str] | None = None,
) -> Journeys:
    """Build journeys from a touch table and a per-journey outcome table.

    Args:
        touches: columns journey_id, position, channel, campaign (nullable), touched_at.
        outcomes: columns journey_id, converted (bool), conversions, value and optionally
            converted_at (the conversion time; default: the journey's last touch). Journeys
            absent here are non-converting.
        channels: the declared channel list; a touch in another channel is an error.

    Returns:
        The journeys, sorted by journey id (numerically for integer ids, else as strings).

    Raises:
        AttributionInputError: on missing columns, a repeated (journey_id, position), a
            converting journey without touchpoints, negative or non-numeric values, an unknown
            channel, or no journeys at all.

    """
    _require(touches, ("journey_id", "position", "channel", "campaign", "touched_at"), "touches")
    _require(outcomes, ("journey_id", "converted", "conversions", "value"), "outcomes")
    touches = touches.reset_index(drop=True)
    outcomes = outcomes.reset_index(drop=True)
    tid, oid = _ids(touches["journey_id"], outcomes["journey_id"])
    if touches["channel"].isna().any():
        bad = str(tid[int(np.argmax(touches["channel"].isna().to_numpy()))])
        raise AttributionInputError(f"touches: journey {bad!r} has a touch without a channel")
    jcode, keys = pd.factorize(tid, sort=True)
    keys = np.asarray(keys)
    position = pd.to_numeric(touches["position"], errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(position).any():
        bad = str(tid[int(np.argmax(np.isnan(position)))])
        raise AttributionInputError(f"touches: journey {bad!r} has a touch without a position")
    jcode = jcode.astype(np.int64)
    # sort by (journey, position); most inputs arrive sorted, so check before sorting
    ordered = bool(np.all((np.diff(jcode) > 0) | ((np.diff(jcode) == 0)
                                                   & (np.diff(position) > 0))))
    order = np.zeros(0, dtype=np.int64) if ordered else np.lexsort((position, jcode))
    if not ordered:
        jcode, position = jcode[order], position[order]
    same = (np.diff(jcode) == 0) & (np.diff(position) == 0)
    if same.any():
        bad = str(keys[jcode[int(np.argmax(same))]])
        raise AttributionInputError(f"touches: journey {bad!r} repeats a position")
    seconds = _epoch_seconds(touches["touched_at"], "touches: touched_at")
    if not ordered:
        seconds = seconds[order]
    if np.isnan(seconds).any():
        raise AttributionInputError("touches: a touch has no touched_at")
    channel_codes, seen = _codes(touches["channel"])
    campaign_codes, campaign_names = _codes(touches["campaign"])
    if not ordered:
        channel_codes, campaign_codes = channel_codes[order], campaign_codes[order]
    n = len(keys)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(jcode, minlength=n), out=offsets[1:])

    # outcomes
    def where(i: int) -> str:
        return f"outcomes row {i} (journey {str(oid[i])!r})"

    dup = pd.Series(oid).duplicated().to_numpy()
    if dup.any():
        raise AttributionInputError(f"{where(int(np.argmax(dup)))}: journey appears twice in "
                                    "outcomes")
    conv = _units(outcomes["conversions"], "conversions", where)
    val = _units(outcomes["value"], "value", where)
    converted = outcomes["converted"].fillna(False).astype(bool).to_numpy()
    wrong = ~converted & ((conv > 0) | (val > 0))
    if wrong.any():
        raise AttributionInputError(f"{where(int(np.argmax(wrong)))}: converted is false but "
                                    "conversions/value > 0")
    zero = converted & (conv == 0)
    if zero.any():
        raise AttributionInputError(f"{where(int(np.argmax(zero)))}: converted is true but "
                                    "conversions is 0")
    target = pd.Index(keys).get_indexer(oid)
    orphan = (conv > 0) & (target < 0)
    if orphan.any():
        raise AttributionInputError(
            f"{where(int(np.argmax(orphan)))}: conversions without touchpoints")
    at = (_epoch_seconds(outcomes["converted_at"], "outcomes: converted_at")
          if "converted_at" in outcomes.columns else np.full(len(outcomes), np.nan))
    hit = target >= 0
    conv_j = np.zeros(n, dtype=np.int64)
    val_j = np.zeros(n, dtype=np.int64)
    end = np.full(n, np.nan)
    conv_j[target[hit]] = conv[hit]
    val_j[target[hit]] = val[hit]
    end[target[hit]] = at[hit]
    if n:
        last = np.maximum.reduceat(seconds, offsets[:-1]) if len(seconds) else end
        end = np.where(np.isnan(end), last, end)
    days = np.maximum(0.0, (np.repeat(end, np.diff(offsets)) - seconds) / 86_400.0)
    nulls = np.where(conv_j > 0, 0, UNITS).astype(np.int64)
    return _finish(keys, offsets, channel_codes, seen, campaign_codes, campaign_names, days,
                   conv_j, val_j, nulls, channels)

