"""Helpers shared by the source parsers: JSON loading, error locations, attribution."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, BeforeValidator, ValidationError

from gateway.errors import InvalidPayload

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_CHARS",
    "Id",
    "Mapped",
    "Parsed",
    "attribution_from_url",
    "decimal_text",
    "epoch_ms_iso",
    "epoch_s_iso",
    "invalid",
    "iso",
    "load_json",
]

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a body may have (Shopify orders need about 6)."""
MAX_NUMBER_CHARS = 64
"""Longest number literal: ids and epoch times need 20 digits, prices a few more."""

# A JSON string (escapes included) or one bracket: strings are skipped whole, so brackets
# inside them are not counted.
_DEPTH_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

_CLICK_IDS = ("gclid", "gbraid", "wbraid", "fbclid", "li_fat_id", "msclkid", "ttclid")
_UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _id_text(value: Any) -> Any:
    # Platforms send ids as JSON numbers or strings; events carry them as strings. Booleans
    # are ints to Python: refuse them rather than turn True into "True".
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


Id = Annotated[str, BeforeValidator(_id_text)]


@dataclass(frozen=True)
class Mapped:
    """One delivery found in a request, with the event it becomes."""

    delivery_id: str
    topic: str
    event_name: str
    payload: BaseModel
    body: str


@dataclass
class Parsed:
    """All deliveries of one request, and how many of its items map to no event."""

    deliveries: list[Mapped] = field(default_factory=list)
    ignored: int = 0


def _too_deep(text: str, limit: int) -> bool:
    depth = 0
    for match in _DEPTH_TOKENS.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > limit:
                return True
        elif token == "]" or token == "}":
            depth -= 1
    return False


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > MAX_NUMBER_CHARS:
            raise ValueError(f"a number longer than {MAX_NUMBER_CHARS} characters")
        return kind(text)

    return parse


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_PARSE_INT = _number(int)
_PARSE_FLOAT = _number(float)


def load_json(body: bytes) -> Any:
    """Parse a UTF-8 JSON body within bounds a sender cannot push the gateway past.

    Nesting deeper than :data:`MAX_JSON_DEPTH` is refused before parsing (Python's parser
    recurses, and a deep enough body would otherwise end in ``RecursionError``, a 500);
    number literals longer than :data:`MAX_NUMBER_CHARS` and ``NaN``/``Infinity`` are
    refused too (a 5,000-digit integer exceeds Python's conversion limit).

    Raises:
        InvalidPayload: the body is not UTF-8 JSON within those bounds (the message gives
            line and column, or the bound).

    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidPayload("the body is not UTF-8 text", location="body") from None
    if _too_deep(text, MAX_JSON_DEPTH):
        raise InvalidPayload(
            f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
            location="body",
        )
    try:
        return json.loads(text, parse_int=_PARSE_INT, parse_float=_PARSE_FLOAT,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidPayload(
            f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            location="body",
        ) from None
    except (ValueError, RecursionError) as exc:
        # Our number bounds (ValueError), and a last guard should the scan above miss a case.
        reason = str(exc) if isinstance(exc, ValueError) else "nesting too deep"
        raise InvalidPayload(f"the body is not acceptable JSON: {reason}",
                             location="body") from None


def invalid(exc: ValidationError, prefix: str = "body") -> InvalidPayload:
    """Turn a pydantic error into ``InvalidPayload`` naming the first bad location.

    The sender's values are not repeated (only where and what kind of problem).
    """
    errors = exc.errors(include_input=False, include_url=False)
    first = errors[0]
    location = prefix + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    )
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return InvalidPayload(f"{location}: {first['msg']}{more}", location=location)


def iso(moment: datetime) -> str:
    """Return ``moment`` as ISO 8601 in UTC (``2026-11-26T10:00:00.123000+00:00``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def epoch_ms_iso(value: int | None) -> str | None:
    """Return epoch milliseconds as ISO 8601 UTC, None when absent or out of range."""
    return epoch_s_iso(value / 1000) if value is not None else None


def epoch_s_iso(value: float | None) -> str | None:
    """Return epoch seconds as ISO 8601 UTC, None when absent or out of range."""
    if value is None:
        return None
    try:
        return iso(datetime.fromtimestamp(value, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def decimal_text(value: str | int | float | None) -> str | None:
    """Return an amount as a plain decimal string (``"199.00"``), None when not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return str(amount) if amount.is_finite() else None


def attribution_from_url(url: str | None) -> dict[str, str]:
    """Return the UTM tags and click ids found in a landing URL's query string."""
    if not url:
        return {}
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return {}
    return {key: query[key][0][:500] for key in (*_UTM, *_CLICK_IDS) if query.get(key)}
