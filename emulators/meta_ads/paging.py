"""Graph cursor paging: opaque ``before``/``after`` cursors and absolute ``next`` links.

``paging.next`` points back at the host and port the request came to, so a client that
follows it (the official SDK, our connector) keeps talking to the same emulator. It is
absent on the last page, like Graph.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import httpx

from emulators.meta_ads.errors import invalid_parameter

DEFAULT_LIMIT = 25
MAX_LIMIT = 5000


def encode_cursor(offset: int) -> str:
    """Opaque cursor for a position in a result list."""
    return base64.urlsafe_b64encode(f"pos:{offset:010d}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Position encoded in ``cursor``; a malformed cursor is a Graph error 100."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "pos":
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_parameter(f"Invalid cursor: {cursor}") from exc


def parse_limit(params: dict[str, str]) -> int:
    """Return the page size requested (default 25, capped at 5000)."""
    raw = params.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError as exc:
        raise invalid_parameter(f"Param limit must be an integer, got {raw!r}") from exc
    return max(1, min(MAX_LIMIT, limit))


def page_of(
    items: Sequence[Any],
    request: httpx.Request,
    params: dict[str, str],
    *,
    repeat_cursor: bool = False,
) -> tuple[dict[str, Any], list[Any]]:
    """Cut one page out of ``items`` as Graph does; return (body-without-data, page).

    With ``repeat_cursor`` (a fault) the page announces the same ``after`` cursor the
    request carried, so a client that follows it would loop forever.
    """
    limit = parse_limit(params)
    offset = decode_cursor(params["after"]) if params.get("after") else 0
    if params.get("before"):
        offset = max(0, decode_cursor(params["before"]) - limit)
    chunk = list(items[offset : offset + limit])
    if not chunk:
        return {}, chunk
    after = encode_cursor(offset + len(chunk))
    if repeat_cursor and params.get("after"):
        after = params["after"]
    paging: dict[str, Any] = {"cursors": {"before": encode_cursor(offset), "after": after}}
    base = {k: v for k, v in request.url.params.multi_items() if k not in ("after", "before")}
    if offset + len(chunk) < len(items) or repeat_cursor:
        paging["next"] = str(request.url.copy_with(params={**base, "limit": str(limit),
                                                            "after": after}))
    if offset > 0:
        paging["previous"] = str(
            request.url.copy_with(params={**base, "limit": str(limit),
                                          "before": encode_cursor(offset)})
        )
    return {"paging": paging}, chunk
