"""GA4 auth: the OAuth 2.0 refresh-token grant, ``Authorization: Bearer`` on every call.

Google access tokens last about an hour: they are refreshed ahead of a known expiry, and once
on demand after the API answered 401 with reason ``ACCESS_TOKEN_EXPIRED`` (the base request
loop forces it). The Data API and the Admin API accept the same token (scope
``analytics.readonly``).
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.auth import OAuth2RefreshTokenAuth
from connectors.ga4.config import Ga4Settings

__all__ = ["make_auth"]


def make_auth(settings: Ga4Settings, clock: Callable[[], float]) -> OAuth2RefreshTokenAuth:
    """Build the auth object for ``settings``.

    Args:
        settings: connector settings.
        clock: epoch seconds (drives refresh ahead of a known expiry).

    """
    expires = settings.access_token_expires_at
    return OAuth2RefreshTokenAuth(
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.refresh_token,
        access_token=settings.access_token,
        expires_at=expires.timestamp() if expires is not None else None,
        scope=None,  # a refresh keeps the scopes of the original consent
        skew_seconds=settings.token_refresh_skew_seconds,
        clock=clock,
    )
