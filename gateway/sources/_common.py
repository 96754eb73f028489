"""Helpers shared by the source parsers: JSON loading, error locations, attribution."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, BeforeValidator, ValidationError

from gateway.errors import InvalidPayload

__all__ = [
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


def load_json(body: bytes) -> Any:
    """Parse a UTF-8 JSON body.

    Raises:
        InvalidPayload: the body is not UTF-8 JSON (the message gives line and column).

    """
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidPayload("the body is not UTF-8 text", location="body") from None
    except json.JSONDecodeError as exc:
        raise InvalidPayload(
            f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            location="body",
        ) from None


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
