"""Access tokens the LinkedIn emulator accepts: a sandbox token plus the ones it issued.

``POST /oauth/v2/accessToken`` with ``grant_type=refresh_token`` issues a new access token
(``ttl``, on the market clock) and returns the same refresh token, as LinkedIn does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulators.linkedin_ads.errors import expired_token, invalid_token
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

SANDBOX_TOKEN = "AQV-linkedin-sandbox-token"
CLIENT_ID = "86sandboxclient"
CLIENT_SECRET = "linkedin-sandbox-client-secret"
REFRESH_TOKEN = "AQX-linkedin-sandbox-refresh-token"

_REFUSALS = Refusals(refresh_token=("invalid_request", "The provided refresh token is invalid"))


class TokenStore(_TokenStore):
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
        super().__init__(
            sandbox_token, ttl, client_id=client_id, client_secret=client_secret,
            refresh_token=refresh_token, owner=f"app:{client_id}/",
        )
        self.refresh_ttl = refresh_ttl

    def check(self, token: str, now: datetime) -> None:
        """Raise a ``LinkedInError`` (401) unless ``token`` is valid at ``now``."""
        state = self.state(token, now)
        if state != "valid":
            raise expired_token() if state == "expired" else invalid_token()

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a ``refresh_token`` grant; raise ``OAuthError`` when it is refused."""
        problem = self.refusal(form)
        if problem is not None:
            raise _REFUSALS.error(problem)
        return {
            "access_token": self.issue("AQV", 60, now, basis=self.refresh_token),
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "refresh_token_expires_in": int(self.refresh_ttl.total_seconds()),
            "scope": "r_ads,r_ads_reporting,rw_ads",
        }
