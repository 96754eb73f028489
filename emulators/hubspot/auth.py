"""Tokens the HubSpot emulator accepts: a private-app token plus OAuth tokens it issued.

``POST /oauth/v1/token`` with ``grant_type=refresh_token`` (form: client id, secret and
refresh token) issues an access token living ``ttl`` on the market clock (HubSpot: 30
minutes) and returns the same refresh token, as HubSpot does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulators.hubspot.errors import HubSpotError, expired_token, invalid_token
from emulators.tokens import GrantProblem, fingerprint
from emulators.tokens import TokenStore as _TokenStore

PRIVATE_APP_TOKEN = "pat-na1-sandbox-0000-hubspot-private-app"
CLIENT_ID = "hubspot-sandbox-client-id"
CLIENT_SECRET = "hubspot-sandbox-client-secret"
REFRESH_TOKEN = "na1-hubspot-sandbox-refresh-token"

_REFUSALS: dict[GrantProblem, tuple[str, str]] = {
    "grant_type": ("BAD_GRANT_TYPE", "grant_type must be refresh_token"),
    "client_id": ("BAD_CLIENT_ID", "missing or unknown client_id"),
    "client_secret": ("BAD_CLIENT_SECRET", "missing or invalid client_secret"),
    "refresh_token": ("BAD_REFRESH_TOKEN", "missing or unknown refresh token"),
}


class OAuthError(Exception):
    """A refused token grant (``{"status": ..., "message": ...}``, HTTP 400)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TokenStore(_TokenStore):
    """Validates bearer tokens and answers the refresh grant."""

    def __init__(
        self,
        private_app_token: str = PRIVATE_APP_TOKEN,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        refresh_token: str = REFRESH_TOKEN,
        ttl: timedelta = timedelta(minutes=30),
    ) -> None:
        super().__init__(
            private_app_token, ttl, client_id=client_id, client_secret=client_secret,
            refresh_token=refresh_token, kinds=("private-app", "oauth"),
        )

    def check(self, token: str, now: datetime) -> None:
        """Raise a 401 ``HubSpotError`` unless ``token`` is valid at ``now``."""
        state = self.state(token, now)
        if state != "valid":
            raise expired_token() if state == "expired" else invalid_token()

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a refresh grant, or raise :class:`OAuthError`."""
        problem = self.refusal(form)
        if problem is not None:
            raise OAuthError(*_REFUSALS[problem])
        return {
            "token_type": "bearer",
            "access_token": self.issue("CN", 62, now, basis=self.refresh_token),
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
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
