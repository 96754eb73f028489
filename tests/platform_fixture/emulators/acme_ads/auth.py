"""Access tokens the Acme emulator accepts: a sandbox token plus the ones it issued.

``POST /oauth/token`` with ``grant_type=refresh_token`` issues a new access token (``ttl``,
on the market clock); the refresh token stays the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulators.tokens import OAuthError, Refusals, fingerprint
from emulators.tokens import TokenStore as _TokenStore

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "REFRESH_TOKEN",
    "SANDBOX_TOKEN",
    "OAuthError",
    "TokenStore",
    "fingerprint",
]

SANDBOX_TOKEN = "acme-sandbox-access-token"
CLIENT_ID = "acme-sandbox-client"
CLIENT_SECRET = "acme-sandbox-client-secret"
REFRESH_TOKEN = "acme-sandbox-refresh-token"

_REFUSALS = Refusals()


class TokenStore(_TokenStore):
    """Validates access tokens and refreshes them."""

    def __init__(
        self,
        sandbox_token: str = SANDBOX_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        ttl: timedelta = timedelta(hours=1),
    ) -> None:
        super().__init__(
            sandbox_token, ttl, client_id=client_id, client_secret=client_secret,
            refresh_token=refresh_token, owner=f"app:{client_id}/",
        )

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a ``refresh_token`` grant; raise ``OAuthError`` when it is refused."""
        problem = self.refusal(form)
        if problem is not None:
            raise _REFUSALS.error(problem)
        return {
            "access_token": self.issue("acme-at-", 32, now, basis=self.refresh_token),
            "token_type": "bearer",
            "expires_in": self.expires_in,
        }
