"""Paginators: two methods each, and a repeated cursor is an error, not a loop.

A paginator reads the page it was given (:meth:`Paginator.update_state`) and rewrites the
request for the next one (:meth:`Paginator.update_request`); ``has_next`` says whether there
is one. :meth:`Paginator._advance` is the shared loop guard: a cursor seen before in the same
read raises :class:`~connectors.errors.PaginationError` instead of fetching the same pages
forever.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors._redact import redact, redact_url
from connectors.errors import PaginationError

__all__ = [
    "CursorPaginator",
    "GraphQLCursorPaginator",
    "NextUrlPaginator",
    "OffsetPaginator",
    "PageRequest",
    "PageTokenPaginator",
    "Paginator",
    "SinglePagePaginator",
    "relay_nodes",
]


@dataclass
class PageRequest:
    """The mutable description of the next page's request.

    Attributes:
        method: HTTP method.
        url: path relative to the connector's base URL, or an absolute URL.
        params: query parameters.
        data: form fields (POST), if any.

    """

    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] | None = None


def _dig(payload: Any, path: Sequence[str]) -> Any:
    node = payload
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _preview(token: Any, limit: int = 48) -> str:
    text = redact(token)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Paginator(ABC):
    """Base paginator with the repeated-cursor guard.

    Attributes:
        has_next: whether another page should be requested.
        pages: pages seen so far.

    """

    def __init__(self) -> None:
        self.has_next = True
        self.pages = 0
        self._seen: set[Hashable] = set()

    @abstractmethod
    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Read one page and decide whether there is a next one.

        Args:
            payload: the decoded JSON body.
            response: the raw response, for header-driven paginators.

        """

    @abstractmethod
    def update_request(self, request: PageRequest) -> None:
        """Rewrite ``request`` so that it fetches the next page."""

    def _advance(self, token: Hashable, shown: str | None = None) -> None:
        """Record a new cursor; raise if it was seen before in this read."""
        self.pages += 1
        if token in self._seen:
            raise PaginationError(
                f"{type(self).__name__}: the API returned cursor {shown or _preview(token)!r} "
                f"again after {self.pages} pages; stopping instead of looping over the same "
                "pages (repeated cursor)"
            )
        self._seen.add(token)


class SinglePagePaginator(Paginator):
    """For endpoints that answer in one page."""

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """There is never a next page."""
        self.pages += 1
        self.has_next = False

    def update_request(self, request: PageRequest) -> None:
        """Nothing to change."""


class NextUrlPaginator(Paginator):
    """Follow an absolute next-page URL in the body (Graph API ``paging.next``).

    Sample payload::

        {"data": [...], "paging": {"cursors": {"before": "MA", "after": "MjQ"},
                                   "next": "https://graph.facebook.com/v26.0/act_1/ads?after=MjQ"}}

    The loop guard keys on the URL's ``after`` parameter when there is one (the rest of a
    Graph next URL may legitimately change, e.g. a refreshed token), else on the URL.

    Args:
        next_path: where the next URL sits in the body.
        data_key: the list of records; an empty list ends the read even with a next URL.
        cursor_param: the query parameter that identifies the page.

    """

    def __init__(
        self,
        next_path: Sequence[str] = ("paging", "next"),
        *,
        data_key: str | None = "data",
        cursor_param: str = "after",
    ) -> None:
        super().__init__()
        self.next_path = tuple(next_path)
        self.data_key = data_key
        self.cursor_param = cursor_param
        self._next_url: str | None = None

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Take ``paging.next`` if present and the page had records."""
        next_url = _dig(payload, self.next_path)
        records = (
            payload.get(self.data_key) if self.data_key and isinstance(payload, Mapping) else None
        )
        if not isinstance(next_url, str) or not next_url or (self.data_key and not records):
            self.pages += 1
            self.has_next = False
            self._next_url = None
            return
        cursor = httpx.URL(next_url).params.get(self.cursor_param)
        key = cursor if cursor is not None else redact_url(next_url) + "?" + _strip_token(next_url)
        self._advance(key, shown=cursor if cursor is not None else redact_url(next_url))
        self._next_url = next_url
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Point the request at the next URL (it already carries every parameter)."""
        if self._next_url is None:
            raise PaginationError("NextUrlPaginator: no next page to request")
        request.url = self._next_url
        request.params = {}


def _strip_token(url: str) -> str:
    params = httpx.URL(url).params
    return "&".join(
        f"{k}={v}" for k, v in sorted(params.multi_items()) if k not in {"access_token"}
    )


