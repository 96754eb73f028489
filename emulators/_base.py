"""The emulator base: a stateful ``httpx.Request -> httpx.Response`` callable.

An emulator is served in process through ``transport()`` (``httpx.MockTransport`` works
for sync and async clients) or on loopback through ``emulators.serve``. Both paths call
``respond()``, which returns a ``Reply``: the response plus an optional delay that the
loopback server sleeps before answering (the ``timeout`` fault); in process ``handle()``
raises ``httpx.ReadTimeout`` instead. Every request lands in ``request_log`` and every
state change in ``mutation_log``, both thread-safe.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

import httpx

from emulators.entities import LAYOUTS
from emulators.faults import FaultConfig, FaultInjector
from emulators.market import Market
from emulators.quota import QuotaConfig, QuotaTracker

H = TypeVar("H")

# Credentials any platform sends as query or form fields (OAuth grants included).
_SECRET_PARAMS = frozenset(
    {"access_token", "client_secret", "refresh_token", "code", "fb_exchange_token",
     "appsecret_proof"}
)


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the emulator saw it (secrets redacted)."""

    at: datetime
    method: str
    path: str
    params: dict[str, str]
    status: int
    who: str | None = None
    account_id: str | None = None
    fault: str | None = None


@dataclass(frozen=True)
class Mutation:
    """One accepted state change: who changed which field of which entity, and how.

    ``entity_type``, ``entity_id``, ``field``, ``before`` and ``after`` are what the
    platform's API calls them (Meta ``daily_budget`` in minor units, Google
    ``amount_micros``, LinkedIn ``dailyBudget`` as a decimal string). The rest is the same
    change in the market's own terms, identical across platforms, so a flow that writes to
    all three can be judged with one comparison: ``subject_id`` is the market entity whose
    state changed (for a Google campaign budget: the campaign), ``attribute`` is
    ``daily_budget`` or ``status``, and ``old``/``new`` are a ``Decimal`` amount in
    ``currency`` (major units) or a market status (``ACTIVE``/``PAUSED``).
    """

    at: datetime
    who: str
    platform: str
    entity_type: str
    entity_id: str
    field: str
    before: Any
    after: Any
    subject_id: str
    attribute: str
    old: Decimal | str
    new: Decimal | str
    currency: str | None = None


@dataclass
class Reply:
    """A response and the seconds a loopback server waits before sending it."""

    response: httpx.Response
    delay: float = 0.0
    fault: str | None = None
    who: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Route(Generic[H]):
    """A method and a full-match path regex mapped to a handler."""

    method: str
    pattern: re.Pattern[str]
    handler: H


@dataclass
class Router(Generic[H]):
    """Regex routes, tried in the order they were added."""

    routes: list[Route[H]] = field(default_factory=list)

    def add(self, method: str, pattern: str, handler: H) -> None:
        """Register ``handler`` for ``method`` on paths fully matching ``pattern``."""
        self.routes.append(Route(method.upper(), re.compile(pattern), handler))

    def match(self, method: str, path: str) -> tuple[H, dict[str, str]] | None:
        """Return the first handler whose route matches, with the named groups."""
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found and route.method == method.upper():
                return route.handler, found.groupdict()
        return None

    def allows(self, path: str) -> bool:
        """Whether any route (whatever its method) matches ``path``."""
        return any(r.pattern.fullmatch(path) for r in self.routes)


def request_params(request: httpx.Request) -> dict[str, str]:
    """Query parameters merged with a form-encoded or JSON body (body wins)."""
    params = dict(request.url.params.multi_items())
    body = request.content
    if not body:
        return params
    ctype = request.headers.get("content-type", "")
    if "application/json" in ctype:
        try:
            loaded = json.loads(body)
        except ValueError:
            return params
        if isinstance(loaded, dict):
            for key, value in loaded.items():
                params[key] = value if isinstance(value, str) else json.dumps(value)
        return params
    params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def redact(params: dict[str, str]) -> dict[str, str]:
    """Copy of ``params`` with credentials masked."""
    return {k: ("***" if k in _SECRET_PARAMS else v) for k, v in params.items()}


