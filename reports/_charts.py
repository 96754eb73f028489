"""Plotly figure specs (plain data/layout dicts) and the channel colour map.

Specs are plain dicts rather than ``plotly.graph_objects`` figures: building them costs nothing,
they serialise straight to JSON, and the tests validate them against plotly's schema. The page
draws them with the ``plotly.min.js`` that ships with the plotly package.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Spec = dict[str, Any]

# Channels that are no platform keep the same colour in every report (the platforms' colours
# come from their descriptions, through the caller); the rest take the palette in order.
_KNOWN = {
    "email": "#F59E0B",
    "organic": "#22A06B",
    "organic_search": "#22A06B",
    "referral": "#A16207",
    "social": "#DB2777",
    "affiliate": "#9333EA",
    "direct": "#8B95A5",
}
_PALETTE = (
    "#E4572E", "#17BEBB", "#C2185B", "#2E86AB", "#F18F01", "#6A4C93", "#3BB273",
    "#D62828", "#1982C4", "#8AC926", "#FF595E", "#6D597A", "#B56576", "#355070",
)

FONT = "Inter, 'Segoe UI', system-ui, -apple-system, Roboto, Helvetica, Arial, sans-serif"
GRID = "#E5E7EB"
MUTED = "#6B7280"
ACCENT = "#2563EB"


def channel_colours(
    channels: Iterable[str], fixed: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Assign each channel a colour: fixed ones for well-known channels, the palette otherwise.

    Args:
        channels: channel names in the order the report shows them.
        fixed: colours the caller fixes (each platform's declared colour); they win over the
            report's own well-known channels.

    Returns:
        Channel name to CSS hex colour, stable for a given channel order.

    """
    colours: dict[str, str] = {}
    taken = set()
    pending: list[str] = []
    for ch in channels:
        if ch in colours or ch in pending:
            continue
        known = (fixed or {}).get(ch.lower()) or _KNOWN.get(ch.lower())
        if known and known not in taken:
            colours[ch] = known
            taken.add(known)
        else:
            pending.append(ch)
    free = [c for c in _PALETTE if c not in taken] or list(_PALETTE)
    for i, ch in enumerate(pending):
        colours[ch] = free[i % len(free)]
    return colours


