"""HubSpot auth: a private-app bearer token, or OAuth refreshed with ``/oauth/v1/token``.

A private-app (or service-key) token never expires and is sent as is. OAuth access tokens
live 30 minutes: with client id, secret and refresh token configured, the shared
:class:`~connectors.auth.OAuth2RefreshTokenAuth` refreshes ahead of the known expiry (the
grant's ``expires_in``) and once more when HubSpot answers ``EXPIRED_AUTHENTICATION``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from connectors.auth import BearerTokenAuth, OAuth2RefreshTokenAuth
from connectors.hubspot.config import HubSpotSettings

__all__ = ["make_auth"]


def make_auth(settings: HubSpotSettings, clock: Callable[[], float]) -> httpx.Auth:
    """Build the auth object for ``settings`` (``clock``: epoch seconds)."""
    if settings.client_id is None or settings.client_secret is None or (
        settings.refresh_token is None
    ):
        return BearerTokenAuth(settings.access_token)
    expires = settings.access_token_expires_at
    return OAuth2RefreshTokenAuth(
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.refresh_token,
        access_token=settings.access_token,
        expires_at=expires.timestamp() if expires is not None else None,
        skew_seconds=settings.token_refresh_skew_seconds,
        clock=clock,
    )
