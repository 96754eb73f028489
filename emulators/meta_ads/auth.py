"""Access tokens the Meta emulator accepts: a sandbox token plus the ones it issued.

Issued tokens come from the ``fb_exchange_token`` grant and expire after ``ttl``
(measured on the market clock, so tests can move time forward). ``appsecret_proof`` is
verified when the request carries one and an app secret is configured.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from emulators.meta_ads.errors import GraphError, bad_proof, expired_token, invalid_token
from emulators.tokens import TokenStore as _TokenStore

SANDBOX_TOKEN = "EAAB-sandbox-token"
APP_ID = "100000000000001"
APP_SECRET = "sandbox-app-secret"


def appsecret_proof(token: str, secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret (hex), as Graph expects."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


class TokenStore(_TokenStore):
    """Validates tokens and issues long-lived ones."""

    def __init__(
        self,
        sandbox_token: str = SANDBOX_TOKEN,
        app_id: str = APP_ID,
        app_secret: str | None = APP_SECRET,
        ttl: timedelta = timedelta(days=60),
    ) -> None:
        super().__init__(sandbox_token, ttl, client_id=app_id, owner=f"app:{app_id}/")
        self.app_id = app_id
        self.app_secret = app_secret

    def check(self, token: str, now: datetime, proof: str | None = None) -> None:
        """Raise a ``GraphError`` unless ``token`` is valid at ``now``."""
        state = self.state(token, now)
        if state == "invalid":
            raise invalid_token()
        if state == "expired":
            expires = self.expiry(token) or now
            raise expired_token(expires.strftime("%A, %d-%b-%y %H:%M:%S %Z"))
        if proof is not None and self.app_secret is not None:
            expected = appsecret_proof(token, self.app_secret)
            if not hmac.compare_digest(proof, expected):
                raise bad_proof()

    def exchange(
        self, client_id: str, client_secret: str, token: str, now: datetime
    ) -> tuple[str, int]:
        """Trade a valid token for a new long-lived one; return (token, expires_in s)."""
        if client_id != self.app_id:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        if self.app_secret is not None and client_secret != self.app_secret:
            raise GraphError(1, "Error validating client secret.")
        self.check(token, now)
        return self.issue("EAAN", 48, now, basis=token), self.expires_in
