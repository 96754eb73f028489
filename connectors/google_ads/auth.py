"""Google Ads auth: OAuth2 refresh-token grant plus the developer-token headers.

Every call carries ``Authorization: Bearer <access token>``, ``developer-token`` and, when
the calls go through a manager account, ``login-customer-id``. Access tokens last about an
hour: they are refreshed ahead of a known expiry, and once on demand after the API answered
401 ``OAUTH_TOKEN_EXPIRED`` (the base request loop forces it).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from connectors._redact import register_secret
from connectors.auth import OAuth2RefreshTokenAuth
from connectors.google_ads import settings as C

__all__ = ["GoogleAdsAuth"]


class GoogleAdsAuth(OAuth2RefreshTokenAuth):
    """OAuth2 refresh with the Google Ads headers added to every signed request.

    Args:
        token_url: OAuth token endpoint.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: OAuth refresh token.
        developer_token: the developer token.
        login_customer_id: the manager account id, if calls go through one.
        access_token: a current access token, if any.
        expires_at: its expiry (epoch seconds), if known.
        skew_seconds: refresh this long before expiry.
        clock: epoch seconds.

    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        developer_token: SecretStr,
        login_customer_id: str | None = None,
        access_token: SecretStr | None = None,
        expires_at: float | None = None,
        skew_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            access_token=access_token,
            expires_at=expires_at,
            scope=None,  # a refresh keeps the scopes of the original consent
            skew_seconds=skew_seconds,
            clock=clock,
        )
        register_secret(developer_token.get_secret_value())
        self._developer_token = developer_token
        self.login_customer_id = login_customer_id

    def sign(self, request: httpx.Request, token: str) -> None:
        """Set the bearer token, ``developer-token`` and ``login-customer-id``."""
        super().sign(request, token)
        request.headers[C.DEVELOPER_TOKEN_HEADER] = self._developer_token.get_secret_value()
        if self.login_customer_id:
            request.headers[C.LOGIN_CUSTOMER_ID_HEADER] = self.login_customer_id
