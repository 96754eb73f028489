"""LinkedIn auth: ``Authorization: Bearer``, refreshed with the OAuth ``refresh_token`` grant.

A Marketing app approved for refresh tokens trades one at ``POST /oauth/v2/accessToken``
(``grant_type=refresh_token``, client id and secret in the form) for a new access token;
LinkedIn keeps the same refresh token until it expires (about a year). Without refresh
credentials the token is used as is until LinkedIn answers 401.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.auth import BearerTokenAuth, refresh_token_auth
from connectors.linkedin_ads.config import LinkedInAdsSettings

__all__ = ["make_auth"]


def make_auth(settings: LinkedInAdsSettings, clock: Callable[[], float]) -> httpx.Auth:
    """Build the auth object for ``settings``.

    Args:
        settings: connector settings.
        clock: epoch seconds (drives refresh ahead of a known expiry).

    Returns:
        An :class:`~connectors.auth.OAuth2RefreshTokenAuth` when a refresh is possible (the
        base request loop then refreshes once on ``EXPIRED_ACCESS_TOKEN``), else a static
        :class:`~connectors.auth.BearerTokenAuth`.

    """
    if not settings.can_refresh_token:
        return BearerTokenAuth(settings.access_token)
    return refresh_token_auth(
        settings, token_url=settings.token_url, access_token=settings.access_token, clock=clock
    )
