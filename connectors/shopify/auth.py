"""Shopify auth: ``X-Shopify-Access-Token``, refreshed for expiring offline tokens.

A custom app's Admin API token does not expire: it is sent as is. An expiring offline token
(one hour, since December 2025) comes with a refresh token: ``POST
https://{shop}.myshopify.com/admin/oauth/access_token`` with ``grant_type=refresh_token``,
``client_id``, ``client_secret`` and ``refresh_token`` returns a new access token *and a new
refresh token* (kept for the next refresh).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.auth import ApiKeyAuth, OAuth2RefreshTokenAuth, refresh_token_auth
from connectors.shopify import settings as C
from connectors.shopify.config import ShopifySettings

__all__ = ["ShopifyRefreshAuth", "make_auth"]


class ShopifyRefreshAuth(OAuth2RefreshTokenAuth):
    """The OAuth refresh grant, with the token sent in ``X-Shopify-Access-Token``."""

    def sign(self, request: httpx.Request, token: str) -> None:
        """Set ``X-Shopify-Access-Token``."""
        request.headers[C.TOKEN_HEADER] = token


def make_auth(settings: ShopifySettings, clock: Callable[[], float]) -> httpx.Auth:
    """Build the auth object for ``settings``.

    Args:
        settings: connector settings.
        clock: epoch seconds (drives refresh ahead of a known expiry).

    Returns:
        A :class:`ShopifyRefreshAuth` when refresh credentials are configured (the request
        loop then refreshes once on a 401), else a static header.

    """
    if not settings.can_refresh_token:
        return ApiKeyAuth(settings.access_token, name=C.TOKEN_HEADER, location="header")
    return refresh_token_auth(
        settings,
        token_url=settings.token_url,
        access_token=settings.access_token,
        clock=clock,
        auth_class=ShopifyRefreshAuth,
    )
