"""Journeys as the attribution models see them: validated, normalised, deterministic.

Two input shapes are accepted:

* a touch table ``(journey_id, position, channel, campaign, touched_at)`` plus a per-journey
  outcome table ``(journey_id, converted, conversions, value[, converted_at])``
  (:func:`journeys_from_touches`);
* the ChannelAttribution grouped-path format ``(path "a > b > c", total_conversions,
  total_conversion_value, total_null)`` (:func:`journeys_from_paths`).

Both become a :class:`Journeys`: one entry per journey (or distinct path row), sorted by key,
so every model is independent of the order rows arrive in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

__all__ = ["AttributionInputError", "Journey", "Journeys", "journeys_from_paths",
           "journeys_from_touches"]


class AttributionInputError(ValueError):
    """Input an attribution model cannot use; the message says what and where."""


@dataclass(frozen=True)
class Journey:
    """One journey (or one grouped path row).

    Attributes:
        key: journey id (touch input) or the path string (grouped input).
        channels: channel of each touch, in order.
        campaigns: campaign of each touch (None where unknown).
        days_before: days from each touch to the conversion (None when times are unknown).
        conversions: conversions credited to this journey (0 for non-converting ones).
        value: conversion value of this journey.
        nulls: non-converting occurrences of this path (1 for a non-converting journey).

    """

    key: str
    channels: tuple[str, ...]
    campaigns: tuple[str | None, ...]
    days_before: tuple[float, ...] | None
    conversions: Decimal
    value: Decimal
    nulls: Decimal


@dataclass(frozen=True)
class Journeys:
    """Validated journeys sorted by key, with their channel list and totals."""

    items: tuple[Journey, ...]
    channels: tuple[str, ...]
    total_conversions: Decimal
    total_value: Decimal

    @property
    def converting(self) -> tuple[Journey, ...]:
        """Journeys with conversions > 0."""
        return tuple(j for j in self.items if j.conversions > 0)


def _decimal(raw: object, what: str, where: str) -> Decimal:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return Decimal(0)
    try:
        number = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    except Exception as exc:  # decimal raises several types for junk
        raise AttributionInputError(f"{where}: {what} {raw!r} is not a number") from exc
    if not number.is_finite():
        raise AttributionInputError(f"{where}: {what} {raw!r} is not finite")
    if number < 0:
        raise AttributionInputError(f"{where}: {what} is negative ({number})")
    return number


def _finish(items: list[Journey], declared: Sequence[str] | None) -> Journeys:
    if not items:
        raise AttributionInputError("empty period: there are no journeys to attribute")
    seen = sorted({c for j in items for c in j.channels})
    if declared is not None:
        unknown = sorted(set(seen) - set(declared))
        if unknown:
            first = next(j.key for j in sorted(items, key=lambda j: j.key)
                         if set(j.channels) & set(unknown))
            raise AttributionInputError(
                f"unknown channels {unknown} (first in journey {first!r}); "
                f"declared channels are {sorted(declared)}"
            )
        channels = tuple(sorted(set(declared)))
    else:
        channels = tuple(seen)
    items.sort(key=lambda j: j.key)
    return Journeys(
        items=tuple(items),
        channels=channels,
        total_conversions=sum((j.conversions for j in items), Decimal(0)),
        total_value=sum((j.value for j in items), Decimal(0)),
    )


def _epoch_seconds(column: pd.Series, what: str) -> list[float | None]:
    """Seconds since the epoch of a timestamp column (naive = UTC); None where missing."""
    try:
        stamps = pd.to_datetime(column, utc=True)
    except (ValueError, TypeError) as exc:
        raise AttributionInputError(f"{what}: not a timestamp ({exc})") from exc
    seconds = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return [None if pd.isna(s) else float(s) for s in seconds.tolist()]


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
        The journeys (one per row; rows with the same path are merged).

    Raises:
        AttributionInputError: on a missing column, an empty path with conversions, a
            negative or non-numeric count, an unknown channel, or no rows.

    """
    for column in (path, conversions):
        if column not in paths.columns:
            raise AttributionInputError(f"grouped paths: missing column {column!r}")
    has_value = value is not None and value in paths.columns
    has_null = nulls is not None and nulls in paths.columns
    merged: dict[tuple[str, ...], list[Decimal]] = {}
    for row_no, row in enumerate(paths.itertuples(index=False)):
        rec = dict(zip(paths.columns, row, strict=True))
        where = f"grouped paths row {row_no}"
        raw_path = rec[path]
        steps = tuple(s.strip() for s in str(raw_path).split(sep)) if raw_path is not None else ()
        steps = tuple(s for s in steps if s)
        conv = _decimal(rec[conversions], "conversions", where)
        val = _decimal(rec[value], "value", where) if has_value and value else Decimal(0)
        null = _decimal(rec[nulls], "nulls", where) if has_null and nulls else Decimal(0)
        if not steps:
            if conv > 0 or val > 0:
                raise AttributionInputError(
                    f"{where}: conversions without touchpoints (empty path)")
            continue
        if val > 0 and conv == 0:
            raise AttributionInputError(f"{where}: value {val} without conversions")
        acc = merged.setdefault(steps, [Decimal(0), Decimal(0), Decimal(0)])
        acc[0] += conv
        acc[1] += val
        acc[2] += null
    items = [
        Journey(" > ".join(steps), steps, (None,) * len(steps), None, c, v, n)
        for steps, (c, v, n) in merged.items()
    ]
    return _finish(items, channels)


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AttributionInputError(f"{what}: missing columns {missing}")


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
        The journeys, sorted by journey id.

    Raises:
        AttributionInputError: on missing columns, a repeated (journey_id, position), a
            converting journey without touchpoints, negative or non-numeric values, an unknown
            channel, or no journeys at all.

    """
    _require(touches, ("journey_id", "position", "channel", "campaign", "touched_at"), "touches")
    _require(outcomes, ("journey_id", "converted", "conversions", "value"), "outcomes")
    dup = touches.duplicated(["journey_id", "position"], keep=False)
    if dup.any():
        bad = touches.loc[dup, "journey_id"].astype(str).iloc[0]
        raise AttributionInputError(f"touches: journey {bad!r} repeats a position")
    if touches["channel"].isna().any():
        bad = touches.loc[touches["channel"].isna(), "journey_id"].astype(str).iloc[0]
        raise AttributionInputError(f"touches: journey {bad!r} has a touch without a channel")
    ordered = touches.assign(_jid=touches["journey_id"].astype(str)).sort_values(
        ["_jid", "position"], kind="stable"
    )
    seconds = _epoch_seconds(ordered["touched_at"], "touches: touched_at")
    if any(s is None for s in seconds):
        raise AttributionInputError("touches: a touch has no touched_at")
    campaigns = ordered["campaign"].astype(object).where(ordered["campaign"].notna(), None)
    by_journey: dict[str, tuple[list[str], list[str | None], list[float]]] = {}
    for jid, channel, campaign, at in zip(
        ordered["_jid"].tolist(), ordered["channel"].astype(str).tolist(), campaigns.tolist(),
        seconds, strict=True
    ):
        entry = by_journey.setdefault(jid, ([], [], []))
        entry[0].append(channel)
        entry[1].append(None if campaign is None else str(campaign))
        entry[2].append(at or 0.0)
    outcome_of: dict[str, tuple[Decimal, Decimal, float | None]] = {}
    converted_at = (_epoch_seconds(outcomes["converted_at"], "outcomes: converted_at")
                    if "converted_at" in outcomes.columns else [None] * len(outcomes))
    for row_no, rec in enumerate(outcomes.to_dict("records")):
        jid = str(rec["journey_id"])
        where = f"outcomes row {row_no} (journey {jid!r})"
        if jid in outcome_of:
            raise AttributionInputError(f"{where}: journey appears twice in outcomes")
        conv = _decimal(rec["conversions"], "conversions", where)
        val = _decimal(rec["value"], "value", where)
        if not bool(rec["converted"]):
            if conv > 0 or val > 0:
                raise AttributionInputError(
                    f"{where}: converted is false but conversions/value > 0")
            conv, val = Decimal(0), Decimal(0)
        elif conv == 0:
            raise AttributionInputError(f"{where}: converted is true but conversions is 0")
        at = converted_at[row_no]
        if conv > 0 and jid not in by_journey:
            raise AttributionInputError(f"{where}: conversions without touchpoints")
        outcome_of[jid] = (conv, val, at)
    items: list[Journey] = []
    for jid, (chans, camps, times) in by_journey.items():
        conv, val, at = outcome_of.get(jid, (Decimal(0), Decimal(0), None))
        end = at if at is not None else max(times)
        days = tuple(max(0.0, (end - t) / 86_400.0) for t in times)
        items.append(Journey(
            jid, tuple(chans), tuple(camps), days, conv, val,
            Decimal(0) if conv > 0 else Decimal(1),
        ))
    return _finish(items, channels)
