"""Access tokens the Shopify emulator accepts, and the refresh grant of expiring offline tokens.

A static token (a custom app's Admin API token, which does not expire) is always accepted.
``POST /admin/oauth/access_token`` with ``grant_type=refresh_token`` issues an access token
valid for ``ttl`` (one hour on Shopify) and a *new* refresh token each time; the refresh token
just used stays valid until its replacement is first used, as Shopify has done since August
2026. Shopify's 401 does not say whether a token expired or never existed: both answer
``[API] Invalid API key or access token``.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "REFRESH_TOKEN",
    "SANDBOX_TOKEN",
    "OAuthError",
    "TokenStore",
    "fingerprint",
]

SANDBOX_TOKEN = "shpat_sandbox0000000000000000000000"
CLIENT_ID = "sandbox-shopify-client-id"
CLIENT_SECRET = "shpss_sandbox_client_secret"
REFRESH_TOKEN = "shprt_sandbox_refresh_token"
SCOPES = "read_orders,read_all_orders,read_customers"


class OAuthError(Exception):
    """A refused token request (``{"error", "error_description"}``)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def fingerprint(token: str) -> str:
    """Short non-reversible label of a token, safe for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


class TokenStore:
    """Validates access tokens and answers refresh grants.

    Args:
        sandbox_token: a non-expiring token (custom app).
        client_id: the app's client id.
        client_secret: the app's client secret.
        refresh_token: the refresh token first issued with an expiring offline token.
        ttl: lifetime of issued access tokens.

    """

    def __init__(
        self,
        sandbox_token: str = SANDBOX_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        ttl: timedelta = timedelta(hours=1),
    ) -> None:
        self.sandbox_token = sandbox_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.ttl = ttl
        self.issued: dict[str, datetime] = {}
        self.issued_refresh_tokens: list[str] = []
        self._refresh_valid: set[str] = {refresh_token}
        self._lock = threading.Lock()

    def who(self, token: str) -> str:
        """Return the identity recorded in logs for a token."""
        kind = "static" if token == self.sandbox_token else "offline"
        return f"app:{self.client_id}/{kind}:{fingerprint(token)}"

    def valid(self, token: str | None, now: datetime) -> bool:
        """Whether ``token`` is accepted at ``now``."""
        if not token:
            return False
        if token == self.sandbox_token:
            return True
        with self._lock:
            expires = self.issued.get(token)
        return expires is not None and now < expires

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a ``refresh_token`` grant; raise :class:`OAuthError` when it is refused."""
        if form.get("grant_type") != "refresh_token":
            raise OAuthError(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            raise OAuthError(401, "invalid_client", "Client authentication failed")
        used = form.get("refresh_token", "")
        with self._lock:
            if used not in self._refresh_valid:
                raise OAuthError(400, "invalid_grant", "The refresh token is invalid or expired")
            number = len(self.issued)
            seed = f"{used}:{number}:{now.isoformat()}"
            token = "shpat_" + hashlib.sha256(f"a:{seed}".encode()).hexdigest()[:32]
            replacement = "shprt_" + hashlib.sha256(f"r:{seed}".encode()).hexdigest()[:32]
            self.issued[token] = now + self.ttl
            self.issued_refresh_tokens.append(replacement)
            # The token just used stays valid until its replacement is used (a lost answer
            # can be retried); using the replacement retires it.
            self._refresh_valid = {used, replacement}
        return {
            "access_token": token,
            "expires_in": int(self.ttl.total_seconds()),
            "refresh_token": replacement,
            "refresh_token_expires_in": 90 * 24 * 3600,
            "scope": SCOPES,
        }
