"""Tokens the HubSpot emulator accepts: a private-app token plus OAuth tokens it issued.

``POST /oauth/v1/token`` with ``grant_type=refresh_token`` (form: client id, secret and
refresh token) issues an access token living ``ttl`` on the market clock (HubSpot: 30
minutes) and returns the same refresh token, as HubSpot does.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta
from typing import Any

from emulators.hubspot.errors import HubSpotError, expired_token, invalid_token

PRIVATE_APP_TOKEN = "pat-na1-sandbox-0000-hubspot-private-app"
CLIENT_ID = "hubspot-sandbox-client-id"
CLIENT_SECRET = "hubspot-sandbox-client-secret"
REFRESH_TOKEN = "na1-hubspot-sandbox-refresh-token"


def fingerprint(token: str) -> str:
    """Short non-reversible label of a token, safe for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


class OAuthError(Exception):
    """A refused token grant (``{"status": ..., "message": ...}``, HTTP 400)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TokenStore:
    """Validates bearer tokens and answers the refresh grant."""

    def __init__(
        self,
        private_app_token: str = PRIVATE_APP_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        ttl: timedelta = timedelta(minutes=30),
    ) -> None:
        self.private_app_token = private_app_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.ttl = ttl
        self.issued: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def who(self, token: str) -> str:
        """Return the identity recorded in logs for a token."""
        kind = "private-app" if token == self.private_app_token else "oauth"
        return f"{kind}:{fingerprint(token)}"

    def check(self, token: str, now: datetime) -> None:
        """Raise a 401 ``HubSpotError`` unless ``token`` is valid at ``now``."""
        if token == self.private_app_token:
            return
        with self._lock:
            expires = self.issued.get(token)
        if expires is None:
            raise invalid_token()
        if now >= expires:
            raise expired_token()

    def expire(self, error: HubSpotError | None = None) -> HubSpotError:
        """Return the expired-token error (the ``expired_token`` fault)."""
        return error or expired_token()

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a refresh grant, or raise :class:`OAuthError`."""
        if form.get("grant_type") != "refresh_token":
            raise OAuthError("BAD_GRANT_TYPE", "grant_type must be refresh_token")
        if form.get("client_id") != self.client_id:
            raise OAuthError("BAD_CLIENT_ID", "missing or unknown client_id")
        if form.get("client_secret") != self.client_secret:
            raise OAuthError("BAD_CLIENT_SECRET", "missing or invalid client_secret")
        if form.get("refresh_token") != self.refresh_token:
            raise OAuthError("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        with self._lock:
            token = "CN" + hashlib.sha256(
                f"{self.refresh_token}:{len(self.issued)}:{now.isoformat()}".encode()
            ).hexdigest()[:62]
            self.issued[token] = now + self.ttl
        return {
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": self.refresh_token,
            "expires_in": int(self.ttl.total_seconds()),
        }


__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "PRIVATE_APP_TOKEN",
    "REFRESH_TOKEN",
    "HubSpotError",
    "OAuthError",
    "TokenStore",
    "fingerprint",
]
