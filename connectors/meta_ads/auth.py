"""Meta token auth: ``access_token`` query parameter, ``fb_exchange_token`` refresh.

With an app id and secret, an expired (or soon expiring) token is exchanged through
``GET /{version}/oauth/access_token?grant_type=fb_exchange_token`` for a long-lived one.
``appsecret_proof = HMAC-SHA256(app_secret, access_token)`` is added to every call when the
app secret is known, as Meta recommends.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from connectors.auth import RefreshableAuth

__all__ = ["MetaTokenAuth"]


class MetaTokenAuth(RefreshableAuth):
    """The Graph API's token handling.

    Args:
        access_token: the current token.
        token_url: absolute URL of ``/{version}/oauth/access_token``.
        app_id: the app id (needed for the exchange).
        app_secret: the app secret (exchange and ``appsecret_proof``).
        appsecret_proof: add ``appsecret_proof`` to calls when the secret is known.
        expires_at: epoch seconds at which ``access_token`` expires, if known.
        skew_seconds: refresh this long before a known expiry.
        clock: epoch seconds.

    """

    def __init__(
        self,
        *,
        access_token: SecretStr,
        token_url: str,
        app_id: str | None = None,
        app_secret: SecretStr | None = None,
        appsecret_proof: bool = True,
        expires_at: float | None = None,
        skew_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            access_token=access_token, expires_at=expires_at, skew_seconds=skew_seconds, clock=clock
        )
        self.token_url = token_url
        self.app_id = app_id
        self._app_secret = app_secret
        self.appsecret_proof = appsecret_proof and app_secret is not None

    @property
    def can_refresh(self) -> bool:
        """True when an app id and secret allow a token exchange."""
        return self.app_id is not None and self._app_secret is not None

    def needs_refresh(self) -> bool:
        """Refresh only when an exchange is possible (else use the token until it fails)."""
        return self.can_refresh and super().needs_refresh()

    def build_refresh_request(self) -> httpx.Request:
        """Build the ``fb_exchange_token`` request for the current token."""
        if self._app_secret is None or self.app_id is None or self._access_token is None:
            # Reached only if forced without app credentials; the connector prevents it.
            raise RuntimeError("token exchange needs app_id, app_secret and a token")
        params = {
            "grant_type": "fb_exchange_token",
            "client_id": self.app_id,
            "client_secret": self._app_secret.get_secret_value(),
            "fb_exchange_token": self._access_token.get_secret_value(),
        }
        return httpx.Request("GET", self.token_url, params=params)

    def sign(self, request: httpx.Request, token: str) -> None:
        """Set ``access_token`` (and ``appsecret_proof``) on the query string."""
        url = request.url.copy_set_param("access_token", token)
        if self.appsecret_proof and self._app_secret is not None:
            proof = hmac.new(
                self._app_secret.get_secret_value().encode(), token.encode(), hashlib.sha256
            ).hexdigest()
            url = url.copy_set_param("appsecret_proof", proof)
        request.url = url
