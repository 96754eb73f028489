"""BaseConnector: one httpx.Client and the request loop every platform shares.

One attempt of :meth:`BaseConnector.request`::

    rate limiter acquire  ->  circuit breaker check (first attempt)  ->  send
    ->  httpx errors translated here, once (:meth:`BaseConnector._send`)
    ->  throttle_headroom(response) feeds the adaptive limiter
    ->  validate_response(response) CLASSIFIES: return, or raise retryable / fatal
    ->  JSON decode (MalformedResponseError)  ->  record the attempt (CallRecorder)

Classification is one ladder for every platform (:meth:`BaseConnector.validate_response`).
A platform's ``classify`` hook reads its error body into an :class:`ErrorAnswer` (message,
codes, what its error name means); the ladder then takes the class the platform's own codes
decided, else the first of these steps that the HTTP status or the platform's
:class:`Failure` names::

    429 / THROTTLED        -> RateLimitError (retry_after hook)
    5xx / UNAVAILABLE      -> ServerError
    401 / UNAUTHENTICATED  -> AuthenticationError (TokenExpiredError when the answer says so)
    403 / DENIED           -> PermissionDeniedError
    404 / NOT_FOUND        -> NotFoundError
    any other 4xx          -> BadRequestError

Only :class:`~connectors.errors.RetryableAPIError` is retried: exponential backoff with full
jitter (:class:`~connectors.retry.RetryPolicy`), at least as long as the platform asked
(``retry_after`` hook: Retry-After, or the platform's own throttle hints), capped in attempts
*and* total time. :class:`~connectors.errors.TokenExpiredError` forces one token refresh and
one more attempt. A request whose retries are exhausted counts as one failure for the
(platform, account) circuit breaker.

Pagination is one loop too (:meth:`BaseConnector.paginate`): a platform brings its paginator
(:mod:`connectors.pagination`) and, where its pages are not a plain list under one key, a
``records`` reader.

Subclasses override hooks, never the loops: ``classify``, ``check_answer``,
``throttle_headroom``, ``retry_after``, ``parse_json``, ``request_body``. ``sleep`` and
``clock`` are injectable so tests never sleep.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, ClassVar

import httpx

from connectors._redact import install_log_redaction, redact, redact_url
from connectors.auth import GENERATION_EXTENSION, RefreshableAuth
from connectors.calllog import ApiCall, CallRecorder
from connectors.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConnectorError,
    MalformedResponseError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    RetryableAPIError,
    ServerError,
    TokenExpiredError,
    TransportError,
)
from connectors.pagination import PageRequest, Paginator, SinglePagePaginator
from connectors.ratelimit import CircuitBreaker, KeyedPool, TokenBucket
from connectors.retry import RetryPolicy

__all__ = [
    "ApiResponse",
    "BaseConnector",
    "ErrorAnswer",
    "Failure",
    "Page",
    "json_or_none",
    "utcnow",
]

logger = logging.getLogger("connectors")


def utcnow() -> datetime:
    """Return the current UTC time (timezone-aware)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ApiResponse:
    """A classified, decoded answer.

    Attributes:
        payload: the decoded JSON body.
        status: HTTP status.
        headers: response headers.
        throttle_headroom: remaining quota share reported by the platform, if any.
        attempts: attempts it took.
        response: the raw response (for header-driven paginators; stays in ``connectors``).

    """

    payload: Any
    status: int
    headers: Mapping[str, str]
    throttle_headroom: float | None
    attempts: int
    response: httpx.Response


class Failure(Enum):
    """What a platform's own error name means, as a step of the shared ladder.

    Google's ``RESOURCE_EXHAUSTED`` is THROTTLED whatever the HTTP status it came with.
    """

    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    UNAUTHENTICATED = "unauthenticated"
    DENIED = "denied"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ErrorAnswer:
    """An error answer as the platform's ``classify`` hook read it.

    Attributes:
        message: the text of the error raised for it.
        error: the class the platform's own codes decide before the ladder (Meta's token
            and throttle codes); None lets the ladder decide.
        failure: what the platform's error name means on the ladder, if it names one.
        expired: the answer says the access token expired; the 401 step then raises
            TokenExpiredError (one forced refresh) instead of AuthenticationError.
        code: the platform's error code, carried by the error (``APIError.code``).
        subcode: its subcode.
        notes: text added to the message when the ladder picks that class (a hint that
            only makes sense for, say, a 404).

    """

    message: str
    error: type[APIError] | None = None
    failure: Failure | None = None
    expired: bool = False
    code: int | str | None = None
    subcode: int | None = None
    notes: Mapping[type[APIError], str] = field(default_factory=dict)


