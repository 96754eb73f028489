from typing import Any

import httpx
import pytest

from connectors.errors import PaginationError
from connectors.pagination import (
    CursorPaginator,
    GraphQLCursorPaginator,
    NextUrlPaginator,
    OffsetPaginator,
    PageRequest,
    PageTokenPaginator,
    SinglePagePaginator,
    relay_nodes,
)

NEXT = "https://graph.facebook.com/v26.0/act_1/ads?access_token=SECRET-TOKEN-1&limit=2&after={}"


def graph_page(after: str | None, *, rows: int = 2) -> dict[str, Any]:
    body: dict[str, Any] = {"data": [{"id": str(i)} for i in range(rows)]}
    if after is not None:
        body["paging"] = {"cursors": {"before": "B", "after": after}, "next": NEXT.format(after)}
    return body


def test_next_url_paginator_follows_and_stops():
    p = NextUrlPaginator()
    req = PageRequest("GET", "/v26.0/act_1/ads", {"limit": 2})
    p.update_state(graph_page("C1"))
    assert p.has_next
    p.update_request(req)
    assert req.url == NEXT.format("C1") and req.params == {}
    p.update_state(graph_page(None))
    assert not p.has_next


def test_next_url_paginator_stops_on_empty_page_even_with_next():
    p = NextUrlPaginator()
    p.update_state(graph_page("C9", rows=0))
    assert not p.has_next


def test_repeated_cursor_raises_a_clear_error_without_the_token():
    p = NextUrlPaginator()
    p.update_state(graph_page("C1"))
    p.update_state(graph_page("C2"))
    with pytest.raises(PaginationError) as info:
        p.update_state(graph_page("C1"))
    message = str(info.value)
    assert "repeated cursor" in message and "'C1'" in message and "3 pages" in message
    assert "SECRET-TOKEN-1" not in message


def test_cursor_paginator_uses_next_presence_and_guards():
    p = CursorPaginator()
    req = PageRequest("GET", "/x", {})
    p.update_state(graph_page("A"))
    p.update_request(req)
    assert req.params["after"] == "A"
    with pytest.raises(PaginationError):
        p.update_state(graph_page("A"))
    last = CursorPaginator()
    last.update_state({"data": [1], "paging": {"cursors": {"after": "Z"}}})
    assert not last.has_next


def test_page_token_paginator():
    p = PageTokenPaginator()
    req = PageRequest("GET", "/x", {})
    p.update_state({"results": [1], "nextPageToken": "t1"})
    p.update_request(req)
    assert req.params == {"pageToken": "t1"}
    p.update_state({"results": [1]})
    assert not p.has_next
    q = PageTokenPaginator()
    q.update_state({"nextPageToken": "same"})
    with pytest.raises(PaginationError):
        q.update_state({"nextPageToken": "same"})


def test_offset_paginator():
    p = OffsetPaginator(limit=2, total_path=("total",))
    req = PageRequest("GET", "/x", {})
    p.update_state({"results": [1, 2], "total": 5})
    p.update_request(req)
    assert req.params == {"offset": 2, "limit": 2}
    p.update_state({"results": [3, 4], "total": 5})
    assert p.has_next
    p.update_state({"results": [5], "total": 5})
    assert not p.has_next


def test_single_page():
    p = SinglePagePaginator()
    p.update_state({"anything": 1}, httpx.Response(200))
    assert not p.has_next


def relay_page(cursor: str | None, *nodes: int) -> dict[str, Any]:
    info = {"hasNextPage": cursor is not None, "endCursor": cursor}
    return {"data": {"shop": {"orders": {
        "edges": [{"node": {"id": n}} for n in nodes], "pageInfo": info,
    }}}}


def test_graphql_cursor_paginator_sets_the_cursor_variable_and_guards():
    p = GraphQLCursorPaginator(("shop", "orders"))
    body = {"query": "q", "variables": {"first": 2}, "operationName": "Orders"}
    req = PageRequest("POST", "/graphql.json", data=body)
    page = relay_page("C1", 1, 2)
    assert relay_nodes(page, ("shop", "orders")) == [{"id": 1}, {"id": 2}]
    p.update_state(page)
    assert p.has_next and p.nodes == [{"id": 1}, {"id": 2}]
    p.update_request(req)
    assert req.data == {
        "query": "q", "variables": {"first": 2, "after": "C1"}, "operationName": "Orders",
    }
    assert list(req.data) == ["query", "variables", "operationName"]
    p.update_state(relay_page(None, 3))
    assert not p.has_next
    with pytest.raises(PaginationError, match="repeated cursor"):
        again = GraphQLCursorPaginator(("shop", "orders"))
        again.update_state(relay_page("C1", 1))
        again.update_state(relay_page("C1", 1))


def test_graphql_pages_need_their_connection_and_a_cursor():
    with pytest.raises(PaginationError, match=r"no shop\.orders connection"):
        relay_nodes({"data": {"shop": None}}, ("shop", "orders"))
    broken = relay_page(None, 1)
    broken["data"]["shop"]["orders"]["pageInfo"] = {"hasNextPage": True}
    with pytest.raises(PaginationError, match="endCursor is missing"):
        GraphQLCursorPaginator(("shop", "orders")).update_state(broken)