def _clean(x: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) with None, recursively."""
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def to_script_json(spec: Spec) -> str:
    """Serialise a spec for a ``<script type="application/json">`` block, safe against ``</``."""
    text = json.dumps(_clean(spec), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _text(s: str) -> str:
    """Escape text that plotly would otherwise read as its pseudo-HTML (``<b>``, ``<br>``)."""
    return html.escape(s, quote=False)


def _layout(height: int, **extra: Any) -> Spec:
    layout: Spec = {
        "height": height,
        "margin": {"l": 64, "r": 24, "t": 48, "b": 64},
        "font": {"family": FONT, "size": 13, "color": "#1F2937"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": {"family": FONT}},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "xaxis": {"gridcolor": GRID, "linecolor": GRID, "automargin": True},
        "yaxis": {"gridcolor": GRID, "zerolinecolor": "#9CA3AF", "automargin": True},
    }
    layout.update(extra)
    return layout


CONFIG: Spec = {
    "displaylogo": False,
    # The toolbar covers legends and means nothing to most readers; hover still works.
    "displayModeBar": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def spec(data: list[Spec], layout: Spec) -> Spec:
    """Bundle traces, layout and the shared config into one spec."""
    return {"data": data, "layout": layout, "config": CONFIG}


def credit_chart(
    models: Sequence[str],
    labels: Sequence[str],
    channels: Sequence[str],
    conversions: dict[tuple[str, str], float],
    values: dict[tuple[str, str], float],
    colours: dict[str, str],
    currency: str,
) -> Spec:
    """Build grouped bars: a group per model, a bar per channel, a conversions/value switch."""
    traces: list[Spec] = []
    conv_y: list[list[float | None]] = []
    value_y: list[list[float | None]] = []
    for ch in channels:
        cy = [conversions.get((m, ch)) for m in models]
        vy = [values.get((m, ch)) for m in models]
        conv_y.append(cy)
        value_y.append(vy)
        traces.append({
            "type": "bar",
            "name": _text(ch),
            "x": list(labels),
            "y": cy,
            "marker": {"color": colours[ch]},
            "hovertemplate": "<b>%{fullData.name}</b><br>%{x}<br>%{y:,.1f}<extra></extra>",
        })
    buttons = [
        {"label": "Conversions", "method": "update",
         "args": [{"y": conv_y}, {"yaxis.title.text": "Credited conversions"}]},
        {"label": f"Value ({currency})", "method": "update",
         "args": [{"y": value_y}, {"yaxis.title.text": f"Credited value ({currency})"}]},
    ]
    layout = _layout(
        440,
        barmode="group",
        bargap=0.18,
        bargroupgap=0.04,
        margin={"l": 72, "r": 24, "t": 96, "b": 56},
        xaxis={"tickangle": 0, "automargin": True, "linecolor": GRID},
        yaxis={"title": {"text": "Credited conversions"}, "gridcolor": GRID,
               "zerolinecolor": "#9CA3AF", "automargin": True, "rangemode": "tozero"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        updatemenus=[{
            "type": "buttons", "direction": "right", "buttons": buttons, "showactive": True,
            "x": 0, "xanchor": "left", "y": 1.16, "yanchor": "bottom", "pad": {"t": 0, "b": 0},
            "bgcolor": "#F3F4F6", "bordercolor": GRID, "font": {"size": 12},
        }],
    )
    return spec(traces, layout)


def roas_chart(
    models: Sequence[str],
    labels: Sequence[str],
    channels: Sequence[str],
    roas: dict[tuple[str, str], float],
    colours: dict[str, str],
) -> Spec:
    """Build grouped ROAS bars for channels with spend (the page names those without)."""
    traces = [{
        "type": "bar",
        "name": _text(ch),
        "x": list(labels),
        "y": [roas.get((m, ch)) for m in models],
        "marker": {"color": colours[ch]},
        "hovertemplate": "<b>%{fullData.name}</b><br>%{x}<br>ROAS %{y:,.2f}×<extra></extra>",
    } for ch in channels]
    layout = _layout(
        420,
        barmode="group",
        bargap=0.18,
        bargroupgap=0.04,
        margin={"l": 72, "r": 24, "t": 56, "b": 56},
        xaxis={"tickangle": 0, "automargin": True, "linecolor": GRID},
        yaxis={"title": {"text": "ROAS (value ÷ spend)"}, "gridcolor": GRID,
               "zerolinecolor": "#9CA3AF", "automargin": True, "rangemode": "tozero",
               "ticksuffix": "×"},
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 1,
                 "y1": 1, "line": {"color": "#DC2626", "width": 1, "dash": "dot"}}],
    )
    return spec(traces, layout)


def path_length_chart(
    touches: Sequence[str], converting: Sequence[int], not_converting: Sequence[int],
    rates: Sequence[float | None],
) -> Spec:
    """Build stacked bars of journeys per number of touches and a conversion-rate line."""
    traces: list[Spec] = [
        {"type": "bar", "name": "Converting journeys", "x": list(touches), "y": list(converting),
         "marker": {"color": ACCENT},
         "hovertemplate": "%{x} touches<br>%{y:,d} converting<extra></extra>"},
        {"type": "bar", "name": "Not converting", "x": list(touches), "y": list(not_converting),
         "marker": {"color": "#CBD5E1"},
         "hovertemplate": "%{x} touches<br>%{y:,d} not converting<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "Conversion rate",
         "x": list(touches), "y": list(rates), "yaxis": "y2",
         "line": {"color": "#F59E0B", "width": 2.5}, "marker": {"size": 7},
         "hovertemplate": "%{x} touches<br>%{y:.1%} convert<extra></extra>"},
    ]
    layout = _layout(
        360, barmode="stack", bargap=0.25, legend={"orientation": "h", "yanchor": "bottom",
                                                 "y": 1.02, "x": 0, "traceorder": "normal"},
        xaxis={"title": {"text": "Touches in the journey"}, "type": "category",
               "gridcolor": GRID, "linecolor": GRID, "automargin": True},
        yaxis={"title": {"text": "Journeys"}, "gridcolor": GRID, "automargin": True,
               "rangemode": "tozero"},
        yaxis2={"title": {"text": "Conversion rate"}, "overlaying": "y", "side": "right",
                "tickformat": ".0%", "tickmode": "auto", "nticks": 6, "rangemode": "tozero",
                "showgrid": False, "automargin": True},
        margin={"l": 64, "r": 64, "t": 48, "b": 64},
    )
    return spec(traces, layout)


def time_to_conversion_chart(
    buckets: Sequence[str], conversions: Sequence[float], journeys: Sequence[int],
) -> Spec:
    """Build bars of conversions per time-to-conversion bucket, in the given order."""
    traces = [{
        "type": "bar", "name": "Conversions", "x": [_text(b) for b in buckets],
        "y": list(conversions),
        "customdata": list(journeys), "marker": {"color": "#0EA5E9"},
        "hovertemplate": "%{x}<br>%{y:,.1f} conversions<br>%{customdata:,d} journeys"
                         "<extra></extra>",
    }]
    layout = _layout(
        360, bargap=0.25, showlegend=False,
        margin={"l": 64, "r": 24, "t": 24, "b": 64},
        xaxis={"title": {"text": "Time from first touch to conversion"}, "type": "category",
               "gridcolor": GRID, "linecolor": GRID, "automargin": True},
        yaxis={"title": {"text": "Conversions"}, "gridcolor": GRID, "automargin": True,
               "rangemode": "tozero"},
    )
    return spec(traces, layout)


def changes_chart(
    labels: Sequence[str], deltas: Sequence[float], channels: Sequence[str],
    colours: dict[str, str], texts: Sequence[str],
) -> Spec:
    """Build horizontal bars of the biggest changes in credited conversions."""
    # Plotly draws the first category at the bottom; reverse so the biggest move is on top.
    traces = [{
        "type": "bar", "orientation": "h", "name": "Change",
        "y": [_text(label) for label in reversed(labels)], "x": list(reversed(deltas)),
        "text": list(reversed(texts)), "textposition": "outside", "cliponaxis": False,
        "marker": {"color": [colours.get(c, MUTED) for c in reversed(channels)]},
        "hovertemplate": "%{y}<br>%{x:+,.1f} conversions<extra></extra>",
    }]
    height = max(260, 34 * len(labels) + 90)
    layout = _layout(
        height, showlegend=False,
        margin={"l": 24, "r": 72, "t": 24, "b": 56},
        xaxis={"title": {"text": "Change in credited conversions"}, "gridcolor": GRID,
               "zerolinecolor": "#6B7280", "zerolinewidth": 2, "automargin": True},
        yaxis={"type": "category", "automargin": True, "gridcolor": "rgba(0,0,0,0)"},
    )
    return spec(traces, layout)
