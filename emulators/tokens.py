"""The tokens an emulator accepts: one that never expires, plus the access tokens it issued.

Every emulator that checks bearer tokens or answers a token grant keeps them in a
:class:`TokenStore`. Each platform's ``auth`` module subclasses it with what that platform
says on the wire (which grant it takes, how its tokens look, how it refuses); the bookkeeping
is here: issued tokens expire ``ttl`` after issue on the market clock (tests move time
forward to expire them), and each is derived from a hash of its basis, its number and the
time, so the same requests give the same tokens every run.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "GrantProblem",
    "OAuthError",
    "Refusals",
    "TokenState",
    "TokenStore",
    "fingerprint",
    "mint",
]

TokenState = Literal["valid", "expired", "invalid"]
GrantProblem = Literal["grant_type", "client_id", "client_secret", "refresh_token"]


def fingerprint(token: str) -> str:
    """Short non-reversible label of a token, safe for logs."""
    return hashlib.sha256(token.encode()).hexdigest()[:10]


def mint(prefix: str, seed: str, length: int) -> str:
    """Return a token: ``prefix`` and the first ``length`` hex digits of SHA-256(``seed``)."""
    return prefix + hashlib.sha256(seed.encode()).hexdigest()[:length]


class OAuthError(Exception):
    """A refused OAuth 2 token request (answered ``{"error", "error_description"}``)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        """Return the JSON body of the refusal."""
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Refusals:
    """What a platform's OAuth 2 token endpoint says when it refuses a refresh grant.

    The codes and statuses are OAuth 2's (RFC 6749, 5.2); the texts are the platform's.
    """

    grant_type: str = "grant_type must be refresh_token"
    client: str = "Client authentication failed"
    refresh_token: tuple[str, str] = ("invalid_grant", "The refresh token is invalid or expired")

    def error(self, problem: GrantProblem) -> OAuthError:
        """Return the refusal of a grant with ``problem``."""
        if problem == "grant_type":
            return OAuthError(400, "unsupported_grant_type", self.grant_type)
        if problem == "refresh_token":
            return OAuthError(400, *self.refresh_token)
        return OAuthError(401, "invalid_client", self.client)


class TokenStore:
    """Validates access tokens: a static one, which never expires, and the ones issued.

    Args:
        static_token: the token that never expires (None: none).
        ttl: lifetime of issued access tokens.
        client_id: the OAuth client a grant must name.
        client_secret: that client's secret.
        refresh_token: the refresh token a grant must carry.
        owner: what ``who`` puts before a token's kind, e.g. ``app:<client id>/``.
        kinds: what ``who`` calls the static token and an issued one.

    """

    def __init__(
        self,
        static_token: str | None,
        ttl: timedelta,
        *,
        client_id: str = "",
        client_secret: str = "",
        refresh_token: str = "",
        owner: str = "",
        kinds: tuple[str, str] = ("sandbox", "issued"),
    ) -> None:
        self.static_token = static_token
        self.ttl = ttl
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self._owner = owner
        self._kinds = kinds
        self._issued: dict[str, datetime] = {}
        # Reentrant: a platform that issues more than a token (Shopify's rotating refresh
        # token) holds it around ``issue``.
        self._lock = threading.RLock()

    @property
    def issued(self) -> list[str]:
        """Access tokens issued so far."""
        with self._lock:
            return list(self._issued)

    @property
    def expires_in(self) -> int:
        """Seconds an issued token lives (the grant's ``expires_in``)."""
        return int(self.ttl.total_seconds())

    def who(self, token: str) -> str:
        """Return a log-safe identity for a token."""
        kind = self._kinds[0] if token == self.static_token else self._kinds[1]
        return f"{self._owner}{kind}:{fingerprint(token)}"

    def expiry(self, token: str) -> datetime | None:
        """When an issued token expires (None: not issued here)."""
        with self._lock:
            return self._issued.get(token)

    def state(self, token: str, now: datetime) -> TokenState:
        """Return ``valid``, ``expired`` or ``invalid`` (never issued) for ``token`` at ``now``."""
        if self.static_token is not None and token == self.static_token:
            return "valid"
        expires = self.expiry(token)
        if expires is None:
            return "invalid"
        return "valid" if now < expires else "expired"

    def refusal(
        self, form: Mapping[str, str], refresh_tokens: Collection[str] | None = None
    ) -> GrantProblem | None:
        """Return what is wrong with a ``refresh_token`` grant, first problem first, or None.

        ``refresh_tokens`` are the refresh tokens accepted now (default: ``refresh_token``).
        """
        if form.get("grant_type") != "refresh_token":
            return "grant_type"
        if form.get("client_id") != self.client_id:
            return "client_id"
        if form.get("client_secret") != self.client_secret:
            return "client_secret"
        accepted = (self.refresh_token,) if refresh_tokens is None else refresh_tokens
        if form.get("refresh_token") not in accepted:
            return "refresh_token"
        return None

    def issue(self, prefix: str, length: int, now: datetime, basis: str | None = None) -> str:
        """Issue an access token valid until ``now + ttl``.

        It is ``mint(prefix, "<basis>:<number>:<now>", length)``, where ``number`` counts the
        tokens issued before it (``basis`` None: no basis).
        """
        with self._lock:
            seed = f"{len(self._issued)}:{now.isoformat()}"
            token = mint(prefix, seed if basis is None else f"{basis}:{seed}", length)
            self._issued[token] = now + self.ttl
        return token
