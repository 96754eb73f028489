"""Keyset paging over the CRM search API: offsets up to the 10,000 cap, then re-anchor.

A search pages with an offset (``after``) and can reach only its first 10,000 results.
Results are sorted by (modified date, ``hs_object_id``) ascending, so the last record seen,
(T, X), marks exactly where the read stands. When the next offset would reach the cap, the
paginator re-anchors: a new query for records after (T, X) in that order, i.e.
``(modified == T AND hs_object_id > X) OR (modified > T)`` - two filter groups, each also
bounded by the window's end - from offset 0. More than 10,000 records sharing one instant
(a bulk import) therefore never loop: the id part moves on. (A single group
``modified >= T AND hs_object_id > X`` would lose every later record with a smaller id.)

Sample page::

    {"total": 12873, "results": [{"id": "512", "properties": {"lastmodifieddate":
      "2026-11-20T10:15:02.123Z", "hs_object_id": "512", ...}}, ...],
     "paging": {"next": {"after": "200"}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from connectors.errors import PaginationError
from connectors.hubspot.models import epoch_ms, hs_instant
from connectors.pagination import PageRequest, Paginator

__all__ = ["BodyOffsetPaginator", "SearchPaginator"]


class SearchPaginator(Paginator):
    """Pages one search over ``[start_ms, end_ms)`` of the modified-date property.

    Args:
        modified_property: ``lastmodifieddate`` (contacts) or ``hs_lastmodifieddate``.
        start_ms: first instant of the window (epoch ms, inclusive).
        end_ms: end of the window (epoch ms, exclusive).
        properties: properties to request.
        limit: page size (at most 200).
        cap: results one query can reach (10,000).

    Attributes:
        reanchors: how many times the read re-anchored.

    """

    def __init__(
        self,
        *,
        modified_property: str,
        start_ms: int,
        end_ms: int,
        properties: tuple[str, ...],
        limit: int,
        cap: int,
    ) -> None:
        super().__init__()
        self.prop = modified_property
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.properties = properties
        self.limit = limit
        self.cap = cap
        self.reanchors = 0
        self._anchor: tuple[int, int] | None = None
        self._query_anchor: tuple[int, int] | None = None
        self._next_after = 0
        self._advance((None, 0))

    def first_body(self) -> dict[str, Any]:
        """Return the body of the first page."""
        return self._body(None, 0)

    def _body(self, anchor: tuple[int, int] | None, after: int) -> dict[str, Any]:
        end = {"propertyName": self.prop, "operator": "LT", "value": str(self.end_ms)}
        if anchor is None:
            groups = [{"filters": [
                {"propertyName": self.prop, "operator": "GTE", "value": str(self.start_ms)}, end,
            ]}]
        else:
            ms, record_id = anchor
            groups = [
                {"filters": [
                    {"propertyName": self.prop, "operator": "EQ", "value": str(ms)},
                    {"propertyName": "hs_object_id", "operator": "GT", "value": str(record_id)},
                ]},
                {"filters": [
                    {"propertyName": self.prop, "operator": "GT", "value": str(ms)}, end,
                ]},
            ]
        body: dict[str, Any] = {
            "filterGroups": groups,
            "sorts": [
                {"propertyName": self.prop, "direction": "ASCENDING"},
                {"propertyName": "hs_object_id", "direction": "ASCENDING"},
            ],
            "properties": list(self.properties),
            "limit": self.limit,
        }
        if after:
            body["after"] = str(after)
        return body

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Remember the last (modified, id) seen and the next offset, or stop."""
        results = payload.get("results") if isinstance(payload, Mapping) else None
        for raw in results or ():
            key = _sort_key(raw, self.prop)
            if key is not None and (self._anchor is None or key > self._anchor):
                self._anchor = key
        paging = payload.get("paging") if isinstance(payload, Mapping) else None
        nxt = paging.get("next") if isinstance(paging, Mapping) else None
        after = nxt.get("after") if isinstance(nxt, Mapping) else None
        if not results or after in (None, ""):
            self.has_next = False
            return
        try:
            offset = int(str(after))
        except ValueError:
            raise PaginationError(f"search answered a non-numeric after {after!r}") from None
        if offset >= self.cap:
            if self._anchor is None:
                raise PaginationError(
                    f"search reached its {self.cap}-result cap without one readable "
                    f"{self.prop}: cannot re-anchor"
                )
            self.reanchors += 1
            self._query_anchor, self._next_after = self._anchor, 0
        else:
            self._next_after = offset
        self._advance((self._query_anchor, self._next_after))
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Point the request body at the next page (a new offset or a new anchor)."""
        request.data = self._body(self._query_anchor, self._next_after)


def _sort_key(raw: Any, prop: str) -> tuple[int, int] | None:
    """Return (modified ms, id) of a raw record, or None when it is unreadable."""
    if not isinstance(raw, Mapping):
        return None
    props = raw.get("properties")
    record_id = str(raw.get("id", ""))
    if not isinstance(props, Mapping) or not record_id.isdigit():
        return None
    try:
        moment = hs_instant(props.get(prop))
    except ValueError:
        return None
    return epoch_ms(moment), int(record_id)


class BodyOffsetPaginator(Paginator):
    """Offset paging carried in a JSON body (``POST /crm/v3/lists/search``).

    Sample payload::

        {"lists": [...], "offset": 20, "hasMore": true, "total": 46}

    Args:
        count: page size.

    """

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self._offset = 0

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Take the next offset while ``hasMore``."""
        more = bool(payload.get("hasMore")) if isinstance(payload, Mapping) else False
        offset = payload.get("offset") if isinstance(payload, Mapping) else None
        if not more or not isinstance(offset, int):
            self.has_next = False
            return
        self._advance(offset)
        self._offset = offset
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Set ``offset`` in the body."""
        request.data = {**(request.data or {}), "offset": self._offset, "count": self.count}