class Emulator:
    """Base of every platform emulator (subclasses implement ``dispatch``)."""

    platform: str = ""

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        # An ad platform renders its own accounts of the market; a CRM, analytics or shop
        # emulator renders the market's population, whose journeys touch every ad platform.
        advertises = self.platform in LAYOUTS
        self.market = market or Market(platforms=(self.platform,) if advertises else tuple(LAYOUTS))
        if advertises and self.platform not in self.market.platforms:
            raise ValueError(
                f"the market has no {self.platform} accounts (Market(platforms=...))"
            )
        self.faults = FaultInjector(faults)
        self.quota = QuotaTracker(quota, quota_clock) if quota_clock else QuotaTracker(quota)
        self._lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self._mutations: list[Mutation] = []

    # ------------------------------------------------------------------ serving
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (platform specific)."""
        raise NotImplementedError

    def respond(self, request: httpx.Request) -> Reply:
        """Answer one request and log it (used by both in-process and loopback serving)."""
        reply = self.dispatch(request)
        entry = LoggedRequest(
            at=self.market.now(),
            method=request.method,
            path=request.url.path,
            params=redact(request_params(request)),
            status=reply.response.status_code,
            who=reply.who,
            account_id=reply.account_id,
            fault=reply.fault,
        )
        with self._lock:
            self._requests.append(entry)
        return reply

    def handle(self, request: httpx.Request) -> httpx.Response:
        """In-process entry point; a ``timeout`` fault raises ``httpx.ReadTimeout``."""
        reply = self.respond(request)
        if reply.delay > 0:
            raise httpx.ReadTimeout("emulated read timeout", request=request)
        return reply.response

    def transport(self) -> httpx.MockTransport:
        """Return an httpx transport serving this emulator in process (sync and async)."""
        return httpx.MockTransport(self.handle)

    # --------------------------------------------------------------------- logs
    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every request received so far (a snapshot copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def mutation_log(self) -> list[Mutation]:
        """Every accepted state change so far (a snapshot copy)."""
        with self._lock:
            return list(self._mutations)

    def record_budget_change(
        self,
        who: str,
        wire: tuple[str, str, str, Any, Any],
        subject_id: str,
        minor: tuple[int, int],
    ) -> None:
        """Log a daily-budget change.

        ``wire`` is (entity_type, entity_id, field, before, after) as the platform names
        them; ``minor`` is (before, after) in the market's minor units of the account's
        currency (every market currency has two decimals).
        """
        subject = self.market.entity(self.platform, subject_id)
        account = self.market.account(self.platform, getattr(subject, "account_id", ""))
        self._log_mutation(
            who, wire, subject_id, "daily_budget",
            (Decimal(minor[0]).scaleb(-2), Decimal(minor[1]).scaleb(-2)),
            account.currency if account is not None else None,
        )

    def record_status_change(
        self, who: str, wire: tuple[str, str, str, Any, Any], subject_id: str,
        market: tuple[str, str],
    ) -> None:
        """Log a status change; ``market`` is (before, after) as market statuses."""
        self._log_mutation(who, wire, subject_id, "status", market, None)

    def _log_mutation(
        self,
        who: str,
        wire: tuple[str, str, str, Any, Any],
        subject_id: str,
        attribute: str,
        change: tuple[Decimal | str, Decimal | str],
        currency: str | None,
    ) -> None:
        entity_type, entity_id, field_name, before, after = wire
        mutation = Mutation(
            self.market.now(), who, self.platform, entity_type, entity_id, field_name,
            before, after, subject_id, attribute, change[0], change[1], currency,
        )
        with self._lock:
            self._mutations.append(mutation)
