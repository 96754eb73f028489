"""HubSpot auth: a private-app bearer token, or OAuth refreshed with ``/oauth/v1/token``.

A private-app (or service-key) token never expires and is sent as is. OAuth access tokens
live 30 minutes: with client id, secret and refresh token configured, the shared
:class:`~connectors.auth.OAuth2RefreshTokenAuth` refreshes ahead of the known expiry (the
grant's ``expires_in``) and once more when HubSpot answers ``EXPIRED_AUTHENTICATION``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.auth import BearerTokenAuth, refresh_token_auth
from connectors.hubspot.config import HubSpotSettings

__all__ = ["make_auth"]


def make_auth(settings: HubSpotSettings, clock: Callable[[], float]) -> httpx.Auth:
    """Build the auth object for ``settings`` (``clock``: epoch seconds)."""
    if not settings.can_refresh_token:
        return BearerTokenAuth(settings.access_token)
    return refresh_token_auth(
        settings, token_url=settings.token_url, access_token=settings.access_token, clock=clock
    )