class CursorPaginator(Paginator):
    """A cursor taken from the body and sent back as a query parameter.

    Sample payload (Graph cursors; ``after`` is present even on the last page, so
    ``has_more_path`` checks ``paging.next``)::

        {"data": [...], "paging": {"cursors": {"after": "MjQ"}, "next": "..."}}

    Args:
        cursor_path: where the next cursor sits in the body.
        param: the query parameter that carries it.
        has_more_path: optional path whose truthiness says whether there is a next page.

    """

    def __init__(
        self,
        cursor_path: Sequence[str] = ("paging", "cursors", "after"),
        *,
        param: str = "after",
        has_more_path: Sequence[str] | None = ("paging", "next"),
    ) -> None:
        super().__init__()
        self.cursor_path = tuple(cursor_path)
        self.param = param
        self.has_more_path = tuple(has_more_path) if has_more_path is not None else None
        self._cursor: str | None = None

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Take the next cursor, if any."""
        cursor = _dig(payload, self.cursor_path)
        more = bool(_dig(payload, self.has_more_path)) if self.has_more_path else True
        if cursor in (None, "") or not more:
            self.pages += 1
            self.has_next = False
            return
        self._advance(str(cursor))
        self._cursor = str(cursor)
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Set the cursor parameter."""
        request.params[self.param] = self._cursor


class PageTokenPaginator(CursorPaginator):
    """Google-style ``nextPageToken`` -> ``pageToken``.

    Sample payload::

        {"results": [...], "nextPageToken": "CiAK..."}
    """

    def __init__(self, token_key: str = "nextPageToken", *, param: str = "pageToken") -> None:
        super().__init__((token_key,), param=param, has_more_path=None)


class OffsetPaginator(Paginator):
    """Offset/limit paging; stops on a short page or when ``total`` is reached.

    Sample payload::

        {"results": [...], "total": 230}

    Args:
        limit: page size.
        offset_param: query parameter for the offset.
        limit_param: query parameter for the page size.
        data_key: the list of records.
        total_path: optional path to the total count.

    """

    def __init__(
        self,
        limit: int,
        *,
        offset_param: str = "offset",
        limit_param: str = "limit",
        data_key: str = "results",
        total_path: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        if limit < 1:
            raise ValueError("limit must be >= 1")
        self.limit = limit
        self.offset_param = offset_param
        self.limit_param = limit_param
        self.data_key = data_key
        self.total_path = tuple(total_path) if total_path is not None else None
        self.offset = 0

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Advance the offset by the page's record count."""
        records = payload.get(self.data_key) if isinstance(payload, Mapping) else None
        count = len(records) if isinstance(records, list) else 0
        total = _dig(payload, self.total_path) if self.total_path else None
        new_offset = self.offset + count
        if count < self.limit or (isinstance(total, int) and new_offset >= total):
            self.pages += 1
            self.has_next = False
            return
        self._advance(new_offset)
        self.offset = new_offset
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Set offset and limit."""
        request.params[self.offset_param] = self.offset
        request.params[self.limit_param] = self.limit


def _connection(payload: Any, path: Sequence[str]) -> Mapping[str, Any]:
    node = _dig(payload, ("data", *path))
    if not isinstance(node, Mapping) or not isinstance(node.get("edges"), list):
        raise PaginationError(f"the answer has no {'.'.join(path)} connection")
    return node


def relay_nodes(payload: Any, path: Sequence[str]) -> list[Any]:
    """Return the nodes of the GraphQL connection at ``data.<path>``.

    Raises:
        PaginationError: the answer has no such connection.

    """
    edges = _connection(payload, path)["edges"]
    return [e.get("node") if isinstance(e, Mapping) else e for e in edges]


class GraphQLCursorPaginator(Paginator):
    """Relay cursor paging of one GraphQL connection: ``first``/``after`` and ``pageInfo``.

    The request's body is ``{"query": ..., "variables": {...}, ...}``; the cursor goes into
    its variables. Sample payload::

        {"data": {"orders": {"edges": [{"node": {...}}],
                             "pageInfo": {"hasNextPage": true, "endCursor": "eyJsYXN0..."}}}}

    Args:
        path: where the connection sits under ``data`` (``("orders",)``).
        param: the variable that carries the cursor.

    Attributes:
        nodes: the last page's nodes.

    """

    def __init__(self, path: tuple[str, ...], *, param: str = "after") -> None:
        super().__init__()
        self.path = path
        self.param = param
        self.nodes: list[Any] = []
        self._cursor: str | None = None

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Take the page's nodes and ``pageInfo``."""
        self.nodes = relay_nodes(payload, self.path)
        found = _connection(payload, self.path).get("pageInfo")
        info: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        cursor = info.get("endCursor")
        if not info.get("hasNextPage"):
            self.pages += 1
            self.has_next = False
            return
        if not isinstance(cursor, str) or not cursor:
            raise PaginationError("hasNextPage is true but endCursor is missing")
        self._advance(cursor)
        self._cursor = cursor
        self.has_next = True

    def update_request(self, request: PageRequest) -> None:
        """Set the cursor variable."""
        if request.data is None:
            raise PaginationError("GraphQLCursorPaginator: the request has no GraphQL body")
        request.data["variables"] = {**request.data.get("variables", {}), self.param: self._cursor}
