"""Number, money, date and model-name formatting shared by the HTML report and the markdown.

Every formatter takes a float that may be NaN or None and returns display text: a missing
number is an en dash, never "nan". Thousands separators are commas; negative numbers use a
plain hyphen so the text survives copy and paste into spreadsheets.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

MISSING = "–"
NO_SPEND = "no spend"
NOT_PRICED = "not priced"
"""A ROAS cell whose channel's spend does not cover the period (the reason is beside it)."""


def is_missing(x: object) -> bool:
    """Return True when ``x`` is None or a float NaN."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def num(x: object, decimals: int = 1) -> str:
    """Format a number with thousands separators and a fixed number of decimals."""
    if is_missing(x):
        return MISSING
    return f"{float(x):,.{decimals}f}"  # type: ignore[arg-type]


def count(x: object) -> str:
    """Format a whole count (journeys, touches) with thousands separators."""
    if is_missing(x):
        return MISSING
    return f"{round(float(x)):,d}"  # type: ignore[arg-type]


def money(x: object, currency: str, decimals: int = 2) -> str:
    """Format an amount with its ISO currency code in front, e.g. ``EUR 12,345.60``."""
    if is_missing(x):
        return MISSING
    return f"{currency} {float(x):,.{decimals}f}"  # type: ignore[arg-type]


def roas(x: object) -> str:
    """Format return on ad spend as a multiple (``3.25×``); NaN means the row had no spend."""
    if is_missing(x):
        return NO_SPEND
    return f"{float(x):,.2f}×"  # type: ignore[arg-type]


def pct(x: object, decimals: int = 1) -> str:
    """Format a fraction as a percentage (``0.125`` -> ``12.5%``)."""
    if is_missing(x):
        return MISSING
    return f"{float(x) * 100:,.{decimals}f}%"  # type: ignore[arg-type]


def signed(x: object, decimals: int = 1) -> str:
    """Format a change with an explicit sign (``+12.5``, ``-3.0``, ``0.0``)."""
    if is_missing(x):
        return MISSING
    v = float(x)  # type: ignore[arg-type]
    if round(v, decimals) == 0:
        return f"{0:.{decimals}f}"
    return f"{v:+,.{decimals}f}"


def signed_money(x: object, currency: str, decimals: int = 2) -> str:
    """Format a change in money with an explicit sign, e.g. ``+EUR 1,200.00``."""
    if is_missing(x):
        return MISSING
    v = float(x)  # type: ignore[arg-type]
    if round(v, decimals) == 0:
        return f"{currency} {0:.{decimals}f}"
    sign = "+" if v > 0 else "-"
    return f"{sign}{currency} {abs(v):,.{decimals}f}"


def signed_pct(x: object, decimals: int = 1) -> str:
    """Format a relative change as a signed percentage; missing when there was no base."""
    if is_missing(x) or math.isinf(float(x)):  # type: ignore[arg-type]
        return MISSING
    return signed(float(x) * 100, decimals) + "%"  # type: ignore[arg-type]


def day(d: date) -> str:
    """Format a date as ``2 Nov 2026``."""
    return f"{d.day} {d:%b %Y}"


def period(start: date, end: date) -> str:
    """Describe an inclusive period, e.g. ``1 Nov 2026 – 30 Nov 2026 (30 days)``."""
    days = (end - start).days + 1
    unit = "day" if days == 1 else "days"
    return f"{day(start)} – {day(end)} ({days} {unit})"


def timestamp(t: datetime) -> str:
    """Format a timestamp to the minute with its UTC offset when it has one."""
    text = f"{t:%Y-%m-%d %H:%M}"
    if t.tzinfo is None:
        return text
    offset = t.utcoffset()
    if offset is not None and offset.total_seconds() == 0:
        return text + " UTC"
    return text + f" {t:%z}"


_PERCENT_SPLIT = re.compile(r"^position_based_([0-9.]+)_([0-9.]+)$")


def model_label(model: str) -> str:
    """Turn a model id (``position_based_0.4_0.4``) into a label (``Position-based 40/20/40``)."""
    fixed = {
        "first_touch": "First touch",
        "last_touch": "Last touch",
        "last_non_direct": "Last non-direct",
        "linear": "Linear",
        "shapley_simplified": "Shapley (simplified)",
        "shapley_ordered": "Shapley (ordered)",
        "shapley_coalition": "Shapley (coalition)",
        "markov_auto": "Markov (auto order)",
    }
    if model in fixed:
        return fixed[model]
    m = _PERCENT_SPLIT.match(model)
    if m:
        try:
            first, last = float(m.group(1)), float(m.group(2))
        except ValueError:
            first = last = -1.0
        middle = 1.0 - first - last
        if 0 <= first <= 1 and 0 <= last <= 1 and middle >= -1e-9:
            parts = (round(first * 100), round(max(middle, 0.0) * 100), round(last * 100))
            return "Position-based " + "/".join(str(p) for p in parts)
    m = re.match(r"^time_decay_(\w+)$", model)
    if m:
        return f"Time decay ({m.group(1).replace('_', ' ')} half-life)"
    m = re.match(r"^markov_order_(\d+)$", model)
    if m:
        return f"Markov (order {m.group(1)})"
    text = model.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else model
