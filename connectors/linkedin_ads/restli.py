"""Rest.li 2.0 query syntax: encode the values LinkedIn's finders take, and read them back.

Protocol 2.0 writes structure with literal ``( ) , :`` and percent-encodes every other
reserved character inside a leaf value, so a URN in a list stays one value::

    List(urn%3Ali%3AsponsoredAccount%3A123)
    (start:(year:2026,month:1,day:1),end:(year:2026,month:1,day:31))

Values are ``str``/``int``/``bool`` leaves, ``list``/``tuple`` (``List(...)``) and ``dict``
(records). The query string is built here by hand: httpx would percent-encode the
parentheses, which turns the structure into a plain string on LinkedIn's side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

__all__ = ["RestliSyntaxError", "date_range", "decode", "encode", "query_string"]

# Characters left literal in a leaf: unreserved URL characters only.
_LEAF_SAFE = "-._~"

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

Value = str | int | bool | Sequence[Any] | Mapping[str, Any]


class RestliSyntaxError(ValueError):
    """A Rest.li value could not be parsed."""


def _leaf(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value == "":
        return "''"  # Rest.li's empty string
    return quote(value, safe=_LEAF_SAFE)


def encode(value: Value) -> str:
    """Encode one value in Rest.li 2.0 URL syntax.

    Args:
        value: a leaf, a list/tuple (``List(...)``) or a mapping (a record).

    Returns:
        The encoded text, safe to put after ``name=`` in a query string.

    """
    if isinstance(value, str | int | bool):
        return _leaf(value)
    if isinstance(value, Mapping):
        return "(" + ",".join(f"{_leaf(str(k))}:{encode(v)}" for k, v in value.items()) + ")"
    if isinstance(value, Sequence):
        return "List(" + ",".join(encode(v) for v in value) + ")"
    raise TypeError(f"cannot encode {type(value).__name__} in Rest.li syntax")


def date_range(start: date, end: date) -> dict[str, Any]:
    """Return the ``dateRange`` record of an inclusive day range."""
    return {
        "start": {"year": start.year, "month": start.month, "day": start.day},
        "end": {"year": end.year, "month": end.month, "day": end.day},
    }


def query_string(params: Iterable[tuple[str, Value]]) -> str:
    """Join ``name=value`` pairs; plain strings are encoded as leaves, the rest structurally.

    Args:
        params: ``(name, value)`` pairs in the order they are sent.

    """
    return "&".join(f"{quote(name, safe=_LEAF_SAFE)}={encode(value)}" for name, value in params)


def decode(text: str) -> Any:
    """Parse one Rest.li 2.0 value (leaves come back as strings).

    Args:
        text: the raw (still percent-encoded) parameter value.

    Returns:
        ``str`` leaves, ``list`` for ``List(...)``, ``dict`` for records.

    Raises:
        RestliSyntaxError: unbalanced parentheses, a missing ``:``, trailing text...

    """
    value, pos = _parse(text, 0)
    if pos != len(text):
        raise RestliSyntaxError(f"unexpected {text[pos]!r} at offset {pos}")
    return value


def _parse(text: str, pos: int) -> tuple[Any, int]:
    if text.startswith("List(", pos):
        items: list[Any] = []
        pos += 5
        if text.startswith(")", pos):
            return items, pos + 1
        while True:
            item, pos = _parse(text, pos)
            items.append(item)
            pos = _expect(text, pos, ",)")
            if text[pos - 1] == ")":
                return items, pos
    if text.startswith("(", pos):
        record: dict[str, Any] = {}
        pos += 1
        if text.startswith(")", pos):
            return record, pos + 1
        while True:
            key, pos = _token(text, pos)
            if not key:
                raise RestliSyntaxError(f"empty record key at offset {pos}")
            pos = _expect(text, pos, ":")
            if key in record:
                raise RestliSyntaxError(f"duplicate record key {key!r}")
            record[key], pos = _parse(text, pos)
            pos = _expect(text, pos, ",)")
            if text[pos - 1] == ")":
                return record, pos
    token, pos = _token(text, pos)
    return ("" if token == "''" else token), pos


def _token(text: str, pos: int) -> tuple[str, int]:
    end = pos
    while end < len(text) and text[end] not in "(),:":
        end += 1
    raw = text[pos:end]
    if not raw:
        raise RestliSyntaxError(f"expected a value at offset {pos}")
    if _BAD_ESCAPE.search(raw):
        raise RestliSyntaxError(f"invalid percent-encoding at offset {pos}")
    try:
        return unquote(raw, errors="strict"), end
    except UnicodeDecodeError:
        raise RestliSyntaxError(f"invalid percent-encoding at offset {pos}") from None


def _expect(text: str, pos: int, chars: str) -> int:
    if pos >= len(text) or text[pos] not in chars:
        found = repr(text[pos]) if pos < len(text) else "end of text"
        raise RestliSyntaxError(f"expected one of {chars!r} at offset {pos}, found {found}")
    return pos + 1
