"""OAuth2 and developer-token credentials the Google Ads emulator accepts.

``POST /token`` (any host: in process the connector's token URL may keep Google's host) takes
the ``refresh_token`` grant and issues access tokens that expire after ``ttl`` on the market
clock; a sandbox access token never expires (a sandbox can run without a refresh). The GA4 and
Data Manager emulators accept the same kind of client and answer their token endpoint with
:func:`token_reply`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx

from emulators._base import Reply
from emulators.tokens import OAuthError, Refusals, fingerprint
from emulators.tokens import TokenStore as _TokenStore

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DEVELOPER_TOKEN",
    "REFRESH_TOKEN",
    "SANDBOX_ACCESS_TOKEN",
    "TokenError",
    "TokenStore",
    "fingerprint",
    "token_reply",
]

SANDBOX_ACCESS_TOKEN = "ya29.sandbox-access-token"
CLIENT_ID = "000000000000-sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-client-secret"
REFRESH_TOKEN = "1//sandbox-refresh-token"
DEVELOPER_TOKEN = "sandbox-developer-token"

TokenError = OAuthError
"""A refusal of Google's token endpoint (the shared OAuth 2 error)."""

_REFUSALS = Refusals(
    grant_type="Invalid grant_type.",
    client="The OAuth client was not found.",
    refresh_token=("invalid_grant", "Bad Request"),
)


class TokenStore(_TokenStore):
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
        super().__init__(
            sandbox_access_token, ttl, client_id=client_id, client_secret=client_secret,
            refresh_token=refresh_token, owner=f"oauth:{client_id.split('-')[0]}/",
        )
        self.developer_token = developer_token

    def grant(self, form: dict[str, str], now: datetime) -> tuple[str, int]:
        """Answer a token request; return (access token, expires_in seconds).

        Raises:
            TokenError: unsupported grant, wrong client or refresh token.

        """
        problem = self.refusal(form)
        if problem is not None:
            raise _REFUSALS.error(problem)
        return self.issue("ya29.", 40, now), self.expires_in


def token_reply(
    tokens: TokenStore, request: httpx.Request, now: datetime, *, scope: str,
    content_type: str = "application/json; charset=utf-8",
) -> Reply:
    """Answer ``POST /token`` (form-encoded ``refresh_token`` grant) for ``scope``."""
    form = dict(parse_qsl(request.content.decode("utf-8", "replace"), keep_blank_values=True))
    headers = {"content-type": content_type}
    try:
        token, expires_in = tokens.grant(form, now)
    except TokenError as err:
        return Reply(httpx.Response(err.status, headers=headers, json=err.body()))
    body: dict[str, Any] = {
        "access_token": token, "expires_in": expires_in, "token_type": "Bearer", "scope": scope,
    }
    return Reply(httpx.Response(200, headers=headers, json=body), who=tokens.who(token))