def json_or_none(response: httpx.Response) -> Any:
    """Return the decoded body, or None when it is not JSON (error bodies often are not)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _ladder(status: int, answer: ErrorAnswer) -> type[APIError]:
    failure = answer.failure
    if status == 429 or failure is Failure.THROTTLED:
        return RateLimitError
    if status >= 500 or failure is Failure.UNAVAILABLE:
        return ServerError
    if status == 401 or failure is Failure.UNAUTHENTICATED:
        return TokenExpiredError if answer.expired else AuthenticationError
    if status == 403 or failure is Failure.DENIED:
        return PermissionDeniedError
    if status == 404 or failure is Failure.NOT_FOUND:
        return NotFoundError
    return BadRequestError


@dataclass(frozen=True)
class Page:
    """One page of a paginated read.

    Attributes:
        records: the page's raw records.
        number: 1-based page number.
        payload: the whole decoded body.

    """

    records: list[Any]
    number: int
    payload: Any


class BaseConnector:
    """Shared HTTP machinery for every platform connector.

    Args:
        base_url: scheme and host of the API (paths are relative to it).
        auth: an httpx auth object (see :mod:`connectors.auth`).
        retry_policy: retry timing.
        timeout: httpx timeout.
        requests_per_second: client-side rate per account.
        burst: requests allowed back to back.
        headroom_threshold: headroom below which the limiter slows down.
        breaker_failure_threshold: exhausted requests in a row that open the breaker.
        breaker_reset_timeout: seconds the breaker stays open.
        transport: injected transport (emulator, loopback, or ``None`` for the network).
        recorder: where every attempt is recorded (a fresh one by default).
        sleep: blocking wait.
        clock: current UTC time.
        headers: extra default headers.
        rng: random source for jitter.
        rate_limiters: a shared account -> bucket pool (to share quota across connectors).
        breakers: a shared account -> breaker pool.

    """

    platform: ClassVar[str] = ""
    max_pages: ClassVar[int] = 10_000
    records_key: ClassVar[str] = "data"  # where pages() finds a page's records

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None = None,
        retry_policy: RetryPolicy | None = None,
        timeout: httpx.Timeout | float = 30.0,
        requests_per_second: float = 10.0,
        burst: int = 1,
        headroom_threshold: float = 0.2,
        breaker_failure_threshold: int = 5,
        breaker_reset_timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        recorder: CallRecorder | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
        headers: Mapping[str, str] | None = None,
        rng: random.Random | None = None,
        rate_limiters: KeyedPool[str, TokenBucket] | None = None,
        breakers: KeyedPool[str, CircuitBreaker] | None = None,
    ) -> None:
        install_log_redaction()
        self.base_url = httpx.URL(base_url.rstrip("/"))
        self.retry_policy = retry_policy or RetryPolicy()
        self.recorder = recorder if recorder is not None else CallRecorder()
        self._auth = auth
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=timeout,
            transport=transport if transport is not None else httpx.HTTPTransport(retries=2),
            headers=dict(headers or {}),
            follow_redirects=False,
        )
        self.rate_limiters: KeyedPool[str, TokenBucket] = rate_limiters or KeyedPool(
            lambda _key: TokenBucket(
                requests_per_second,
                burst=burst,
                threshold=headroom_threshold,
                clock=self._monotonic,
                sleep=self._sleep,
            )
        )
        self.breakers: KeyedPool[str, CircuitBreaker] = breakers or KeyedPool(
            lambda key: CircuitBreaker(
                f"{self.platform}:{key or '-'}",
                failure_threshold=breaker_failure_threshold,
                reset_timeout=breaker_reset_timeout,
                clock=self._monotonic,
            )
        )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def __enter__(self) -> BaseConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r})"

    def _monotonic(self) -> float:
        return self._clock().timestamp()

    def now(self) -> datetime:
        """Return the connector's clock (aware UTC; tests and the emulators inject it)."""
        return self._clock()

    # ------------------------------------------------------------------ hooks

    def validate_response(
        self, response: httpx.Response, *, account: str | None, endpoint: str
    ) -> None:
        """Classify a response: return for success, raise a retryable or fatal error.

        A success (< 400) goes to :meth:`check_answer`. An error answer is read by
        :meth:`classify`, then raised as the class the platform's codes decided, else as
        the ladder's (module docstring), with the answer's message, codes and
        ``retry_after`` for a throttle.

        Args:
            response: the response (body read).
            account: the account of the call.
            endpoint: redacted path of the call.

        """
        status = response.status_code
        if status < 400:
            self.check_answer(response, account=account, endpoint=endpoint)
            return
        answer = self.classify(response, json_or_none(response), account=account)
        error = answer.error or _ladder(status, answer)
        context: dict[str, Any] = {
            "platform": self.platform,
            "account": account,
            "endpoint": endpoint,
            "status": status,
            "code": answer.code,
            "subcode": answer.subcode,
        }
        message = answer.message + answer.notes.get(error, "")
        if issubclass(error, RateLimitError):
            raise error(message, retry_after=self.retry_after(response, None), **context)
        raise error(message, **context)

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read an error answer (status >= 400) for the ladder.

        The default knows no error body: the message is the HTTP status line. Platforms
        read their own body: its message, codes, what its error name means, whether the
        token expired, and decide outright where their codes outrank the HTTP status.

        Args:
            response: the error response (body read).
            body: its decoded JSON, or None when it is not JSON.
            account: the account of the call (for hints in the message).

        """
        return ErrorAnswer(f"HTTP {response.status_code} {response.reason_phrase}".strip())

    def check_answer(
        self, response: httpx.Response, *, account: str | None, endpoint: str
    ) -> None:
        """Raise for an error inside a successful answer; the default finds none.

        For APIs that answer errors with 200 (GraphQL ``errors``).

        Args:
            response: the successful response (body read).
            account: the account of the call.
            endpoint: redacted path of the call.

        """

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the remaining share of the platform's quota (0..1), if it says.

        The default knows no usage header and returns ``None``.
        """
        return None

    def retry_after(self, response: httpx.Response, error: APIError | None) -> float | None:
        """Return how many seconds the platform asked us to wait, if it said.

        The default reads ``Retry-After`` (seconds or an HTTP date).

        Args:
            response: the response.
            error: the classified error, if classification already happened.

        """
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self._clock()).total_seconds())

    def parse_json(self, response: httpx.Response, *, account: str | None, endpoint: str) -> Any:
        """Decode the body.

        Raises:
            MalformedResponseError: the body is not JSON.

        """
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            raise MalformedResponseError(
                f"response body is not valid JSON ({len(response.content)} bytes, "
                f"content-type {response.headers.get('content-type', '?')!r})",
                platform=self.platform,
                account=account,
                endpoint=endpoint,
                status=response.status_code,
            ) from None

    # ------------------------------------------------------------------ request loop

    def endpoint_label(self, url: str | httpx.URL) -> str:
        """Return the path of ``url`` without host or query, redacted."""
        parsed = httpx.URL(str(url))
        return redact_url(parsed.path or "/")

    def request(
        self,
        method: str,
        url: str,
        *,
        account: str | None = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        expect_key: str | None = None,
        idempotent: bool = True,
    ) -> ApiResponse:
        """Send one logical request with rate limiting, classification, retries and recording.

        Args:
            method: HTTP method.
            url: path relative to the base URL, or an absolute URL of the same origin.
            account: the account it is for (rate limiter, breaker and call log key).
            params: query parameters.
            data: form fields.
            expect_key: a key the JSON object must contain (else MalformedResponseError).
            idempotent: False for writes: then only errors where the platform did not act
                (throttles, connection failures before sending) are retried.

        Returns:
            The decoded, classified answer.

        Raises:
            FatalAPIError: a non-retryable answer.
            RetryableAPIError: retries exhausted (attempt or time cap).
            CircuitOpenError: the breaker for this account is open.

        """
        endpoint = self.endpoint_label(url)
        key = account or ""
        limiter = self.rate_limiters.get(key)
        breaker = self.breakers.get(key)
        policy = self.retry_policy
        first_started = self._monotonic()
        attempt = 0
        retries = 0
        refreshed = False
        while True:
            attempt += 1
            limiter.acquire()
            if attempt == 1:
                breaker.before_call()
            started_at = self._clock()
            t0 = time.perf_counter()
            response: httpx.Response | None = None
            headroom: float | None = None
            try:
                response = self._send(method, url, params, data, account=account, endpoint=endpoint)
                headroom = self._safe_headroom(response)
                if headroom is not None:
                    limiter.observe_headroom(headroom)
                self.validate_response(response, account=account, endpoint=endpoint)
                payload = self.parse_json(response, account=account, endpoint=endpoint)
                if expect_key is not None and (
                    not isinstance(payload, dict) or expect_key not in payload
                ):
                    raise MalformedResponseError(
                        f"response has no {expect_key!r} key",
                        platform=self.platform,
                        account=account,
                        endpoint=endpoint,
                        status=response.status_code,
                    )
            except TokenExpiredError as exc:
                exc.attempts = attempt
                self._record(
                    method, endpoint, account, response, attempt, t0, headroom, exc, started_at
                )
                auth = self._auth
                if refreshed or not isinstance(auth, RefreshableAuth) or not auth.can_refresh:
                    breaker.record_failure(exc)
                    raise
                refreshed = True
                generation = (
                    response.request.extensions.get(GENERATION_EXTENSION)
                    if response is not None
                    else None
                )
                logger.info("%s %s: access token expired, refreshing once", self.platform, endpoint)
                auth.force_refresh(generation if isinstance(generation, int) else None)
                continue
            except RetryableAPIError as exc:
                exc.attempts = attempt
                self._record(
                    method, endpoint, account, response, attempt, t0, headroom, exc, started_at
                )
                wait_hint = exc.retry_after if isinstance(exc, RateLimitError) else None
                if wait_hint is None and response is not None:
                    wait_hint = self.retry_after(response, exc)
                elapsed = self._monotonic() - first_started
                delay = policy.delay(retries, wait_hint, self._rng)
                may_retry = idempotent or isinstance(exc, RateLimitError)
                if not may_retry or not policy.allows(attempt, elapsed, delay):
                    logger.warning(
                        "%s %s %s gave up after %d attempts: %s",
                        self.platform,
                        method,
                        endpoint,
                        attempt,
                        exc,
                    )
                    breaker.record_failure(exc)
                    raise
                if wait_hint:
                    limiter.pause(min(wait_hint, policy.max_retry_after))
                logger.info(
                    "%s %s %s attempt %d failed (%s); retrying in %.2fs",
                    self.platform,
                    method,
                    endpoint,
                    attempt,
                    type(exc).__name__,
                    delay,
                )
                self._sleep(delay)
                retries += 1
                continue
            except APIError as exc:
                exc.attempts = attempt
                self._record(
                    method, endpoint, account, response, attempt, t0, headroom, exc, started_at
                )
                breaker.record_failure(exc)
                raise
            self._record(
                method, endpoint, account, response, attempt, t0, headroom, None, started_at
            )
            breaker.record_success()
            return ApiResponse(
                payload=payload,
                status=response.status_code,
                headers=response.headers,
                throttle_headroom=headroom,
                attempts=attempt,
                response=response,
            )

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Return the httpx arguments that carry a request's body.

        Form fields by default (Graph). JSON APIs override it (``{"json": ...}``), and may add
        per-request ``headers``; the error translation in ``_send`` stays the shared one.
        """
        return {"data": data}

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        *,
        account: str | None,
        endpoint: str,
    ) -> httpx.Response:
        """Send once; the single place where httpx exceptions become connector errors."""
        context: dict[str, Any] = {
            "platform": self.platform,
            "account": account,
            "endpoint": endpoint,
        }
        try:
            return self._client.request(
                method, url, params=dict(params) if params else None, **self.request_body(data)
            )
        except ConnectorError:
            raise  # raised inside an auth flow (e.g. a refused token refresh)
        except httpx.TimeoutException as exc:
            # ``from None``: the httpx exception's text may hold the full URL (and token).
            raise RequestTimeoutError(
                f"{method} timed out ({type(exc).__name__}: {redact(exc)})", **context
            ) from None
        except httpx.DecodingError as exc:
            raise MalformedResponseError(
                f"response could not be decoded ({redact(exc)})", **context
            ) from None
        except (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL) as exc:
            raise TransportError(
                f"{method} failed without a response ({type(exc).__name__}: {redact(exc)})",
                **context,
            ) from None

    def _safe_headroom(self, response: httpx.Response) -> float | None:
        try:
            value = self.throttle_headroom(response)
        except Exception:  # a garbled usage header must never fail a good response
            logger.debug("%s: unreadable throttle header ignored", self.platform)
            return None
        if value is None:
            return None
        return min(1.0, max(0.0, float(value)))

    def _record(
        self,
        method: str,
        endpoint: str,
        account: str | None,
        response: httpx.Response | None,
        attempt: int,
        t0: float,
        headroom: float | None,
        error: BaseException | None,
        started_at: datetime,
    ) -> None:
        self.recorder.record(
            ApiCall(
                platform=self.platform,
                account_id=account,
                endpoint=endpoint,
                method=method,
                status=response.status_code if response is not None else None,
                attempt=attempt,
                latency_ms=round((time.perf_counter() - t0) * 1000.0, 3),
                throttle_headroom=headroom,
                error=f"{type(error).__name__}: {redact(error)}" if error is not None else None,
                started_at=started_at,
            )
        )

    # ------------------------------------------------------------------ pagination

    def new_paginator(self) -> Paginator:
        """Return a fresh paginator for :meth:`pages` (one page by default)."""
        return SinglePagePaginator()

    def pages(
        self, path: str, params: Mapping[str, Any], *, account: str | None
    ) -> Iterator[Page]:
        """Yield the pages of ``GET path`` with the platform's own paginator and records key.

        Args:
            path: the first page's path.
            params: its query parameters.
            account: the account the read is for.

        """
        request = PageRequest("GET", path, dict(params))
        return self.paginate(
            request, self.new_paginator(), account=account, data_key=self.records_key
        )

    def records_at(
        self, key: str, problem: str, *, account: str | None, endpoint: str
    ) -> Callable[[ApiResponse], list[Any]]:
        """Return a ``records`` reader for bodies that leave out an empty list (Google's).

        Args:
            key: where the list sits in the body (``[]`` when absent).
            problem: the message when the body is not an object or the value not a list.
            account: the account the read is for.
            endpoint: redacted path of the read.

        """

        def read(answer: ApiResponse) -> list[Any]:
            payload = answer.payload
            found = payload.get(key, []) if isinstance(payload, dict) else None
            if not isinstance(found, list):
                raise MalformedResponseError(
                    problem,
                    platform=self.platform,
                    account=account,
                    endpoint=endpoint,
                    status=answer.status,
                )
            return found

        return read

    def paginate(
        self,
        request: PageRequest,
        paginator: Paginator,
        *,
        account: str | None = None,
        data_key: str | None = "data",
        records: Callable[[ApiResponse], list[Any]] | None = None,
    ) -> Iterator[Page]:
        """Yield pages until the paginator says stop: the one page loop of every platform.

        Each page is requested, its records read, then the paginator reads the page
        (``update_state``) and rewrites the request for the next one (``update_request``).
        Absolute next-page URLs must point at the connector's own origin: a URL taken from a
        payload is never followed elsewhere (SSRF, and our token would travel with it). The
        first page's URL is the caller's own (e.g. a second API host of the same platform).

        Args:
            request: the first page's request (mutated by the paginator).
            paginator: a fresh paginator.
            account: the account the read is for.
            data_key: a key every answer must have (checked within the request's retries);
                the records are the list under it unless ``records`` reads them.
            records: reads a page's records from its answer, for bodies that are not one
                list under ``data_key``; it raises for a page it cannot read.

        Raises:
            PaginationError: repeated cursor, foreign next URL, or too many pages.
            MalformedResponseError: a page without its list of records.

        """
        if records is None and data_key is None:
            raise ValueError("paginate needs a data_key or a records reader")
        first_url = request.url
        number = 0
        while True:
            if request.url != first_url:
                self._check_origin(request.url)
            answer = self.request(
                request.method,
                request.url,
                account=account,
                params=request.params,
                data=request.data,
                expect_key=data_key,
            )
            if records is not None:
                page = records(answer)
            elif data_key is not None:
                page = self._list_under(answer, data_key, account=account, url=request.url)
            number += 1
            paginator.update_state(answer.payload, answer.response)
            yield Page(records=page, number=number, payload=answer.payload)
            if not paginator.has_next:
                return
            if number >= self.max_pages:
                raise PaginationError(f"more than {self.max_pages} pages; refusing to continue")
            paginator.update_request(request)

    def _list_under(
        self, answer: ApiResponse, key: str, *, account: str | None, url: str
    ) -> list[Any]:
        found = answer.payload[key]
        if not isinstance(found, list):
            raise MalformedResponseError(
                f"{key!r} is not a list",
                platform=self.platform,
                account=account,
                endpoint=self.endpoint_label(url),
                status=answer.status,
            )
        return found

    def _check_origin(self, url: str) -> None:
        parsed = httpx.URL(url)
        if not parsed.is_absolute_url:
            return
        same = (
            parsed.scheme == self.base_url.scheme
            and parsed.host == self.base_url.host
            and parsed.port == self.base_url.port
        )
        if not same:
            raise PaginationError(
                f"refusing to follow a next-page URL to another origin ({redact_url(url)})"
            )
