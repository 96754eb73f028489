"""Access tokens the LinkedIn emulator accepts: a sandbox token plus the ones it issued.

``POST /oauth/v2/accessToken`` with ``grant_type=refresh_token`` issues a new access token
(``ttl``, on the market clock) and returns the same refresh token, as LinkedIn does.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta
from typing import Any

from emulators.linkedin_ads.errors import OAuthError, expired_token, invalid_token

SANDBOX_TOKEN = "AQV-linkedin-sandbox-token"
CLIENT_ID = "86sandboxclient"
CLIENT_SECRET = "linkedin-sandbox-client-secret"
REFRESH_TOKEN = "AQX-linkedin-sandbox-refresh-token"


def fingerprint(token: str) -> str:
    """Short non-reversible label of a token, safe for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


class TokenStore:
    """Validates access tokens and refreshes them."""

    def __init__(
        self,
        sandbox_token: str = SANDBOX_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        ttl: timedelta = timedelta(days=60),
        refresh_ttl: timedelta = timedelta(days=365),
    ) -> None:
        self.sandbox_token = sandbox_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.ttl = ttl
        self.refresh_ttl = refresh_ttl
        self.issued: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def who(self, token: str) -> str:
        """Return the identity recorded in logs for a token."""
        kind = "sandbox" if token == self.sandbox_token else "issued"
        return f"app:{self.client_id}/{kind}:{fingerprint(token)}"

    def check(self, token: str, now: datetime) -> None:
        """Raise a ``LinkedInError`` (401) unless ``token`` is valid at ``now``."""
        if token == self.sandbox_token:
            return
        with self._lock:
            expires = self.issued.get(token)
        if expires is None:
            raise invalid_token()
        if now >= expires:
            raise expired_token()

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a ``refresh_token`` grant; raise ``OAuthError`` when it is refused."""
        if form.get("grant_type") != "refresh_token":
            raise OAuthError(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            raise OAuthError(401, "invalid_client", "Client authentication failed")
        if form.get("refresh_token") != self.refresh_token:
            raise OAuthError(400, "invalid_request", "The provided refresh token is invalid")
        with self._lock:
            token = "AQV" + hashlib.sha256(
                f"{self.refresh_token}:{len(self.issued)}:{now.isoformat()}".encode()
            ).hexdigest()[:60]
            self.issued[token] = now + self.ttl
        return {
            "access_token": token,
            "expires_in": int(self.ttl.total_seconds()),
            "refresh_token": self.refresh_token,
            "refresh_token_expires_in": int(self.refresh_ttl.total_seconds()),
            "scope": "r_ads,r_ads_reporting,rw_ads",
        }
