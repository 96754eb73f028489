"""OAuth2 and developer-token credentials the Google Ads emulator accepts.

``POST /token`` (any host: in process the connector's token URL may keep Google's host) takes
the ``refresh_token`` grant and issues access tokens that expire after ``ttl`` on the market
clock; a sandbox access token never expires (a sandbox can run without a refresh).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta

SANDBOX_ACCESS_TOKEN = "ya29.sandbox-access-token"
CLIENT_ID = "000000000000-sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-client-secret"
REFRESH_TOKEN = "1//sandbox-refresh-token"
DEVELOPER_TOKEN = "sandbox-developer-token"


class TokenError(Exception):
    """An OAuth token endpoint error: ``{"error": code, "error_description": ...}``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


class TokenStore:
    """Validates access tokens and issues new ones from the refresh token.

    Args:
        sandbox_access_token: an access token that never expires (None: none).
        client_id: the OAuth client id.
        client_secret: the OAuth client secret.
        refresh_token: the refresh token of the sandbox user.
        developer_token: the developer token every call must carry.
        ttl: lifetime of issued access tokens (Google: 3599 s).

    """

    def __init__(
        self,
        sandbox_access_token: str | None = SANDBOX_ACCESS_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        developer_token: str = DEVELOPER_TOKEN,
        ttl: timedelta = timedelta(seconds=3599),
    ) -> None:
        self.sandbox_access_token = sandbox_access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.developer_token = developer_token
        self.ttl = ttl
        self._issued: dict[str, datetime] = {}
        self._lock = threading.Lock()

    @property
    def issued(self) -> list[str]:
        """Access tokens issued so far."""
        with self._lock:
            return list(self._issued)

    def who(self, token: str) -> str:
        """Return a log-safe identity for a token."""
        kind = "sandbox" if token == self.sandbox_access_token else "issued"
        return f"oauth:{self.client_id.split('-')[0]}/{kind}:{fingerprint(token)}"

    def status(self, token: str, now: datetime) -> str:
        """Return ``valid``, ``expired`` or ``invalid``."""
        if self.sandbox_access_token is not None and token == self.sandbox_access_token:
            return "valid"
        with self._lock:
            expires = self._issued.get(token)
        if expires is None:
            return "invalid"
        return "valid" if now < expires else "expired"

    def grant(self, form: dict[str, str], now: datetime) -> tuple[str, int]:
        """Answer a token request; return (access token, expires_in seconds).

        Raises:
            TokenError: unsupported grant, wrong client or refresh token.

        """
        if form.get("grant_type") != "refresh_token":
            raise TokenError(400, "unsupported_grant_type", "Invalid grant_type.")
        client = (form.get("client_id"), form.get("client_secret"))
        if client != (self.client_id, self.client_secret):
            raise TokenError(401, "invalid_client", "The OAuth client was not found.")
        if form.get("refresh_token") != self.refresh_token:
            raise TokenError(400, "invalid_grant", "Bad Request")
        with self._lock:
            token = "ya29." + hashlib.sha256(
                f"{len(self._issued)}:{now.isoformat()}".encode()
            ).hexdigest()[:40]
            self._issued[token] = now + self.ttl
        return token, int(self.ttl.total_seconds())


def fingerprint(token: str) -> str:
    """Short non-reversible label of a token, safe for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]
