"""httpx authentication classes; credentials are ``SecretStr`` and never printed.

* :class:`ApiKeyAuth` - a static key in a header or a query parameter.
* :class:`BearerTokenAuth` - ``Authorization: Bearer <token>``.
* :class:`QueryTokenAuth` - ``?access_token=<token>`` (Meta Graph API).
* :class:`RefreshableAuth` - base of tokens that expire: refreshes inside the httpx auth flow
  (the refresh request goes through the connector's own transport, so emulators and loopback
  servers see it), ahead of expiry by ``skew_seconds``, and on demand via
  :meth:`RefreshableAuth.force_refresh` after the platform said the token expired.
  One lock makes the refresh single-flight across threads.
* :class:`OAuth2RefreshTokenAuth` - the OAuth 2.0 ``refresh_token`` grant;
  :func:`refresh_token_auth` builds one from a platform's
  :class:`~connectors.http_settings.RefreshCredentials`.

Every secret is registered with :func:`connectors._redact.register_secret` so it is masked in
logs and error messages even where no pattern would catch it. These classes drive a sync
``httpx.Client``; the async flow is deliberately unsupported (a thread lock would block the
event loop).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import SecretStr

from connectors._redact import register_secret
from connectors.errors import AuthenticationError, ConfigurationError, RateLimitError, ServerError
from connectors.http_settings import RefreshCredentials

__all__ = [
    "ApiKeyAuth",
    "BearerTokenAuth",
    "OAuth2RefreshTokenAuth",
    "QueryTokenAuth",
    "RefreshableAuth",
    "TokenGrant",
    "refresh_token_auth",
]

GENERATION_EXTENSION = "connectors.token_generation"


def _secret(value: SecretStr | str) -> SecretStr:
    secret = value if isinstance(value, SecretStr) else SecretStr(value)
    register_secret(secret.get_secret_value())
    return secret


class ApiKeyAuth(httpx.Auth):
    """A static API key sent as a header or a query parameter.

    Args:
        key: the key.
        name: header or parameter name.
        location: ``"header"`` or ``"query"``.

    """

    def __init__(
        self,
        key: SecretStr | str,
        *,
        name: str = "X-API-Key",
        location: Literal["header", "query"] = "header",
    ) -> None:
        self._key = _secret(key)
        self.name = name
        self.location = location

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the key to the request."""
        if self.location == "header":
            request.headers[self.name] = self._key.get_secret_value()
        else:
            request.url = request.url.copy_set_param(self.name, self._key.get_secret_value())
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyAuth(name={self.name!r}, location={self.location!r}, key=SecretStr('**'))"


