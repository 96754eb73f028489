"""Access tokens the Shopify emulator accepts, and the refresh grant of expiring offline tokens.

A static token (a custom app's Admin API token, which does not expire) is always accepted.
``POST /admin/oauth/access_token`` with ``grant_type=refresh_token`` issues an access token
valid for ``ttl`` (one hour on Shopify) and a *new* refresh token each time; the refresh token
just used stays valid until its replacement is first used, as Shopify has done since August
2026. Shopify's 401 does not say whether a token expired or never existed: both answer
``[API] Invalid API key or access token``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from emulators.tokens import OAuthError, Refusals, fingerprint, mint
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

SANDBOX_TOKEN = "shpat_sandbox0000000000000000000000"
CLIENT_ID = "sandbox-shopify-client-id"
CLIENT_SECRET = "shpss_sandbox_client_secret"
REFRESH_TOKEN = "shprt_sandbox_refresh_token"
SCOPES = "read_orders,read_all_orders,read_customers"

_REFUSALS = Refusals()


class TokenStore(_TokenStore):
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
        super().__init__(
            sandbox_token, ttl, client_id=client_id, client_secret=client_secret,
            refresh_token=refresh_token, owner=f"app:{client_id}/", kinds=("static", "offline"),
        )
        self.issued_refresh_tokens: list[str] = []
        self._refresh_valid: set[str] = {refresh_token}

    def valid(self, token: str | None, now: datetime) -> bool:
        """Whether ``token`` is accepted at ``now``."""
        return bool(token) and self.state(token or "", now) == "valid"

    def refresh(self, form: dict[str, str], now: datetime) -> dict[str, Any]:
        """Answer a ``refresh_token`` grant; raise :class:`OAuthError` when it is refused."""
        used = form.get("refresh_token", "")
        with self._lock:
            problem = self.refusal(form, self._refresh_valid)
            if problem is not None:
                raise _REFUSALS.error(problem)
            seed = f"{used}:{len(self.issued)}:{now.isoformat()}"
            token = self.issue("shpat_", 32, now, basis=f"a:{used}")
            replacement = mint("shprt_", f"r:{seed}", 32)
            self.issued_refresh_tokens.append(replacement)
            # The token just used stays valid until its replacement is used (a lost answer
            # can be retried); using the replacement retires it.
            self._refresh_valid = {used, replacement}
        return {
            "access_token": token,
            "expires_in": self.expires_in,
            "refresh_token": replacement,
            "refresh_token_expires_in": 90 * 24 * 3600,
            "scope": SCOPES,
        }
