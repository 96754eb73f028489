"""A strict Rest.li 2.0 query parser (independent of the connector's encoder on purpose).

The raw query string is split on ``&`` and ``=``; each value is parsed structurally with
literal ``( ) , :`` and percent-decoded leaves. Anything unbalanced, a missing ``:``, a
trailing character or a bad escape raises :class:`RestliParseError` (rendered as a 400).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

_STRUCTURE = "(),:"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class RestliParseError(ValueError):
    """The query does not follow Rest.li 2.0 syntax."""


def parse_query(raw: str) -> dict[str, str]:
    """Split a raw query string into ``name -> raw value`` (values stay encoded).

    Raises:
        RestliParseError: a repeated parameter or one without ``=``.

    """
    params: dict[str, str] = {}
    for part in filter(None, raw.split("&")):
        name, eq, value = part.partition("=")
        name = unquote(name)
        if not eq:
            raise RestliParseError(f"parameter {name!r} has no value")
        if name in params:
            raise RestliParseError(f"parameter {name!r} is repeated")
        params[name] = value
    return params


def parse_value(text: str) -> Any:
    """Parse one value: ``str`` leaves, ``list`` for ``List(...)``, ``dict`` for records."""
    parser = _Parser(text)
    value = parser.value()
    if parser.pos != len(text):
        raise RestliParseError(f"unexpected {text[parser.pos]!r} at offset {parser.pos}")
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def value(self) -> Any:
        if self.text.startswith("List(", self.pos):
            self.pos += 5
            return self._items()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            return self._record()
        return self._leaf()

    def _items(self) -> list[Any]:
        items: list[Any] = []
        if self._peek() == ")":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            if self._take(",)") == ")":
                return items

    def _record(self) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if self._peek() == ")":
            self.pos += 1
            return record
        while True:
            key = self._leaf()
            self._take(":")
            if key in record:
                raise RestliParseError(f"duplicate key {key!r}")
            record[key] = self.value()
            if self._take(",)") == ")":
                return record

    def _leaf(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _STRUCTURE:
            self.pos += 1
        raw = self.text[start : self.pos]
        if not raw:
            raise RestliParseError(f"expected a value at offset {start}")
        if raw == "''":
            return ""
        if _BAD_ESCAPE.search(raw):
            raise RestliParseError(f"bad percent-encoding at offset {start}")
        try:
            return unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise RestliParseError(f"bad percent-encoding at offset {start}") from None

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _take(self, allowed: str) -> str:
        char = self._peek()
        if not char or char not in allowed:
            found = repr(char) if char else "end of value"
            raise RestliParseError(f"expected one of {allowed!r} at offset {self.pos}, "
                                   f"found {found}")
        self.pos += 1
        return char
