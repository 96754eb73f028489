"""The attribution report: one self-contained HTML page per run, and its markdown summary.

A flow builds an :class:`AttributionReportData` from the attribution results, calls
:func:`render_attribution_report` to write the page (charts drawn offline with the
``plotly.min.js`` written once next to it) and :func:`summary_markdown` for the Prefect
markdown artifact. Nothing here talks to Prefect, DuckDB or the network.

Errors: :class:`ReportDataError` (a ``ValueError``) when a non-empty frame lacks a required
column or a file name is not a plain file name. Empty frames are not errors: their section
says "no data".
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from reports import _charts, _format
from reports._files import PLOTLY_JS, atomic_write, ensure_plotly_js

__all__ = [
    "AttributionReportData",
    "ReportDataError",
    "render_attribution_report",
    "render_html",
    "summary_markdown",
]

TOP_CAMPAIGNS = 15
TOP_PATHS = 20
TOP_MOVES_CHART = 12
TOP_MOVES_MARKDOWN = 5

_COLUMNS: dict[str, tuple[str, ...]] = {
    "credit": ("model", "channel", "conversions", "value", "spend", "roas"),
    "campaigns": ("model", "channel", "campaign", "conversions", "value", "spend", "roas"),
    "path_lengths": ("touches", "journeys", "converting", "conversions"),
    "time_to_conversion": ("bucket", "journeys", "conversions"),
    "top_paths": ("path", "journeys", "conversions", "value"),
    "previous": ("model", "channel", "conversions", "value"),
}
_PUSH_COLUMNS = ("planned", "sent", "already_sent", "skipped", "rejected")


class ReportDataError(ValueError):
    """The report data is malformed (a required column is missing, a bad file name)."""


@dataclass(frozen=True, eq=False)
class AttributionReportData:
    """Everything the attribution report shows, already computed by the caller.

    Attributes:
        title: page title, e.g. "Attribution — November 2026".
        period_start: first day of the reported period.
        period_end: last day of the reported period (inclusive).
        generated_at: when this run produced the data.
        window: the lookback rule in words, e.g. "30-day click lookback before each conversion".
        environment: "sandbox" or "live" (or another deployment name).
        reporting_currency: ISO code all money is expressed in.
        models: model ids in display order.
        model_notes: one sentence per model id, shown in the legend.
        credit: model, channel, conversions, value, spend, roas (NaN without spend); and
            optionally spend_complete (False where the channel's spend misses days of the
            period: its ROAS is not shown) with roas_note (why).
        campaigns: model, channel, campaign, conversions, value, spend, roas (and the same
            optional spend_complete, roas_note).
        path_lengths: touches, journeys, converting, conversions.
        time_to_conversion: bucket (display order), journeys, conversions.
        top_paths: path ("google_ads > meta_ads"), journeys, conversions, value.
        previous: model, channel, conversions, value of the last run; None on the first run.
        previous_generated_at: when the last run was generated; None on the first run.
        totals: conversions, value, spend, journeys, converting_journeys.
        notes: warnings to show (dropped conversions, duplicates, skipped models).
        pushed: per destination: destination, planned, sent, already_sent, skipped, rejected.
        channel_colours: fixed colours of channels (the platforms' declared ones); the rest
            take the report's own or the palette.

    """

    title: str
    period_start: date
    period_end: date
    generated_at: datetime
    window: str
    environment: str
    reporting_currency: str
    models: list[str]
    model_notes: dict[str, str]
    credit: pd.DataFrame
    campaigns: pd.DataFrame
    path_lengths: pd.DataFrame
    time_to_conversion: pd.DataFrame
    top_paths: pd.DataFrame
    previous: pd.DataFrame | None
    previous_generated_at: datetime | None
    totals: dict[str, float]
    notes: list[str]
    pushed: list[dict[str, object]]
    channel_colours: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- data shaping


def _frame(df: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
    """Return the frame when it has rows, None when empty; raise when columns are missing."""
    if df is None or len(df) == 0:
        return None
    missing = [c for c in _COLUMNS[name] if c not in df.columns]
    if missing:
        raise ReportDataError(f"{name}: missing column(s) {', '.join(missing)}")
    return df


def _f(x: Any) -> float:
    """Coerce to float; None, NA and junk become NaN."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def _i(x: Any) -> int:
    v = _f(x)
    return 0 if math.isnan(v) else round(v)


def _nz(x: float) -> float:
    return 0.0 if math.isnan(x) else x


def _ratio(num: float, den: float) -> float:
    return num / den if not math.isnan(num) and not math.isnan(den) and den > 0 else math.nan


@dataclass(frozen=True)
class _Shape:
    """The credit frame reshaped for the page: model/channel order and lookups."""

    models: list[str]
    channels: list[str]
    conversions: dict[tuple[str, str], float]
    values: dict[tuple[str, str], float]
    roas: dict[tuple[str, str], float]
    spend: dict[str, float]
    model_totals: dict[str, tuple[float, float]]
    unpriced: dict[str, str] = field(default_factory=dict)


def _ordered_models(declared: Sequence[str], present: Iterable[str]) -> list[str]:
    present_set = list(dict.fromkeys(present))
    ordered = [m for m in dict.fromkeys(declared) if m in present_set]
    return ordered + [m for m in present_set if m not in ordered]


def _shape(data: AttributionReportData) -> _Shape:
    credit = _frame(data.credit, "credit")
    if credit is None:
        return _Shape([], [], {}, {}, {}, {}, {})
    conv: dict[tuple[str, str], float] = {}
    vals: dict[tuple[str, str], float] = {}
    roas: dict[tuple[str, str], float] = {}
    spend: dict[str, float] = {}
    unpriced = _unpriced(credit)
    for row in credit.itertuples(index=False):
        m, ch = str(row.model), str(row.channel)
        key = (m, ch)
        conv[key] = conv.get(key, 0.0) + _nz(_f(row.conversions))
        vals[key] = vals.get(key, 0.0) + _nz(_f(row.value))
        s = _f(row.spend)
        if not math.isnan(s):
            spend[ch] = max(spend.get(ch, 0.0), s)
        r = _f(row.roas)
        if math.isnan(r) or key in roas:
            # Missing, or the pair is split over several rows: derive it from the sums.
            r = _ratio(vals[key], spend.get(ch, math.nan))
        roas[key] = r
    models = _ordered_models(data.models, (m for m, _ in conv))
    # Channels ordered by their average credited conversions across models, biggest first.
    weight: dict[str, float] = {}
    for (_, ch), c in conv.items():
        weight[ch] = weight.get(ch, 0.0) + c
    channels = sorted(weight, key=lambda ch: (-weight[ch], ch))
    totals = {
        m: (sum(conv.get((m, ch), 0.0) for ch in channels),
            sum(vals.get((m, ch), 0.0) for ch in channels))
        for m in models
    }
    for key in list(roas):
        if spend.get(key[1], 0.0) <= 0 or key[1] in unpriced:
            roas[key] = math.nan
    return _Shape(models, channels, conv, vals, roas, spend, totals, unpriced)


def _incomplete(flag: Any) -> bool:
    """Say whether ``spend_complete`` is a no (None/NaN: unknown, or not an ad platform)."""
    if flag is None or (isinstance(flag, float) and math.isnan(flag)):
        return False
    return not bool(flag)


def _unpriced(frame: pd.DataFrame) -> dict[str, str]:
    """Channels whose spend does not cover the period (``spend_complete`` False), with why."""
    if "spend_complete" not in frame.columns:
        return {}
    notes = frame["roas_note"] if "roas_note" in frame.columns else [None] * len(frame)
    out: dict[str, str] = {}
    for channel, complete, note in zip(frame["channel"], frame["spend_complete"], notes,
                                       strict=True):
        if _incomplete(complete):
            out.setdefault(str(channel), str(note) if isinstance(note, str) and note
                           else "spend does not cover the period")
    return out


def _all_channels(data: AttributionReportData, shape: _Shape) -> list[str]:
    """Every channel named anywhere on the page, in a stable order for colour assignment."""
    extra: list[str] = []
    for name, df in (("campaigns", data.campaigns), ("previous", data.previous)):
        frame = _frame(df, name)
        if frame is not None:
            extra.extend(str(c) for c in frame["channel"])
    paths = _frame(data.top_paths, "top_paths")
    if paths is not None:
        for p in paths["path"]:
            extra.extend(_split_path(str(p)))
    rest = sorted(set(extra) - set(shape.channels))
    return [*shape.channels, *rest]


def _split_path(path: str) -> list[str]:
    return [part.strip() for part in re.split(r"\s*>\s*", path) if part.strip()]


# --------------------------------------------------------------------------- page sections


def _headline(data: AttributionReportData, moves: dict[str, Any] | None) -> list[dict[str, str]]:
    cur = data.reporting_currency
    t = data.totals
    conv, value, spend = (_f(t.get(k)) for k in ("conversions", "value", "spend"))
    journeys, converting = _f(t.get("journeys")), _f(t.get("converting_journeys"))
    blended = _ratio(value, spend)
    cards = [
        {"label": "Conversions", "value": _format.num(conv), "sub": ""},
        {"label": "Conversion value", "value": _format.money(value, cur), "sub": ""},
        {"label": "Ad spend", "value": _format.money(spend, cur), "sub": ""},
        {"label": "Blended ROAS", "value": _format.roas(blended),
         "sub": "all value ÷ all spend"},
        {"label": "Journeys", "value": _format.count(journeys),
         "sub": "" if math.isnan(converting) else
                f"{_format.count(converting)} converting "
                f"({_format.pct(_ratio(converting, journeys))})"},
    ]
    if moves and moves.get("previous_total") is not None:
        prev_conv, prev_value = moves["previous_total"]
        cards[0]["sub"] = f"{_format.signed(conv - prev_conv)} vs last run"
        cards[1]["sub"] = f"{_format.signed_money(value - prev_value, cur)} vs last run"
    return cards


def _chart_labels(models: Sequence[str]) -> list[str]:
    """Model labels for chart axes, broken before a bracket so they fit without tilting."""
    out = []
    for m in models:
        label = _format.model_label(m)
        if " (" in label:
            head, _, tail = label.partition(" (")
            parts = [head, "(" + tail]
        elif len(label) > 14 and " " in label:
            # Break at the space nearest the middle.
            spaces = [i for i, c in enumerate(label) if c == " "]
            cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
            parts = [label[:cut], label[cut + 1:]]
        else:
            parts = [label]
        out.append("<br>".join(html.escape(p, quote=False) for p in parts))
    return out


def _credit_section(shape: _Shape, colours: dict[str, str], currency: str) -> dict[str, Any]:
    if not shape.models:
        return {"empty": True}
    labels = [_format.model_label(m) for m in shape.models]
    rows = []
    for ch in shape.channels:
        cells = []
        for m in shape.models:
            c = shape.conversions.get((m, ch), math.nan)
            v = shape.values.get((m, ch), math.nan)
            share = _ratio(c, shape.model_totals[m][0])
            cells.append({
                "conversions": _format.num(c), "value": _format.num(v, 2),
                "share": _format.pct(share), "heat": 0 if math.isnan(share) else round(share, 3),
                "raw": _nz(c),
            })
        rows.append({"channel": ch, "colour": colours[ch], "cells": cells})
    totals = [{"conversions": _format.num(shape.model_totals[m][0]),
               "value": _format.num(shape.model_totals[m][1], 0)} for m in shape.models]
    chart = _charts.credit_chart(shape.models, _chart_labels(shape.models), shape.channels,
                                 shape.conversions, shape.values, colours, currency)
    return {"empty": False, "labels": labels, "models": shape.models, "rows": rows,
            "totals": totals, "chart": _charts.to_script_json(chart)}


def _roas_section(shape: _Shape, colours: dict[str, str], currency: str) -> dict[str, Any]:
    if not shape.models:
        return {"empty": True}
    unpriced = [ch for ch in shape.channels if ch in shape.unpriced]
    paid = [ch for ch in shape.channels
            if shape.spend.get(ch, 0.0) > 0 and ch not in shape.unpriced]
    unpaid = [ch for ch in shape.channels if ch not in paid and ch not in shape.unpriced]
    labels = [_format.model_label(m) for m in shape.models]
    rows = []
    for ch in [*paid, *unpriced, *unpaid]:
        spent = shape.spend.get(ch, 0.0)
        priced = ch not in shape.unpriced
        rows.append({
            "channel": ch, "colour": colours[ch], "paid": ch in paid,
            "spend": _format.num(spent, 2) if spent > 0 else _format.NO_SPEND,
            "cells": [_format.roas(shape.roas.get((m, ch), math.nan)) if priced
                      else _format.NOT_PRICED for m in shape.models],
            "note": shape.unpriced.get(ch, ""),
        })
    chart = None
    if paid:
        chart = _charts.to_script_json(_charts.roas_chart(
            shape.models, _chart_labels(shape.models), paid, shape.roas, colours))
    return {"empty": False, "labels": labels, "rows": rows, "chart": chart,
            "unpaid": unpaid, "currency": currency, "colours": colours,
            "unpriced": [{"channel": ch, "note": shape.unpriced[ch]} for ch in unpriced]}


def _campaign_section(
    data: AttributionReportData, shape: _Shape, colours: dict[str, str],
) -> dict[str, Any]:
    df = _frame(data.campaigns, "campaigns")
    if df is None:
        return {"empty": True}
    models = _ordered_models(shape.models or data.models, (str(m) for m in df["model"]))
    rows = []
    for m in models:
        part = df[df["model"].astype(str) == m].copy()
        part["_value"] = pd.to_numeric(part["value"], errors="coerce").fillna(0.0)
        part = part.sort_values(["_value", "campaign"], ascending=[False, True])
        for row in part.head(TOP_CAMPAIGNS).itertuples(index=False):
            ch = str(row.channel)
            spend = _f(row.spend)
            r = _f(row.roas)
            if math.isnan(r):
                r = _ratio(_f(row.value), spend)
            if math.isnan(spend) or spend <= 0:
                r = math.nan
            refused = _incomplete(getattr(row, "spend_complete", None)) or ch in shape.unpriced
            note = getattr(row, "roas_note", None)
            if refused:
                r = math.nan
            rows.append({
                "model": m, "model_label": _format.model_label(m), "campaign": str(row.campaign),
                "channel": ch, "colour": colours.get(ch, _charts.MUTED),
                "conversions": _format.num(row.conversions),
                "conversions_v": _nz(_f(row.conversions)),
                "value": _format.num(row.value, 2), "value_v": _nz(_f(row.value)),
                "spend": _format.num(spend, 2) if spend > 0 else _format.NO_SPEND,
                "spend_v": _nz(spend),
                "roas": _format.NOT_PRICED if refused else _format.roas(r),
                "roas_v": -1 if math.isnan(r) else r,
                "roas_note": (note if isinstance(note, str) and note
                              else shape.unpriced.get(ch, "")) if refused else "",
            })
    options = [{"id": m, "label": _format.model_label(m)} for m in models]
    return {"empty": False, "rows": rows, "models": options, "top": TOP_CAMPAIGNS}


def _path_length_section(data: AttributionReportData) -> dict[str, Any]:
    df = _frame(data.path_lengths, "path_lengths")
    if df is None:
        return {"empty": True}
    df = df.assign(_t=pd.to_numeric(df["touches"], errors="coerce")).sort_values("_t")
    touches = [_format.count(t) for t in df["touches"]]
    journeys = [_i(j) for j in df["journeys"]]
    converting = [_i(c) for c in df["converting"]]
    not_conv = [max(j - c, 0) for j, c in zip(journeys, converting, strict=True)]
    rates = [_ratio(c, j) for j, c in zip(journeys, converting, strict=True)]
    rate_y: list[float | None] = [None if math.isnan(r) else r for r in rates]
    conv = [_nz(_f(c)) for c in df["conversions"]]
    total_conv = sum(conv)
    total_converting = sum(converting)
    weighted = sum(_nz(_f(t)) * c for t, c in zip(df["touches"], converting, strict=True))
    single = sum(c for t, c in zip(df["touches"], conv, strict=True) if _f(t) == 1)
    facts = [
        f"{_format.num(_ratio(weighted, total_converting))} touches per converting journey "
        "on average",
        f"{_format.pct(_ratio(single, total_conv))} of conversions came from single-touch "
        "journeys",
    ]
    chart = _charts.path_length_chart(touches, converting, not_conv, rate_y)
    return {"empty": False, "chart": _charts.to_script_json(chart), "facts": facts}


def _ttc_section(data: AttributionReportData) -> dict[str, Any]:
    df = _frame(data.time_to_conversion, "time_to_conversion")
    if df is None:
        return {"empty": True}
    buckets = [str(b) for b in df["bucket"]]
    conv = [_nz(_f(c)) for c in df["conversions"]]
    journeys = [_i(j) for j in df["journeys"]]
    total = sum(conv)
    facts = []
    if total > 0:
        top = max(range(len(conv)), key=lambda i: conv[i])
        facts.append(f"Most conversions land in “{buckets[top]}” "
                     f"({_format.pct(conv[top] / total)} of all)")
        running = 0.0
        for bucket, c in zip(buckets, conv, strict=True):
            running += c
            if running >= total / 2:
                facts.append(f"Half of all conversions happen by “{bucket}”")
                break
    chart = _charts.time_to_conversion_chart(buckets, conv, journeys)
    return {"empty": False, "chart": _charts.to_script_json(chart), "facts": facts}


def _paths_section(data: AttributionReportData, colours: dict[str, str]) -> dict[str, Any]:
    df = _frame(data.top_paths, "top_paths")
    if df is None:
        return {"empty": True}
    df = df.assign(_c=pd.to_numeric(df["conversions"], errors="coerce").fillna(0.0))
    df = df.sort_values(["_c", "path"], ascending=[False, True]).head(TOP_PATHS)
    peak = max(float(df["_c"].max()), 0.0)
    total_conv = _f(data.totals.get("conversions"))
    rows = []
    for rank, row in enumerate(df.itertuples(index=False), start=1):
        steps = _split_path(str(row.path))
        rows.append({
            "rank": rank,
            "steps": [{"channel": s, "colour": colours.get(s, _charts.MUTED)} for s in steps],
            "path": str(row.path), "touches": len(steps),
            "journeys": _format.count(row.journeys),
            "conversions": _format.num(row.conversions),
            "share": _format.pct(_ratio(_f(row.conversions), total_conv)),
            "bar": 0 if peak <= 0 else round(100 * _nz(_f(row.conversions)) / peak, 1),
            "value": _format.num(row.value, 2),
        })
    return {"empty": False, "rows": rows, "top": TOP_PATHS}


def _moves(data: AttributionReportData, shape: _Shape) -> dict[str, Any] | None:
    """Per model × channel change since the last run; None on the first run."""
    if data.previous is None:
        return None
    prev = _frame(data.previous, "previous")
    before: dict[tuple[str, str], tuple[float, float]] = {}
    if prev is not None:
        for row in prev.itertuples(index=False):
            key = (str(row.model), str(row.channel))
            c0, v0 = before.get(key, (0.0, 0.0))
            before[key] = (c0 + _nz(_f(row.conversions)), v0 + _nz(_f(row.value)))
    now = {k: (shape.conversions[k], shape.values.get(k, 0.0)) for k in shape.conversions}
    order = {m: i for i, m in enumerate(shape.models)}
    # A model run only this time (or only last time) did not move credit: compare the models
    # both runs have, and name the others.
    models_before = {m for m, _ in before}
    models_now = {m for m, _ in now}
    both = models_before & models_now
    items: list[dict[str, Any]] = []
    for key in {k for k in set(before) | set(now) if k[0] in both}:
        c0, v0 = before.get(key, (math.nan, math.nan))
        c1, v1 = now.get(key, (math.nan, math.nan))
        status = "new" if key not in before else "gone" if key not in now else ""
        dc, dv = _nz(c1) - _nz(c0), _nz(v1) - _nz(v0)
        items.append({
            "model": key[0], "channel": key[1], "c0": c0, "c1": c1, "v0": v0, "v1": v1,
            "dc": dc, "dv": dv, "rel": _ratio(dc, c0) if c0 > 0 else math.nan, "status": status,
        })
    items.sort(key=lambda it: (-abs(it["dc"]), -abs(it["dv"]),
                               order.get(it["model"], len(order)), it["model"], it["channel"]))
    common = [m for m in shape.models if any(k[0] == m for k in before)]
    previous_total = None
    if common:
        m = common[0]
        previous_total = (sum(c for (mm, _), (c, _) in before.items() if mm == m),
                          sum(v for (mm, _), (_, v) in before.items() if mm == m))
    return {"items": items, "previous_total": previous_total,
            "models_new": [m for m in shape.models if m not in models_before],
            "models_not_run": sorted(models_before - models_now)}


def _changes_section(
    data: AttributionReportData, moves: dict[str, Any] | None, shape: _Shape,
    colours: dict[str, str],
) -> dict[str, Any]:
    if moves is None:
        return {"first_run": True}
    cur = data.reporting_currency
    items = moves["items"]
    moved = [it for it in items if round(it["dc"], 1) != 0 or round(it["dv"], 2) != 0]
    by_key = {(it["model"], it["channel"]): it for it in items}
    models = _ordered_models(shape.models, (it["model"] for it in items))
    channels = list(dict.fromkeys([*shape.channels, *sorted(it["channel"] for it in items)]))
    peak = max((abs(it["dc"]) for it in items), default=0.0)
    rows = []
    for ch in channels:
        cells = []
        for m in models:
            it = by_key.get((m, ch))
            if it is None:
                cells.append({"dc": _format.MISSING, "dv": "", "direction": "flat", "heat": 0,
                              "status": "", "title": ""})
                continue
            direction = "up" if round(it["dc"], 1) > 0 else "down" if round(it["dc"], 1) < 0 \
                else "flat"
            cells.append({
                "dc": _format.signed(it["dc"]), "dv": _format.signed_money(it["dv"], cur, 0),
                "direction": direction, "status": it["status"],
                "heat": round(abs(it["dc"]) / peak, 3) if peak > 0 else 0,
                "title": f"{_format.model_label(m)} · {ch}: {_format.num(it['c0'])} → "
                         f"{_format.num(it['c1'])} conversions "
                         f"({_format.signed_pct(it['rel'])})",
            })
        rows.append({"channel": ch, "colour": colours.get(ch, _charts.MUTED), "cells": cells})
    chart = None
    top = [it for it in moved if round(it["dc"], 1) != 0][:TOP_MOVES_CHART]
    if top:
        chart = _charts.to_script_json(_charts.changes_chart(
            [f"{it['channel']} · {_format.model_label(it['model'])}" for it in top],
            [it["dc"] for it in top],
            [it["channel"] for it in top],
            colours,
            [_format.signed(it["dc"]) for it in top],
        ))
    since = (_format.timestamp(data.previous_generated_at)
             if data.previous_generated_at is not None else None)
    return {"first_run": False, "rows": rows, "chart": chart, "since": since,
            "unchanged": bool(items) and not moved, "compared": len(models),
            "labels": [_format.model_label(m) for m in models],
            "top": TOP_MOVES_CHART,
            "models_new": [_format.model_label(m) for m in moves["models_new"]],
            "models_not_run": [_format.model_label(m) for m in moves["models_not_run"]]}


def _push_section(data: AttributionReportData) -> dict[str, Any]:
    rows = []
    for entry in data.pushed:
        rows.append({
            "destination": str(entry.get("destination", _format.MISSING)),
            **{k: _format.count(entry.get(k)) for k in _PUSH_COLUMNS},
            "problem": _i(entry.get("rejected")) > 0,
        })
    return {"rows": rows}


def _legend(data: AttributionReportData, shape: _Shape) -> list[dict[str, str | bool]]:
    ids = list(dict.fromkeys([*data.models, *shape.models]))
    return [{
        "id": m, "label": _format.model_label(m), "note": data.model_notes.get(m, ""),
        "missing": m not in shape.models,
    } for m in ids]


# --------------------------------------------------------------------------- rendering

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _context(data: AttributionReportData) -> dict[str, Any]:
    shape = _shape(data)
    colours = _charts.channel_colours(_all_channels(data, shape), data.channel_colours)
    moves = _moves(data, shape)
    credit = _credit_section(shape, colours, data.reporting_currency)
    roas = _roas_section(shape, colours, data.reporting_currency)
    paths = _path_length_section(data)
    ttc = _ttc_section(data)
    changes = _changes_section(data, moves, shape, colours)
    charts = sum(1 for s in (credit, roas, paths, ttc, changes) if s.get("chart"))
    return {
        "d": data,
        "period": _format.period(data.period_start, data.period_end),
        "generated": _format.timestamp(data.generated_at),
        "headline": _headline(data, moves),
        "credit": credit,
        "roas": roas,
        "campaigns": _campaign_section(data, shape, colours),
        "path_lengths": paths,
        "ttc": ttc,
        "paths": _paths_section(data, colours),
        "changes": changes,
        "push": _push_section(data),
        "legend": _legend(data, shape),
        "chart_count": charts,
        "plotly_js": PLOTLY_JS,
        "currency": data.reporting_currency,
    }


def render_html(data: AttributionReportData) -> str:
    """Render the report page to an HTML string (no files written).

    Args:
        data: the report content.

    Returns:
        The page; it loads ``plotly.min.js`` from its own folder.

    Raises:
        ReportDataError: if a non-empty frame lacks a required column.

    """
    return _ENV.get_template("attribution.html.j2").render(**_context(data))


def _default_name(data: AttributionReportData) -> str:
    env = re.sub(r"[^a-z0-9]+", "-", data.environment.lower()).strip("-") or "report"
    return (f"attribution-{env}-{data.period_start:%Y%m%d}-{data.period_end:%Y%m%d}"
            f"-{data.generated_at:%Y%m%dT%H%M%S}.html")


def render_attribution_report(
    data: AttributionReportData, out_dir: Path, *, file_name: str | None = None,
) -> Path:
    """Write the HTML report into ``out_dir`` atomically and return its path.

    ``plotly.min.js`` is written once into the same folder (rewritten only when the installed
    plotly ships a different bundle), so the page opens offline, from disk or from a link.

    Args:
        data: the report content.
        out_dir: folder for the page and ``plotly.min.js``; created when missing.
        file_name: plain file name for the page; by default
            ``attribution-<environment>-<start>-<end>-<generated>.html``.

    Returns:
        The path of the written HTML file.

    Raises:
        ReportDataError: if a frame lacks a required column or ``file_name`` is not a plain
            ``.html`` file name.

    """
    name = file_name if file_name is not None else _default_name(data)
    if (not name or Path(name).name != name or name in {".", ".."} or "\\" in name
            or not name.endswith((".html", ".htm"))):
        raise ReportDataError(f"file_name must be a plain .html file name, got {name!r}")
    html = render_html(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    ensure_plotly_js(out_dir)
    target = out_dir / name
    atomic_write(target, html.encode("utf-8"))
    return target


# --------------------------------------------------------------------------- markdown


def _md(text: object) -> str:
    """Escape text for a markdown table cell or line (Prefect renders artifacts as markdown)."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*[]|":
        s = s.replace(ch, "\\" + ch)
    return s


def summary_markdown(data: AttributionReportData, report_path: Path | None = None) -> str:
    """Build the markdown summary for the Prefect artifact.

    Args:
        data: the report content.
        report_path: where the HTML report was written, linked at the end when given.

    Returns:
        Markdown with headline totals, a channel × model table of credited conversions (ROAS
        in brackets), the biggest moves since the last run, notes and the report path.

    Raises:
        ReportDataError: if a non-empty frame lacks a required column.

    """
    cur = data.reporting_currency
    shape = _shape(data)
    moves = _moves(data, shape)
    t = data.totals
    conv, value, spend = (_f(t.get(k)) for k in ("conversions", "value", "spend"))
    journeys, converting = _f(t.get("journeys")), _f(t.get("converting_journeys"))
    out = [
        f"# {_md(data.title)}",
        "",
        f"**Period:** {_md(_format.period(data.period_start, data.period_end))}  ",
        f"**Lookback window:** {_md(data.window)}  ",
        f"**Environment:** {_md(data.environment)} · **Generated:** "
        f"{_md(_format.timestamp(data.generated_at))}",
        "",
        "| Conversions | Value | Spend | Blended ROAS | Journeys | Converting journeys |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {_format.num(conv)} | {_md(_format.money(value, cur))} | "
        f"{_md(_format.money(spend, cur))} | {_format.roas(_ratio(value, spend))} | "
        f"{_format.count(journeys)} | {_format.count(converting)} |",
        "",
        "## Credited conversions by channel",
        "",
    ]
    if not shape.models:
        out.append("_No attribution results (no data)._")
    else:
        out.append("ROAS in brackets; channels without spend have none.")
        for ch, note in shape.unpriced.items():
            out.append(f"No ROAS for {_md(ch)}: {_md(note)}.")
        out.append("")
        out.append("| Channel | " + " | ".join(_md(_format.model_label(m)) for m in shape.models)
                   + " |")
        out.append("|---|" + "---:|" * len(shape.models))
        for ch in shape.channels:
            cells = []
            for m in shape.models:
                c = _format.num(shape.conversions.get((m, ch), math.nan))
                r = shape.roas.get((m, ch), math.nan)
                cells.append(c if math.isnan(r) else f"{c} ({_format.roas(r)})")
            out.append(f"| {_md(ch)} | " + " | ".join(cells) + " |")
    out += ["", "## Since the last run", ""]
    if moves is None:
        out.append("First run: nothing to compare with yet.")
    else:
        moved = [it for it in moves["items"] if round(it["dc"], 1) != 0]
        if data.previous_generated_at is not None:
            out.append(f"Compared with the run of {_format.timestamp(data.previous_generated_at)}.")
            out.append("")
        if not moved:
            out.append("No change in credited conversions.")
        for it in moved[:TOP_MOVES_MARKDOWN]:
            status = f" ({it['status']})" if it["status"] else ""
            out.append(
                f"- **{_md(it['channel'])}** under {_md(_format.model_label(it['model']))}: "
                f"{_format.signed(it['dc'])} conversions, "
                f"{_md(_format.signed_money(it['dv'], cur))}{status}")
    if data.notes:
        out += ["", "## Notes", ""]
        out += [f"- {_md(n)}" for n in data.notes]
    if data.pushed:
        out += ["", "## Conversions pushed back", "",
                "| Destination | Planned | Sent | Already sent | Skipped | Rejected |",
                "|---|---:|---:|---:|---:|---:|"]
        for entry in data.pushed:
            out.append(f"| {_md(entry.get('destination', _format.MISSING))} | "
                       + " | ".join(_format.count(entry.get(k)) for k in _PUSH_COLUMNS) + " |")
    if report_path is not None:
        out += ["", "## Report", ""]
        shown = _md(str(report_path))
        if report_path.is_absolute():
            out.append(f"[Open the HTML report]({report_path.as_uri()}) · `{report_path}`"
                       if "`" not in str(report_path) else shown)
        else:
            out.append(shown)
    return "\n".join(out) + "\n"
