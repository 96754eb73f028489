"""The connector exception tree: one root, grouped by what the caller should do.

::

    ConnectorError
    ├── ConfigurationError            invalid settings, credentials or date windows
    ├── APIError                      the platform answered badly (platform, account, endpoint,
    │   │                             status, code, subcode; redacted message)
    │   ├── RetryableAPIError         retry later with backoff (Prefect task retries fire here)
    │   │   ├── RateLimitError        429 or the platform's own throttle error (retry_after)
    │   │   ├── ServerError           5xx
    │   │   ├── TransportError        connection reset/refused, protocol error
    │   │   │   └── RequestTimeoutError
    │   │   ├── MalformedResponseError  body is not the JSON we were promised
    │   │   └── ReportJobError        an async report job failed or timed out for good
    │   └── FatalAPIError             do not retry: fix configuration or code
    │       ├── AuthenticationError   invalid credentials (401, Meta 190)
    │       │   └── TokenExpiredError expired token (Meta 190/463); one forced refresh
    │       ├── PermissionDeniedError 403, missing scope or account access
    │       ├── NotFoundError         404, unknown object
    │       ├── VersionError          sunset or unknown API version (Meta 2635/2500)
    │       └── BadRequestError       any other 4xx
    ├── PaginationError               the API repeated a cursor or sent an unusable page
    └── CircuitOpenError              too many exhausted retries for this account: fail fast

httpx errors are translated into this tree in exactly one place
(``connectors._base.BaseConnector._send``); nothing above ``connectors/`` sees httpx.
Every message is passed through :func:`connectors._redact.redact`, so no token, secret or
``access_token`` query parameter can leak through an exception's text or repr.

``PermissionDeniedError`` and ``RequestTimeoutError`` are named so as not to shadow the
builtins ``PermissionError`` and ``TimeoutError``.
"""

from __future__ import annotations

from typing import ClassVar

from connectors._redact import redact

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "CircuitOpenError",
    "ConfigurationError",
    "ConnectorError",
    "FatalAPIError",
    "MalformedResponseError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReportJobError",
    "RequestTimeoutError",
    "RetryableAPIError",
    "ServerError",
    "TokenExpiredError",
    "TransportError",
    "VersionError",
    "is_retryable",
]


class ConnectorError(Exception):
    """Root of every error raised by ``connectors``.

    Attributes:
        retryable: whether a later attempt (e.g. a Prefect task retry) may succeed.

    """

    retryable: ClassVar[bool] = False

    def __init__(self, message: str) -> None:
        self.message = redact(message)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(ConnectorError):
    """Missing or invalid settings, credentials or date windows."""


class APIError(ConnectorError):
    """The platform answered with an error, or did not answer usefully.

    Attributes:
        platform: platform name, e.g. ``meta_ads``.
        account: the account the call was made for, if any.
        endpoint: request path without the query string.
        status: HTTP status, ``None`` when no response arrived.
        code: the platform's error code (Meta ``error.code``, Google's RPC status), if any.
        subcode: the platform's error subcode, if any.
        attempts: how many attempts were made before this error was raised.

    """

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        account: str | None = None,
        endpoint: str | None = None,
        status: int | None = None,
        code: int | str | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.account = account
        self.endpoint = redact(endpoint) if endpoint is not None else None
        self.status = status
        self.code = code
        self.subcode = subcode
        self.attempts = 1

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                self.platform or None,
                f"account={self.account}" if self.account else None,
                self.endpoint,
                f"status={self.status}" if self.status is not None else None,
                f"code={self.code}" if self.code is not None else None,
                f"subcode={self.subcode}" if self.subcode is not None else None,
            )
            if part
        )
        return f"{self.message} [{where}]" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class RetryableAPIError(APIError):
    """A transient failure: the same request may succeed later."""

    retryable = True


class RateLimitError(RetryableAPIError):
    """The platform asked us to slow down.

    Attributes:
        retry_after: seconds the platform asked us to wait, if it said.

    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        platform: str = "",
        account: str | None = None,
        endpoint: str | None = None,
        status: int | None = None,
        code: int | str | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(
            message,
            platform=platform,
            account=account,
            endpoint=endpoint,
            status=status,
            code=code,
            subcode=subcode,
        )
        self.retry_after = retry_after


class ServerError(RetryableAPIError):
    """The platform failed (HTTP 5xx)."""


class TransportError(RetryableAPIError):
    """No usable HTTP response: connection refused or reset, protocol error."""


class RequestTimeoutError(TransportError):
    """Connect, read, write or pool timeout."""


class MalformedResponseError(RetryableAPIError):
    """The body is not valid JSON or not the shape the endpoint promises."""


class ReportJobError(RetryableAPIError):
    """An asynchronous report job failed or did not finish in time, after our own retries."""


class FatalAPIError(APIError):
    """A failure that retrying will not fix."""


class AuthenticationError(FatalAPIError):
    """The credentials were rejected."""


class TokenExpiredError(AuthenticationError):
    """The access token expired; the connector forces one refresh and retries once."""


class PermissionDeniedError(FatalAPIError):
    """The credentials are valid but lack a scope or access to the object."""


class NotFoundError(FatalAPIError):
    """The object does not exist (or is not visible)."""


class VersionError(FatalAPIError):
    """The API version is sunset or unknown."""


class BadRequestError(FatalAPIError):
    """Any other client error (invalid parameter, unsupported field...)."""


class PaginationError(ConnectorError):
    """The API repeated a cursor (a loop) or sent a page we cannot follow."""


class CircuitOpenError(ConnectorError):
    """The circuit breaker for (platform, account) is open: calls fail fast until it resets.

    Attributes:
        retry_after: seconds until the breaker lets a trial call through.

    """

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_retryable(exc: BaseException) -> bool:
    """Tell whether a later attempt may succeed; usable as a Prefect ``retry_condition_fn``.

    Args:
        exc: any exception.

    Returns:
        True for :class:`RetryableAPIError` and :class:`CircuitOpenError`, else False.

    """
    return isinstance(exc, ConnectorError) and exc.retryable
