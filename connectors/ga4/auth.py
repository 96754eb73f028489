"""GA4 auth: the OAuth 2.0 refresh-token grant, ``Authorization: Bearer`` on every call.

Google access tokens last about an hour: they are refreshed ahead of a known expiry, and once
on demand after the API answered 401 with reason ``ACCESS_TOKEN_EXPIRED`` (the base request
loop forces it). The Data API and the Admin API accept the same token (scope
``analytics.readonly``).
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.auth import OAuth2RefreshTokenAuth, refresh_token_auth
from connectors.ga4.config import Ga4Settings

__all__ = ["make_auth"]


def make_auth(settings: Ga4Settings, clock: Callable[[], float]) -> OAuth2RefreshTokenAuth:
    """Build the auth object for ``settings``.

    Args:
        settings: connector settings.
        clock: epoch seconds (drives refresh ahead of a known expiry).

    """
    # No scope is sent: a refresh keeps the scopes of the original consent.
    return refresh_token_auth(
        settings, token_url=settings.token_url, access_token=settings.access_token, clock=clock
    )
