"""How the Shopify connector classifies answers, pins its version, refreshes tokens and pages."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    VersionError,
)
from connectors.shopify import ShopifyConnector, ShopifySettings
from connectors.shopify.client import GraphQLBody
from connectors.shopify.models import click_id
from connectors.streams import AccountInfo, DateWindow
from emulators.entities import LAYOUTS
from emulators.market import Market
from emulators.shopify import SANDBOX_SHOP
from emulators.shopify.auth import OAuthError
from tests.connectors.fakes import FakeClock, json_response
from tests.connectors.shopify.contract_target import (
    NOW,
    SH_REFRESH_TOKEN,
    SH_TOKEN,
    shopify_connector,
    shopify_emulator,
)

WINDOW = DateWindow(date(2026, 11, 1), NOW.date())


@pytest.fixture
def wired():
    clock = FakeClock(NOW)
    emulator = shopify_emulator(None)
    made = []

    def connect(**overrides):
        connector = shopify_connector(emulator, clock, CallRecorder(), None, **overrides)
        made.append(connector)
        return connector

    yield emulator, clock, connect
    for connector in made:
        connector.close()


def _graphql(connector: ShopifyConnector, query: str) -> None:
    connector.request(
        "POST", connector.settings.graphql_path, data=GraphQLBody(query=query),
        expect_key="data",
    )


def test_an_unknown_field_is_fatal_with_shopifys_message_and_path(wired):
    _emulator, _clock, connect = wired
    connector = connect()
    with pytest.raises(BadRequestError) as info:
        _graphql(connector, "{ orders(first: 1) { edges { node { id colour } } } }")
    text = str(info.value)
    assert "undefinedField" in text and "Field 'colour' doesn't exist on type 'Order'" in text
    assert "query.orders.edges.node.colour" in text
    assert len(connector.recorder.calls) == 1 and not info.value.retryable


def test_a_page_size_over_the_cost_limit_is_fatal_and_says_why(wired):
    _emulator, _clock, connect = wired
    connector = connect(orders_page_size=250)
    account = connector.list_accounts()[0]
    with pytest.raises(BadRequestError) as info:
        connector.read("orders", account, WINDOW)
    assert "MAX_COST_EXCEEDED" in str(info.value) and "4252" in str(info.value)
    assert len(connector.recorder.calls) == 2  # list_accounts, then one refused query


def test_a_search_filter_shopify_ignored_is_an_error_not_a_full_read(wired):
    _emulator, _clock, connect = wired
    connector = connect()
    with pytest.raises(BadRequestError) as info:
        _graphql(connector, '{ orders(first: 5, query: "colour:red") { edges { node { id } } } }')
    assert "ignored part of the search filter" in str(info.value) and "colour" in str(info.value)


def test_an_unsupported_pinned_version_is_refused_unless_fallback_is_allowed(wired):
    _emulator, _clock, connect = wired
    strict = connect(api_version="2025-07")
    with pytest.raises(VersionError) as info:
        strict.list_accounts()
    assert "2025-07" in str(info.value) and "2026-01" in str(info.value)
    lenient = connect(api_version="2025-07", allow_version_fallback=True)
    assert lenient.list_accounts()[0].id == f"{SANDBOX_SHOP}.myshopify.com"


def test_unknown_shop_and_bad_token_are_fatal(wired):
    _emulator, _clock, connect = wired
    ghost = connect(shop="ghost-shop")
    with pytest.raises(NotFoundError) as info:
        ghost.list_accounts()
    assert "ghost-shop.myshopify.com" in str(info.value)
    stale = connect(access_token=SecretStr("shpat_wrong"), client_id=None, client_secret=None,
                    refresh_token=None)
    with pytest.raises(AuthenticationError) as auth:
        stale.list_accounts()
    assert "Invalid API key or access token" in str(auth.value)
    assert [c.error_class for c in stale.recorder.calls] == ["AuthenticationError"]


def test_expiring_tokens_refresh_ahead_of_expiry_with_the_rotated_refresh_token():
    clock = FakeClock(NOW)
    emulator = shopify_emulator(None, market=Market(seed=7, clock=clock,
                                                    platforms=tuple(LAYOUTS)))
    connector = shopify_connector(emulator, clock, CallRecorder(), None,
                                  access_token=SecretStr("shpat_expired_long_ago"))
    try:
        connector.list_accounts()  # 401 -> refresh with the first refresh token
        clock.advance(timedelta(minutes=58).total_seconds())  # inside the 5-minute skew
        connector.list_accounts()  # refreshed ahead of expiry, with the rotated token
    finally:
        connector.close()
    tokens = emulator.tokens
    assert len(tokens.issued) == 2 and len(tokens.issued_refresh_tokens) == 2
    assert [c.error_class for c in connector.recorder.calls] == ["TokenExpiredError", None, None]
    # The original refresh token was retired once its replacement was used.
    refused = connector.settings.model_copy(update={"access_token": SecretStr("x" * 8)})
    assert refused.refresh_token is not None
    assert refused.refresh_token.get_secret_value() == SH_REFRESH_TOKEN
    form = {"grant_type": "refresh_token", "client_id": tokens.client_id,
            "client_secret": tokens.client_secret, "refresh_token": SH_REFRESH_TOKEN}
    with pytest.raises(OAuthError, match="invalid"):
        tokens.refresh(form, clock())


def test_orders_with_more_lines_than_a_page_are_paged_per_order(wired):
    emulator, _clock, connect = wired
    small = connect(line_items_page_size=1)
    large = connect(line_items_page_size=30)
    account = small.list_accounts()[0]
    paged = small.read("order_line_items", account, WINDOW)
    whole = large.read("order_line_items", account, WINDOW)
    assert paged.rows == whole.rows and not paged.rejects
    per_order: dict[str, int] = {}
    for row in whole.rows:
        per_order[row["order_id"]] = per_order.get(row["order_id"], 0) + 1
    multi_line = [o for o, n in per_order.items() if n > 1]
    follow_ups = [r for r in emulator.request_log if r.params.get("operationName") == "LineItems"]
    assert multi_line and len(follow_ups) == len(multi_line)


def test_another_shop_than_the_configured_one_is_refused(wired):
    _emulator, _clock, connect = wired
    connector = connect()
    other = AccountInfo("other.myshopify.com", "Other", "EUR", "Europe/Berlin")
    with pytest.raises(ConfigurationError):
        connector.read("orders", other, WINDOW)
    assert connector.normalize_account_id("https://Northwind-Shop.myshopify.com/admin") == (
        "northwind-shop.myshopify.com"
    )


def _scripted(*answers: httpx.Response) -> ShopifyConnector:
    replies = list(answers)
    clock = FakeClock(NOW)
    return ShopifyConnector(
        ShopifySettings(shop=SANDBOX_SHOP, access_token=SecretStr(SH_TOKEN),
                        requests_per_second=1000),
        transport=httpx.MockTransport(lambda request: replies.pop(0)),
        sleep=clock.sleep, clock=clock,
    )


def test_server_side_graphql_errors_inside_a_200_are_retried():
    internal = json_response(200, {"errors": [{"message": "Internal error. Looks like "
                                               "something went wrong on our end.",
                                               "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]},
                             {"X-Shopify-API-Version": "2026-10"})
    shop = json_response(200, {"data": {"shop": {
        "id": "gid://shopify/Shop/1", "name": "S", "currencyCode": "EUR",
        "ianaTimezone": "Europe/Berlin", "myshopifyDomain": f"{SANDBOX_SHOP}.myshopify.com"}}},
        {"X-Shopify-API-Version": "2026-10"})
    connector = _scripted(internal, shop)
    assert connector.list_accounts()[0].currency == "EUR"
    assert [c.error_class for c in connector.recorder.calls] == ["ServerError", None]
    connector.close()
    assert ServerError.retryable


def test_partial_data_with_errors_is_not_taken_as_a_complete_page():
    partial = json_response(200, {"data": {"shop": None}, "errors": [{
        "message": "Access denied for shop field.", "path": ["shop"],
        "extensions": {"code": "ACCESS_DENIED"}}]}, {"X-Shopify-API-Version": "2026-10"})
    connector = _scripted(partial)
    with pytest.raises(PermissionDeniedError) as info:
        connector.list_accounts()
    assert "ACCESS_DENIED: Access denied for shop field. at shop" in str(info.value)
    connector.close()


@given(
    param=st.sampled_from(["gclid", "fbclid", "li_fat_id"]),
    value=st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=1,
                  max_size=40),
    before=st.lists(st.sampled_from(["utm_source=google", "utm_medium=cpc", "x=1"]),
                    max_size=3),
)
def test_click_ids_are_read_from_any_landing_url(param, value, before):
    query = "&".join([*before, f"{param}={value}"])
    assert click_id(f"https://shop.example/p?{query}") == (param, value)
    assert click_id(f"https://shop.example/p?{'&'.join(before)}") is None