class BearerTokenAuth(httpx.Auth):
    """A static bearer token.

    Args:
        token: the token.

    """

    def __init__(self, token: SecretStr | str) -> None:
        self._token = _secret(token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Authorization header."""
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=SecretStr('**'))"


class QueryTokenAuth(httpx.Auth):
    """A static token in a query parameter (Meta: ``access_token``).

    The parameter is *set*, not appended, so a ``paging.next`` URL that already carries a
    token gets ours instead.

    Args:
        token: the token.
        param: the query parameter name.

    """

    def __init__(self, token: SecretStr | str, *, param: str = "access_token") -> None:
        self._token = _secret(token)
        self.param = param

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the token parameter."""
        request.url = request.url.copy_set_param(self.param, self._token.get_secret_value())
        yield request

    def __repr__(self) -> str:
        return f"QueryTokenAuth(param={self.param!r}, token=SecretStr('**'))"


@dataclass(frozen=True)
class TokenGrant:
    """A token endpoint's answer.

    Attributes:
        access_token: the new access token.
        expires_in: lifetime in seconds, if the platform said.
        refresh_token: a rotated refresh token, if the platform issued one.

    """

    access_token: SecretStr
    expires_in: float | None = None
    refresh_token: SecretStr | None = None


class RefreshableAuth(httpx.Auth, ABC):
    """Base for expiring tokens: refresh ahead of expiry, or when forced.

    Subclasses say how to build the refresh request, read its answer and sign a request.

    Args:
        access_token: the current token, if one is known.
        expires_at: epoch seconds at which it expires, if known; ``None`` with a token means
            "valid until the platform says otherwise".
        skew_seconds: refresh this long before ``expires_at``.
        clock: epoch seconds (injectable for tests).

    """

    requires_response_body = True

    def __init__(
        self,
        *,
        access_token: SecretStr | str | None = None,
        expires_at: float | None = None,
        skew_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._access_token = _secret(access_token) if access_token is not None else None
        self._expires_at = expires_at
        self.skew_seconds = skew_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._stale = False
        self.refresh_count = 0

    @abstractmethod
    def build_refresh_request(self) -> httpx.Request:
        """Return the request that obtains a new token."""

    @abstractmethod
    def sign(self, request: httpx.Request, token: str) -> None:
        """Put ``token`` on ``request``."""

    def parse_refresh_response(self, response: httpx.Response) -> TokenGrant:
        """Read an OAuth-style ``{access_token, expires_in, refresh_token?}`` answer.

        Args:
            response: the token endpoint's response (body already read).

        Returns:
            The grant.

        Raises:
            RateLimitError: the token endpoint throttled us (retryable).
            ServerError: the token endpoint failed (retryable).
            AuthenticationError: the refresh was refused or the answer is unusable.

        """
        status = response.status_code
        if status == 429:
            raise RateLimitError("token refresh was throttled", status=status)
        if status >= 500:
            raise ServerError("token refresh failed on the server side", status=status)
        if status >= 400:
            raise AuthenticationError(f"token refresh was refused (HTTP {status})", status=status)
        try:
            body = response.json()
            token = body["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthenticationError("token endpoint answered without an access_token") from exc
        if not isinstance(token, str) or not token:
            raise AuthenticationError("token endpoint answered with an empty access_token")
        expires_in = body.get("expires_in")
        rotated = body.get("refresh_token")
        return TokenGrant(
            access_token=_secret(token),
            expires_in=float(expires_in) if isinstance(expires_in, int | float) else None,
            refresh_token=_secret(rotated) if isinstance(rotated, str) and rotated else None,
        )

    def apply_grant(self, grant: TokenGrant) -> None:
        """Store a new grant (subclasses may also keep a rotated refresh token)."""
        self._access_token = grant.access_token
        self._expires_at = (
            self._clock() + grant.expires_in if grant.expires_in is not None else None
        )

    @property
    def can_refresh(self) -> bool:
        """True when this object is able to obtain a new token (subclasses may say no)."""
        return True

    @property
    def generation(self) -> int:
        """How many tokens this object has obtained (0 = the initial one)."""
        return self._generation

    def needs_refresh(self) -> bool:
        """Tell whether the next request must refresh first."""
        if self._stale or self._access_token is None:
            return True
        if self._expires_at is None:
            return False
        return self._clock() >= self._expires_at - self.skew_seconds

    def force_refresh(self, generation: int | None = None) -> None:
        """Mark the token stale so the next request refreshes it.

        Args:
            generation: the token generation that failed (from the request's extensions);
                when another thread already replaced that token, nothing happens.

        """
        with self._lock:
            if generation is None or generation == self._generation:
                self._stale = True

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Refresh when needed (single-flight), then sign and send the request."""
        with self._lock:
            if self.needs_refresh():
                refresh_response = yield self.build_refresh_request()
                refresh_response.read()
                grant = self.parse_refresh_response(refresh_response)
                self.apply_grant(grant)
                self._generation += 1
                self._stale = False
                self.refresh_count += 1
            token = self._access_token
            generation = self._generation
        if token is None:  # pragma: no cover - refresh above always sets it
            raise AuthenticationError("no access token available")
        request.extensions = {**request.extensions, GENERATION_EXTENSION: generation}
        self.sign(request, token.get_secret_value())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Not supported: the refresh lock is a thread lock."""
        raise NotImplementedError("RefreshableAuth supports sync httpx clients only")
        yield request  # pragma: no cover

    def __repr__(self) -> str:
        return f"{type(self).__name__}(generation={self._generation}, token=SecretStr('**'))"


class OAuth2RefreshTokenAuth(RefreshableAuth):
    """OAuth 2.0 ``refresh_token`` grant, token sent as ``Authorization: Bearer``.

    Args:
        token_url: absolute URL of the token endpoint.
        client_id: OAuth client id.
        client_secret: OAuth client secret.
        refresh_token: the long-lived refresh token (rotated when the server issues a new one).
        access_token: a current access token, if any (else refreshed on first use).
        expires_at: its expiry in epoch seconds, if known.
        scope: optional scope to request.
        skew_seconds: refresh this long before expiry.
        clock: epoch seconds.

    """

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: SecretStr | str,
        refresh_token: SecretStr | str,
        access_token: SecretStr | str | None = None,
        expires_at: float | None = None,
        scope: str | None = None,
        skew_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            access_token=access_token, expires_at=expires_at, skew_seconds=skew_seconds, clock=clock
        )
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = _secret(client_secret)
        self._refresh_token = _secret(refresh_token)
        self.scope = scope

    def build_refresh_request(self) -> httpx.Request:
        """Build the ``grant_type=refresh_token`` form POST."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token.get_secret_value(),
            "client_id": self.client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        if self.scope:
            form["scope"] = self.scope
        return httpx.Request("POST", self.token_url, data=form)

    def apply_grant(self, grant: TokenGrant) -> None:
        """Store the grant and a rotated refresh token, if any."""
        super().apply_grant(grant)
        if grant.refresh_token is not None:
            self._refresh_token = grant.refresh_token

    def sign(self, request: httpx.Request, token: str) -> None:
        """Set ``Authorization: Bearer``."""
        request.headers["Authorization"] = f"Bearer {token}"


def refresh_token_auth(
    settings: RefreshCredentials,
    *,
    token_url: str,
    access_token: SecretStr | None,
    clock: Callable[[], float],
    auth_class: type[OAuth2RefreshTokenAuth] = OAuth2RefreshTokenAuth,
) -> OAuth2RefreshTokenAuth:
    """Build the refresh-token grant of a platform's settings.

    Args:
        settings: client id, secret, refresh token, token expiry and refresh skew.
        token_url: absolute URL of the platform's token endpoint.
        access_token: the current access token, if any (else refreshed on first use).
        clock: epoch seconds (drives the refresh ahead of a known expiry).
        auth_class: the grant's class (a platform may sign requests its own way).

    Raises:
        ConfigurationError: the settings carry no refresh credentials.

    """
    if settings.client_id is None or settings.client_secret is None or (
        settings.refresh_token is None
    ):
        raise ConfigurationError("token refresh needs client_id, client_secret and refresh_token")
    return auth_class(
        token_url=token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.refresh_token,
        access_token=access_token,
        expires_at=settings.expires_at_epoch,
        skew_seconds=settings.token_refresh_skew_seconds,
        clock=clock,
    )
