"""Shopify search syntax (the ``query:`` argument of ``orders`` and ``customers``), a subset.

Supported: terms joined by whitespace or ``AND``; ``field:value`` with an optional comparator
(``field:>=value``, ``>``, ``<``, ``<=``); values bare or quoted with ``'`` or ``"``; date-time
values in ISO 8601 (``2026-11-01T00:00:00Z``) or dates (``2026-11-01``, midnight in the shop's
time zone); a bare word matches the default fields (email, name). As on Shopify, a term on a
field the connection does not know is *ignored* and reported as a warning in
``extensions.search`` rather than failing the query. ``OR`` and ``NOT`` are not emulated: such
a query is answered with a warning and the unsupported part ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["SearchFilter", "parse_search"]

_TOKEN = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")
_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op>>=|<=|>|<|=)?(?P<value>.*)$", re.S)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Record = Mapping[str, Any]


@dataclass
class SearchFilter:
    """A parsed search: predicates on records, and what was ignored (warnings)."""

    query: str
    predicates: list[Callable[[Record], bool]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def matches(self, record: Record) -> bool:
        """Whether ``record`` satisfies every supported term."""
        return all(p(record) for p in self.predicates)

    def extension(self, path: list[str]) -> dict[str, Any]:
        """Return the ``extensions.search`` entry for this query."""
        return {"path": path, "query": self.query, "warnings": self.warnings}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.replace("'", "").replace('"', "")


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    if _DATE.match(text):
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None:
        return False
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    return bool(left == right)


def _word(word: str, fields: tuple[str, ...]) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        return any(word in str(record.get(f) or "").lower() for f in fields)

    return match


def _term(name: str, op: str, value: Any, *, text: bool) -> Callable[[Record], bool]:
    def match(record: Record) -> bool:
        found = record.get(name)
        if text:
            found = str(found or "").lower()
        return _compare(op, found, value)

    return match


def parse_search(
    query: str | None,
    *,
    time_fields: frozenset[str],
    text_fields: frozenset[str],
    default_fields: tuple[str, ...],
    zone: ZoneInfo,
) -> SearchFilter:
    """Parse a search string.

    Args:
        query: the ``query:`` argument (None or blank: no filter).
        time_fields: fields compared as date-times (``updated_at``).
        text_fields: fields compared as case-insensitive text (``email``).
        default_fields: fields a bare word is matched against.
        zone: the shop's time zone (for date-only values).

    Returns:
        The filter; unknown fields and unsupported syntax become warnings.

    """
    result = SearchFilter(query or "")
    if not query or not query.strip():
        return result
    for token in _TOKEN.findall(query):
        if token == "AND":
            continue
        if token in ("OR", "NOT") or token.startswith("-"):
            result.warnings.append(
                {"field": token, "message": "OR/NOT are not supported by the emulator; ignored."}
            )
            continue
        match = _TERM.match(token)
        if match is None:
            result.predicates.append(_word(_unquote(token).lower(), default_fields))
            continue
        name, op, raw = match["field"], match["op"] or "=", _unquote(match["value"])
        if name in time_fields:
            moment = _moment(raw, zone)
            if moment is None:
                result.warnings.append(
                    {"field": name, "message": f"Invalid date-time value {raw!r}; ignored."}
                )
                continue
            result.predicates.append(_term(name, op, moment, text=False))
        elif name in text_fields:
            result.predicates.append(_term(name, op, raw.lower(), text=True))
        else:
            result.warnings.append(
                {"field": name, "message": "Invalid search field for this query."}
            )
    return result
