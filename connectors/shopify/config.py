"""Settings of the Shopify connector (pydantic; built by ``deployments``, never from env)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.http_settings import HttpSettings, HttpURL, RefreshCredentials
from connectors.shopify import settings as C

__all__ = ["ShopifySettings", "shop_handle"]

_HANDLE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def shop_handle(value: str) -> str:
    """Return the shop handle of ``acme``, ``acme.myshopify.com`` or ``https://acme.myshopify.com/``.

    Raises:
        ValueError: not a shop handle or ``*.myshopify.com`` domain.

    """
    text = value.strip().lower()
    text = re.sub(r"^https?://", "", text).split("/", 1)[0]
    text = text.removesuffix(C.SHOP_DOMAIN_SUFFIX)
    if not _HANDLE.match(text):
        raise ValueError(
            f"{value!r} is not a shop handle or a *.myshopify.com domain (e.g. 'acme' or "
            "'acme.myshopify.com')"
        )
    return text


class ShopifySettings(RefreshCredentials, HttpSettings):
    """Everything the Shopify connector needs; secrets are ``SecretStr``.

    Attributes:
        shop: the shop handle (``acme`` of ``acme.myshopify.com``; a domain is accepted).
        base_url: API host; ``{shop}`` is replaced by the handle (default
            ``https://{shop}.myshopify.com``; an emulator: any loopback URL).
        api_version: the pinned ``YYYY-MM`` version in the path (``settings.API_VERSION``).
        allow_version_fallback: keep reading when Shopify serves another version than the
            pinned one (it does so, silently, for unsupported versions); False raises
            ``VersionError`` instead.
        access_token: the Admin API access token (``X-Shopify-Access-Token``).
        access_token_expires_at: when an expiring offline token expires (refreshed ahead).
        token_refresh_skew_seconds: refresh this long before a known expiry.
        client_id: the app's client id (with secret and refresh token: refresh is possible).
        client_secret: the app's client secret.
        refresh_token: the refresh token of an expiring offline token (Shopify rotates it).
        lookback_days: days re-read before the cursor (refunds and fulfilments update orders).
        initial_days: length of a first load without a cursor.
        orders_page_size: ``first`` of the orders query.
        line_item_orders_page_size: orders per page of the line-items query.
        line_items_page_size: line items per order in that query (more are paged per order).
        customers_page_size: ``first`` of the customers query.
        customers_updated_within_days: read only customers updated in the last N days (large
            shops, after a first full load); None reads every customer.
        first_query_cost: points assumed for a query whose cost the connector has not seen
            yet (it learns each query's requested cost from the answers).

        (Token expiry: see ``TokenSettings``; pacing, timeouts, retries and the breaker:
        see ``HttpSettings``.)

    """

    shop: str
    base_url: HttpURL = C.BASE_URL_TEMPLATE
    api_version: str = Field(default=C.API_VERSION, pattern=C.VERSION_PATTERN)
    allow_version_fallback: bool = False
    access_token: SecretStr
    lookback_days: int = Field(default=C.DEFAULT_LOOKBACK_DAYS, ge=0, le=400)
    initial_days: int = Field(default=C.DEFAULT_INITIAL_DAYS, ge=1)
    requests_per_second: float = Field(default=C.DEFAULT_REQUESTS_PER_SECOND, gt=0)
    orders_page_size: int = Field(default=C.ORDERS_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE)
    line_item_orders_page_size: int = Field(
        default=C.LINE_ITEM_ORDERS_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE
    )
    line_items_page_size: int = Field(default=C.LINE_ITEMS_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE)
    customers_page_size: int = Field(default=C.CUSTOMERS_PAGE_SIZE, ge=1, le=C.MAX_PAGE_SIZE)
    customers_updated_within_days: int | None = Field(default=None, ge=1)
    first_query_cost: float = Field(default=float(C.MAX_QUERY_COST), ge=0)

    @model_validator(mode="before")
    @classmethod
    def _fill_base_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and "shop" in data:
            handle = shop_handle(str(data["shop"]))
            template = str(data.get("base_url") or C.BASE_URL_TEMPLATE)
            data = {**data, "shop": handle, "base_url": template.replace("{shop}", handle)}
        return data

    @field_validator("base_url")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        if "{" in value:
            raise ValueError("base_url must be an http(s) URL ({shop} is the only placeholder)")
        return value

    @property
    def shop_domain(self) -> str:
        """The shop's ``*.myshopify.com`` domain (the account id)."""
        return f"{self.shop}{C.SHOP_DOMAIN_SUFFIX}"

    @property
    def graphql_path(self) -> str:
        """Path of the pinned version's GraphQL endpoint."""
        return C.GRAPHQL_PATH.format(version=self.api_version)

    @property
    def token_url(self) -> str:
        """Absolute URL of the token endpoint (refresh grant)."""
        return f"{self.base_url}{C.TOKEN_PATH}"
