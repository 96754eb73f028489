"""The GA4 Data API emulator, with the Admin API reads the connector needs on the same host.

Order of checks for every request: token endpoint (no faults) -> route (version ``v1beta``)
-> access token -> property access -> injected fault -> property quota -> handler. Errors are
Google's JSON error bodies (``{"error": {code, message, status}}``).

Routes::

    POST /token                                           OAuth refresh_token grant
    POST /v1beta/properties/{id}:runReport                Data API report (offset paging)
    GET  /v1beta/properties/{id}                          Admin API property
    GET  /v1beta/properties/{id}/customDimensions         Admin API list (pageSize/pageToken)

The data is the population's sessions (``emulators.ga4.sessions``) as GA4 would process them
by the market's ``now``; reports on recent days grow as the clock moves.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router
from emulators.faults import FaultConfig
from emulators.ga4 import errors
from emulators.ga4.errors import Ga4Error
from emulators.ga4.properties import (
    DEFAULT_CUSTOM_DIMENSIONS,
    DEFAULT_PROPERTIES,
    CustomDimension,
    Ga4Property,
)
from emulators.ga4.quota import PropertyQuotaLedger, PropertyQuotaLimits, report_tokens
from emulators.ga4.report import METRIC_TYPE_NUMBERS, parse_request, run_report
from emulators.ga4.sessions import DEFAULT_HORIZON_HOURS, Ga4Session, build_sessions
from emulators.google_ads.auth import TokenStore, token_reply
from emulators.market import Market
from emulators.population import Population
from emulators.quota import QuotaConfig

__all__ = [
    "ACCESS_TOKEN",
    "CLIENT_ID",
    "CLIENT_ID_PARAMETER",
    "CLIENT_SECRET",
    "REFRESH_TOKEN",
    "Ga4Emulator",
    "ga4",
    "sandbox_tokens",
]

PLATFORM = "ga4"
VERSION = "v1beta"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
ACCESS_TOKEN = "ya29.ga4-sandbox-access-token"
CLIENT_ID = "000000000000-ga4sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "ga4-sandbox-client-secret"
REFRESH_TOKEN = "1//ga4-sandbox-refresh-token"
CLIENT_ID_PARAMETER = "ga_client_id"
ADMIN_PAGE_SIZE = 50
ADMIN_MAX_PAGE_SIZE = 200
_PROPERTY = r"/v1beta/properties/(?P<pid>[^/:]+)"


def sandbox_tokens() -> TokenStore:
    """Return the sandbox OAuth client, refresh token and never-expiring access token."""
    return TokenStore(
        sandbox_access_token=ACCESS_TOKEN,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
    )


@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    prop: Ga4Property
    who: str
    fault: str | None = None


Handler = Callable[[Call], dict[str, Any]]


class Ga4Emulator(Emulator):
    """GA4 Data API (``runReport``) and Admin API (property, custom dimensions) emulator.

    Args:
        market: the ad market whose population browses the site (default: every ad platform).
        faults: fault injection (default: none).
        quota: accepted for the registry's shared signature; GA4 counts tokens, not calls, so
            its call limits do not apply (see ``limits``).
        properties: the properties served (default: an EUR one in Berlin, a USD one in New
            York).
        population: the people to render (the sandbox shares one across the CRM, GA4 and the
            shop); default: ``Population(market, size=population_size)``.
        population_size: people in a population built here (deterministic from the seed).
        client_id_parameter: the event parameter of the registered custom dimension holding
            the GA client id (Data API name ``customEvent:<parameter>``).
        custom_dimensions: further registered custom dimensions (values ``(not set)``).
        limits: token quotas per property.
        tokens: accepted OAuth client, refresh token and access tokens.
        horizon_hours: GA4's slowest processing delay (recent days restate until then).
        quota_clock: monotonic clock of the quota windows (tests).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        properties: Sequence[Ga4Property] = DEFAULT_PROPERTIES,
        population: Population | None = None,
        population_size: int = 5_000,
        client_id_parameter: str = CLIENT_ID_PARAMETER,
        custom_dimensions: Sequence[CustomDimension] = DEFAULT_CUSTOM_DIMENSIONS,
        limits: PropertyQuotaLimits | None = None,
        tokens: TokenStore | None = None,
        horizon_hours: float = DEFAULT_HORIZON_HOURS,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        if market is None and population is not None:
            market = population.market
        super().__init__(market, faults, quota, quota_clock=quota_clock)
        if population is not None and population.market is not self.market:
            raise ValueError("the population must render the emulator's market")
        if not properties:
            raise ValueError("a GA4 emulator needs at least one property")
        if len({p.id for p in properties}) != len(properties):
            raise ValueError("property ids must be unique")
        self.properties = {p.id: p for p in properties}
        self.population = population or Population(self.market, size=population_size)
        if len(self.population):
            self.population.person(0)  # pins the population's span to the market's now
        self.client_id_dimension = f"customEvent:{client_id_parameter}"
        self.custom_dimensions = (
            CustomDimension("1100", client_id_parameter, "GA client id",
                            description="the _ga cookie's client id, sent with every event"),
            *custom_dimensions,
        )
        self.horizon_hours = horizon_hours
        self.ledger = (
            PropertyQuotaLedger(limits, quota_clock) if quota_clock else PropertyQuotaLedger(limits)
        )
        self.tokens = tokens or sandbox_tokens()
        self.router: Router[Handler] = Router()
        self.router.add("POST", _PROPERTY + r":runReport", self._run_report)
        self.router.add("GET", _PROPERTY, self._get_property)
        self.router.add("GET", _PROPERTY + r"/customDimensions", self._list_custom_dimensions)

    @cached_property
    def sessions(self) -> dict[str, list[Ga4Session]]:
        """Every session of every property (visible or not yet), ordered by start."""
        return build_sessions(self.population, tuple(self.properties.values()), self.horizon_hours)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (order of checks: see the module docstring)."""
        path = request.url.path.rstrip("/") or "/"
        if path == "/token" and request.method == "POST":
            return self._token_endpoint(request)
        found = self.router.match(request.method, path)
        try:
            if found is None:
                raise errors.not_found(path)
            who = self._authenticate(request)
        except Ga4Error as err:
            return Reply(_json(err.http_status, err.body()))
        handler, groups = found
        prop = self.properties.get(groups["pid"])
        if prop is None:
            denied = errors.no_property_access(groups["pid"])
            return Reply(
                _json(denied.http_status, denied.body()), who=who, account_id=groups["pid"]
            )
        return self._serve(handler, Call(request, prop, who), path)

    def _serve(self, handler: Handler, call: Call, path: str) -> Reply:
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        query = dict(call.request.url.params)
        if path.endswith((":runReport", "/customDimensions")):
            eligible.add(fk.BAD_RECORD)
        if path.endswith("/customDimensions") and query.get("pageToken"):
            eligible.add(fk.REPEATED_CURSOR)  # runReport pages by offset: it has no cursor
        call.fault = self.faults.draw(eligible, path)
        early = self._early_fault(call)
        if early is not None:
            if early.http_status >= 500:
                self.ledger.server_error(call.prop.id)
            return self._reply(call, _json(early.http_status, early.body()))
        is_report = path.endswith(":runReport")
        try:
            if is_report:
                self.ledger.enter(call.prop.id)
            try:
                body = handler(call)
            finally:
                if is_report:
                    self.ledger.leave(call.prop.id)
        except Ga4Error as err:
            return self._reply(call, _json(err.http_status, err.body()))
        response = _json(200, body)
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(200, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, delay)

    def _early_fault(self, call: Call) -> Ga4Error | None:
        kind = call.fault
        if kind in (fk.HTTP_429, fk.THROTTLE):
            return errors.quota_exhausted("tokens per hour")
        if kind == fk.HTTP_500:
            return errors.server_error("INTERNAL")
        if kind == fk.HTTP_503:
            return errors.server_error("UNAVAILABLE")
        if kind == fk.EXPIRED_TOKEN:
            return errors.unauthenticated("ACCESS_TOKEN_EXPIRED")
        return None

    def _authenticate(self, request: httpx.Request) -> str:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise errors.unauthenticated("CREDENTIALS_MISSING")
        token = auth[7:].strip()
        state = self.tokens.state(token, self.market.now())
        if state == "expired":
            raise errors.unauthenticated("ACCESS_TOKEN_EXPIRED")
        if state != "valid":
            raise errors.unauthenticated("ACCESS_TOKEN_TYPE_UNSUPPORTED")
        return self.tokens.who(token)

    def _reply(self, call: Call, response: httpx.Response, delay: float = 0.0) -> Reply:
        return Reply(response, delay=delay, fault=call.fault, who=call.who,
                     account_id=call.prop.id)

    def _token_endpoint(self, request: httpx.Request) -> Reply:
        return token_reply(self.tokens, request, self.market.now(), scope=SCOPE)

    # ------------------------------------------------------------------ Data API
    def _run_report(self, call: Call) -> dict[str, Any]:
        try:
            body = json.loads(call.request.content or b"{}")
        except ValueError:
            raise errors.invalid("Invalid JSON payload received.") from None
        if not isinstance(body, dict):
            raise errors.invalid("Invalid JSON payload received. Expected an object.")
        named = body.get("property")
        if named not in (None, f"properties/{call.prop.id}"):
            raise errors.invalid(f"property {named!r} does not match the URL's property")
        prop = call.prop
        now = self.market.now()
        custom = {d.api_name for d in self.custom_dimensions}
        request = parse_request(body, custom, now.astimezone(prop.tz).date())
        answer, total = run_report(
            request, self.sessions[prop.id], prop, now, self.client_id_dimension
        )
        tokens = report_tokens(request.days, total)
        self.ledger.charge(prop.id, tokens)
        if call.fault == fk.BAD_RECORD and answer.get("rows"):
            answer["rows"][len(answer["rows"]) // 2]["metricValues"][0]["value"] = "n/a"
        if "enum-encoding=int" in call.request.url.params.get("$alt", ""):
            # The GAPIC REST transports ask for enums as numbers ($alt=json;enum-encoding=int).
            for header in answer["metricHeaders"]:
                header["type"] = METRIC_TYPE_NUMBERS[header["type"]]
        if request.return_quota:
            answer["propertyQuota"] = self.ledger.status(prop.id, tokens)
            answer["kind"] = answer.pop("kind")  # keep Google's key order: kind last
        return answer

    # ------------------------------------------------------------------ Admin API
    def _get_property(self, call: Call) -> dict[str, Any]:
        prop = call.prop
        created = self.market.history_start.isoformat() + "T09:00:00.000Z"
        return {
            "name": f"properties/{prop.id}",
            "propertyType": "PROPERTY_TYPE_ORDINARY",
            "createTime": created,
            "updateTime": created,
            "parent": f"accounts/{prop.account}",
            "displayName": prop.display_name,
            "industryCategory": "SHOPPING",
            "timeZone": prop.time_zone,
            "currencyCode": prop.currency,
            "serviceLevel": "GOOGLE_ANALYTICS_STANDARD",
            "account": f"accounts/{prop.account}",
        }

    def _list_custom_dimensions(self, call: Call) -> dict[str, Any]:
        query = dict(call.request.url.params)
        try:
            size = int(query.get("pageSize") or ADMIN_PAGE_SIZE)
        except ValueError:
            raise errors.invalid("pageSize must be an integer") from None
        if size < 0:
            raise errors.invalid("pageSize must be positive")
        size = min(size or ADMIN_PAGE_SIZE, ADMIN_MAX_PAGE_SIZE)
        token = query.get("pageToken")
        offset = _decode_token(token, call.prop.id) if token else 0
        dims = self.custom_dimensions
        chunk = dims[offset : offset + size]
        items = [
            {
                "name": f"properties/{call.prop.id}/customDimensions/{d.id}",
                "parameterName": d.parameter_name,
                "displayName": d.display_name,
                "description": d.description,
                "scope": d.scope,
            }
            for d in chunk
        ]
        if call.fault == fk.BAD_RECORD and items:
            del items[len(items) // 2]["parameterName"]
        body: dict[str, Any] = {"customDimensions": items} if items else {}
        if offset + len(chunk) < len(dims):
            body["nextPageToken"] = _encode_token(offset + len(chunk), call.prop.id)
        if call.fault == fk.REPEATED_CURSOR and token:
            body["nextPageToken"] = token
        return body


def _json(status: int, body: Any) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return httpx.Response(
        status, headers={"content-type": "application/json; charset=UTF-8"}, content=content
    )


def _encode_token(offset: int, property_id: str) -> str:
    return base64.urlsafe_b64encode(f"{property_id}:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str, property_id: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, _, offset = raw.partition(":")
        if owner != property_id or not re.fullmatch(r"\d+", offset):
            raise ValueError(raw)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise errors.invalid("Invalid page token.") from None


def ga4(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> Emulator:
    """Build the GA4 emulator (options: see ``Ga4Emulator``)."""
    return Ga4Emulator(market, faults, quota, **options)

