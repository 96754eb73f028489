"""The HubSpot CRM emulator: objects, search, batch upsert, lists, forms, OAuth, rate limits.

Routes (every CRM path also under its date-based version, e.g. ``/crm/objects/2026-03``)::

    GET  /account-info/v3/details                      portal id, time zone, currency
    GET  /crm/v3/objects/{type}[/{id}]                 basic list (``after`` cursors) / read
    POST /crm/v3/objects/{type}/search                 search (offset ``after``, 10,000 cap)
    POST /crm/v3/objects/contacts/batch/upsert         up to 100 inputs, ``idProperty=email``
    GET  /crm/v3/pipelines/deals                       the deal pipeline and its stages
    POST /crm/v4/associations/{from}/{to}/batch/read   deal -> contact, contact -> company
    POST /crm/v3/lists/search                          lists (offset paging)
    GET  /crm/v3/lists/{id}/memberships                members (``after`` cursors)
    PUT  /crm/v3/lists/{id}/memberships/add | /remove | /add-and-remove   MANUAL lists only
    GET  /marketing/v3/forms                           forms
    GET  /form-integrations/v1/submissions/forms/{guid}  submissions, newest first
    POST /oauth/v1/token                               refresh grant

Order of checks: path -> bearer token -> route -> injected fault -> rate limits -> handler.
Rate limits (per portal): a rolling ten-second burst and a daily cap, reported on every
answer in ``X-HubSpot-RateLimit-*`` headers, and the search endpoints' own per-second limit,
whose answers carry no rate headers (as on HubSpot). A throttle is HubSpot's 429 body with
``errorType: RATE_LIMIT`` and ``policyName``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router, request_params
from emulators.faults import FaultConfig
from emulators.hubspot import errors, search
from emulators.hubspot.auth import OAuthError, TokenStore
from emulators.hubspot.crm import (
    CONTACTS,
    LIFECYCLE_STAGES,
    OBJECT_TYPES,
    PIPELINE,
    Crm,
    ObjectType,
    iso,
    to_ms,
)
from emulators.hubspot.errors import HubSpotError
from emulators.market import Market
from emulators.population import Population
from emulators.quota import QuotaConfig, QuotaTracker

PLATFORM = "hubspot"
PORTAL_ID = 24681357
PORTAL_TIMEZONE = "Europe/Berlin"
SERVED_VERSIONS = ("2026-03", "2026-09")
DEFAULT_SIZE = 3_000
MAX_BATCH = 100
MAX_ASSOCIATION_BATCH = 1_000
MAX_OBJECT_PAGE = 100
MAX_MEMBERSHIP_PAGE = 250
MAX_SUBMISSION_PAGE = 50
# Professional tier: 190 calls per rolling 10 s, 1,000,000 per day; search: 5 per second.
DEFAULT_QUOTA = QuotaConfig(account_calls=190, app_calls=1_000_000, user_calls=5,
                            window_seconds=10.0)

_OBJ = (r"/crm/(?:v3/objects|objects/(?P<ver>\d{4}-\d{2}))"
        r"/(?P<type>contacts|companies|deals|0-[123])")
_LISTS = r"/crm/(?:v3/lists|lists/(?P<ver>\d{4}-\d{2}))"
_PIPES = r"/crm/(?:v3/pipelines|pipelines/(?P<ver>\d{4}-\d{2}))"
_ASSOC = r"/crm/(?:v4/associations|associations/(?P<ver>\d{4}-\d{2}))"


@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    groups: dict[str, str]
    who: str
    fault: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> httpx.QueryParams:
        """Query parameters."""
        return self.request.url.params


Handler = Callable[[Call], tuple[int, Any]]


class HubSpotEmulator(Emulator):
    """Stateful HubSpot CRM emulator over the market's population.

    Args:
        market: the ad market whose population the portal holds (default: every ad platform).
        faults: fault injection.
        quota: ``account_calls`` per ``window_seconds`` is the burst limit (HubSpot: 190 per
            10 s, policy ``TEN_SECONDLY_ROLLING``), ``app_calls`` the daily limit (``DAILY``)
            and ``user_calls`` the search limit per second (``SECONDLY``); None disables one.
        size: people in the population (contacts are those visible at the market's now).
        population: the people to render (the sandbox shares one across the CRM, GA4 and
            the shop); default ``Population(market, size=size)``.
        tokens: accepted tokens and the OAuth refresh grant.
        portal_id: the portal (account) id.
        timezone: the portal's time zone.
        bulk_import: this many contacts share one ``lastmodifieddate`` (a bulk import).
        bulk_import_at: that instant (default: two hours before now).
        versions: date-based API versions served besides the v3/v4 paths.
        quota_clock: monotonic clock for the rate-limit windows (tests).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        size: int = DEFAULT_SIZE,
        population: Population | None = None,
        tokens: TokenStore | None = None,
        portal_id: int = PORTAL_ID,
        timezone: str = PORTAL_TIMEZONE,
        bulk_import: int = 0,
        bulk_import_at: datetime | None = None,
        versions: tuple[str, ...] = SERVED_VERSIONS,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        if market is None and population is not None:
            market = population.market
        super().__init__(market, faults, quota or DEFAULT_QUOTA, quota_clock=quota_clock)
        if population is not None and population.market is not self.market:
            raise ValueError("the population must render the emulator's market")
        self.population = population or Population(self.market, size=size)
        self.tokens = tokens or TokenStore()
        self.portal_id = portal_id
        self.timezone = timezone
        self.versions = versions
        self._bulk = (bulk_import, bulk_import_at)
        self._crm: Crm | None = None
        self._crm_lock = threading.Lock()
        clock = quota_clock or time.monotonic
        # One tracker per window length: burst (quota.window_seconds), search (1 s), daily.
        self._search_quota = QuotaTracker(QuotaConfig(window_seconds=1.0), clock)
        self._daily_quota = QuotaTracker(QuotaConfig(window_seconds=86_400.0), clock)
        self._correlation = 0
        self.router: Router[Handler] = Router()
        r = self.router.add
        r("GET", r"/account-info/v3/details", self._account_info)
        r("POST", _OBJ + r"/search", self._search)
        r("POST", _OBJ + r"/batch/upsert", self._batch_upsert)
        r("POST", _OBJ + r"/batch/read", self._batch_read)
        r("GET", _OBJ, self._list_objects)
        r("GET", _OBJ + r"/(?P<id>[^/]+)", self._get_object)
        r("GET", _PIPES + r"/(?P<type>deals|0-3)", self._pipelines)
        r("POST", _ASSOC + r"/(?P<from>\w+)/(?P<to>\w+)/batch/read", self._associations)
        r("POST", _LISTS + r"/search", self._search_lists)
        r("GET", _LISTS + r"/(?P<list>\d+)", self._get_list)
        r("GET", _LISTS + r"/(?P<list>\d+)/memberships", self._memberships)
        r("PUT", _LISTS + r"/(?P<list>\d+)/memberships/(?P<op>add|remove|add-and-remove)",
          self._change_memberships)
        r("GET", r"/marketing/v3/forms", self._forms)
        r("GET", r"/form-integrations/v1/submissions/forms/(?P<form>[0-9a-f-]+)",
          self._submissions)

    # ------------------------------------------------------------------ state
    @property
    def crm(self) -> Crm:
        """The portal's records (built on first use)."""
        with self._crm_lock:
            if self._crm is None:
                size, at = self._bulk
                self._crm = Crm(self.population, self.market.now(), bulk_import=size,
                                bulk_import_at=at, timezone=self.timezone)
            return self._crm

    def record_property_change(self, who: str, object_type: str, record_id: int,
                               prop: str, before: str | None, after: str | None) -> None:
        """Log one accepted property change of a CRM record in the mutation log."""
        wire = (object_type.rstrip("s"), str(record_id), prop, before, after)
        self._log_mutation(who, wire, str(record_id), prop, (before or "", after or ""), None)

    # ------------------------------------------------------------------ serving
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (see the module docstring for the order of checks)."""
        path = request.url.path.rstrip("/") or "/"
        if path == "/oauth/v1/token":
            return self._token_endpoint(request)
        found = self.router.match(request.method, path)
        if found is None and not self.router.allows(path):
            return self._error(errors.not_found(path))
        try:
            token = _bearer(request)
            self.tokens.check(token, self.market.now())
        except HubSpotError as err:
            return self._error(err)
        who = self.tokens.who(token)
        if found is None:
            return Reply(self._error(errors.method_not_allowed(request.method, path)).response,
                         who=who)
        handler, groups = found
        version = groups.get("ver")
        if version and version not in self.versions:
            return Reply(self._error(errors.unsupported_version(version, self.versions)).response,
                         who=who)
        call = Call(request, groups, who)
        return self._serve(handler, call, path)

    def _serve(self, handler: Handler, call: Call, path: str) -> Reply:
        is_search = path.endswith("/search") and "/lists" not in path
        listing = is_search or (call.request.method == "GET" and (
            path.endswith(("/memberships", "/forms", "/contacts", "/companies", "/deals"))
            or "/submissions/forms/" in path)) or path.endswith("/lists/search")
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if listing:
            eligible.add(fk.BAD_RECORD)
            if self._is_follow_up(call, path):
                eligible.add(fk.REPEATED_CURSOR)
        call.fault = self.faults.draw(eligible, path)
        early = self._early_fault(call, is_search)
        if early is not None:
            return early
        policy = self._admit(is_search)
        if policy is not None:
            return self._throttled(call, policy, is_search)
        try:
            status, body = handler(call)
        except HubSpotError as err:
            return self._reply(call, self._error(err).response, is_search)
        if call.fault == fk.BAD_RECORD:
            _corrupt(body)
        response = _json(status, body)
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(status, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, is_search, delay)

    def _is_follow_up(self, call: Call, path: str) -> bool:
        if call.request.method == "GET":
            return bool(call.params.get("after"))
        params = request_params(call.request)
        return params.get("after") not in (None, "", "0") or params.get("offset") not in (
            None, "", "0")

    def _early_fault(self, call: Call, is_search: bool) -> Reply | None:
        kind = call.fault
        if kind == fk.HTTP_429:
            return self._throttled(call, "TEN_SECONDLY_ROLLING", is_search, retry_after=1)
        if kind == fk.THROTTLE:
            return self._throttled(call, "SECONDLY" if is_search else "TEN_SECONDLY_ROLLING",
                                   is_search)
        if kind in (fk.HTTP_500, fk.HTTP_503):
            err = errors.server_error(500 if kind == fk.HTTP_500 else 503)
            return self._reply(call, self._error(err).response, is_search)
        if kind == fk.EXPIRED_TOKEN:
            return self._reply(call, self._error(errors.expired_token()).response, is_search)
        return None

    def _admit(self, is_search: bool) -> str | None:
        """Count one call; return the policy it breaks (nothing is counted then), or None."""
        cfg = self.quota.config
        checks = [("burst", self.quota, cfg.account_calls, "TEN_SECONDLY_ROLLING"),
                  ("daily", self._daily_quota, cfg.app_calls, "DAILY")]
        if is_search:
            checks.append(("search", self._search_quota, cfg.user_calls, "SECONDLY"))
        for scope, tracker, limit, policy in checks:
            usage = tracker.usage(scope, limit)
            if usage is not None and usage.exhausted:
                return policy
        for scope, tracker, limit, _ in checks:
            if limit is not None:
                tracker.record(scope)
        return None

    def rate_headers(self) -> dict[str, str]:
        """Return the ``X-HubSpot-RateLimit-*`` headers describing the portal's usage now."""
        cfg = self.quota.config
        headers: dict[str, str] = {}
        burst = self.quota.usage("burst", cfg.account_calls)
        if burst is not None:
            headers.update({
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(cfg.window_seconds * 1000)),
                "X-HubSpot-RateLimit-Max": str(burst.limit),
                "X-HubSpot-RateLimit-Remaining": str(max(0, burst.limit - burst.calls)),
                "X-HubSpot-RateLimit-Secondly": str(max(1, burst.limit // 10)),
                "X-HubSpot-RateLimit-Secondly-Remaining": str(
                    max(0, burst.limit // 10 - min(burst.calls, burst.limit // 10))),
            })
        daily = self._daily_quota.usage("daily", cfg.app_calls)
        if daily is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(daily.limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(max(0, daily.limit - daily.calls))
        return headers

    def _throttled(self, call: Call, policy: str, is_search: bool,
                   retry_after: int | None = None) -> Reply:
        response = _json(429, errors.rate_limit_body(policy, self._correlation_id()))
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return self._reply(call, response, is_search)

    def _reply(self, call: Call, response: httpx.Response, is_search: bool,
               delay: float = 0.0) -> Reply:
        if not is_search:  # search answers carry no rate headers on HubSpot
            for name, value in self.rate_headers().items():
                response.headers[name] = value
        return Reply(response, delay=delay, fault=call.fault, who=call.who,
                     account_id=str(self.portal_id))

    def _correlation_id(self) -> str:
        with self._lock:
            self._correlation += 1
            n = self._correlation
        return str(uuid.UUID(int=(self.portal_id << 64) | n))

    def _error(self, err: HubSpotError) -> Reply:
        return Reply(_json(err.status, err.body(self._correlation_id())))

    # ------------------------------------------------------------------ token
    def _token_endpoint(self, request: httpx.Request) -> Reply:
        if request.method != "POST":
            return self._error(errors.method_not_allowed(request.method, request.url.path))
        try:
            body = self.tokens.refresh(request_params(request), self.market.now())
        except OAuthError as err:
            return Reply(_json(400, {"status": err.status, "message": err.message,
                                     "correlationId": self._correlation_id()}))
        return Reply(_json(200, body))

    # ------------------------------------------------------------------ handlers
    def _account_info(self, call: Call) -> tuple[int, Any]:
        offset = self.market.now().astimezone(_zone(self.timezone)).utcoffset()
        millis = int(offset.total_seconds() * 1000) if offset is not None else 0
        sign = "+" if millis >= 0 else "-"
        hours, minutes = divmod(abs(millis) // 60_000, 60)
        return 200, {
            "portalId": self.portal_id,
            "accountType": "STANDARD",
            "timeZone": self.timezone,
            "companyCurrency": self.crm.currency,
            "additionalCurrencies": [],
            "utcOffset": f"{sign}{hours:02d}:{minutes:02d}",
            "utcOffsetMilliseconds": millis,
            "uiDomain": "app.hubspot.com",
            "dataHostingLocation": "na1",
        }

    def _type(self, call: Call) -> ObjectType:
        return OBJECT_TYPES[call.groups["type"]]

    def _search(self, call: Call) -> tuple[int, Any]:
        object_type = self._type(call)
        query = search.parse(search.body_of(call.request.content), object_type)
        body = search.run(self.crm, object_type, query)
        if call.fault == fk.REPEATED_CURSOR and "paging" in body:
            body["paging"]["next"]["after"] = str(query.after)
        return 200, body

    def _list_objects(self, call: Call) -> tuple[int, Any]:
        object_type = self._type(call)
        crm = self.crm
        limit = min(_int(call.params.get("limit", "10"), "limit"), MAX_OBJECT_PAGE)
        offset = _decode_after(call.params.get("after"))
        wanted = tuple(p for p in call.params.get("properties", "").split(",") if p)
        with crm.lock:
            ids = crm.ids(object_type)
            chunk = list(ids[offset: offset + limit])
            results = [crm.render(object_type, rid, wanted) for rid in chunk]
            more = offset + limit < len(ids)
        body: dict[str, Any] = {"results": results}
        if more:
            after = _encode_after(offset + limit)
            if call.fault == fk.REPEATED_CURSOR:
                after = call.params.get("after", after)
            body["paging"] = {"next": {"after": after, "link": str(
                call.request.url.copy_set_param("after", after))}}
        return 200, body

    def _get_object(self, call: Call) -> tuple[int, Any]:
        object_type = self._type(call)
        raw = call.groups["id"]
        crm = self.crm
        if call.params.get("idProperty") == "email" and object_type is CONTACTS:
            found = crm.contact_by_email(raw)
        else:
            found = int(raw) if raw.isdigit() else None
        if found is None or not crm.exists(object_type, found):
            raise errors.not_found(f"{object_type.name}/{raw}")
        wanted = tuple(p for p in call.params.get("properties", "").split(",") if p)
        return 200, crm.render(object_type, found, wanted)

    def _batch_read(self, call: Call) -> tuple[int, Any]:
        """``POST .../batch/read``: records by id or by a unique property; 207 when some miss."""
        object_type = self._type(call)
        started = iso(to_ms(self.market.now()))
        body = search.body_of(call.request.content)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not inputs:
            raise errors.validation("inputs must be a non-empty list")
        if len(inputs) > MAX_BATCH:
            raise errors.validation(
                f"Batch input size limit exceeded: {len(inputs)} inputs, at most {MAX_BATCH}",
                context={"maxInputs": [str(MAX_BATCH)]})
        id_property = body.get("idProperty") or "hs_object_id"
        if id_property not in ("hs_object_id", "email") or (
                id_property == "email" and object_type is not CONTACTS):
            raise errors.validation(f"idProperty {id_property!r} is not a unique property of "
                                    f"{object_type.name}")
        wanted = body.get("properties") or []
        if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
            raise errors.validation("properties must be a list of property names")
        for name in wanted:
            if name not in object_type.properties:
                raise errors.unknown_property(name, object_type.name.upper().rstrip("S"))
        crm = self.crm
        results, missing = [], []
        for n, item in enumerate(inputs):
            raw = item.get("id") if isinstance(item, dict) else None
            if not isinstance(raw, str) or not raw:
                raise errors.validation(f"inputs[{n}].id must be a non-empty string")
            found = (crm.contact_by_email(raw) if id_property == "email"
                     else int(raw) if raw.isdigit() else None)
            if found is None or not crm.exists(object_type, found):
                missing.append(raw)
                continue
            results.append(crm.render(object_type, found, tuple(wanted)))
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results,
                                  "startedAt": started,
                                  "completedAt": iso(to_ms(self.market.now()))}
        if not missing:
            return 200, answer
        answer["numErrors"] = 1
        answer["errors"] = [{
            "status": "error", "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {object_type.name.upper()} objects, they may be "
                       "deleted or not exist. Check that ids are valid.",
            "context": {"ids": missing},
        }]
        return 207, answer

    def _batch_upsert(self, call: Call) -> tuple[int, Any]:
        object_type = self._type(call)
        if object_type is not CONTACTS:
            raise errors.validation("the emulator upserts contacts only (idProperty=email)")
        started = iso(to_ms(self.market.now()))
        body = search.body_of(call.request.content)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or not inputs:
            raise errors.validation("inputs must be a non-empty list")
        if len(inputs) > MAX_BATCH:
            raise errors.validation(
                f"Batch input size limit exceeded: {len(inputs)} inputs, at most {MAX_BATCH}",
                context={"maxInputs": [str(MAX_BATCH)]})
        crm = self.crm
        prepared = [self._upsert_input(i, n) for n, i in enumerate(inputs)]
        seen: set[str] = set()
        for email, _ in prepared:
            if email in seen:
                raise errors.validation(f"Duplicate id in the batch: {email}")
            seen.add(email)
        now_ms = to_ms(self.market.now())
        results = []
        with crm.lock:
            for email, props in prepared:
                existing = crm.contact_by_email(email)
                values = dict(props, email=email)
                cid, created, changes = crm.set_contact(existing, values, now_ms)
                for prop, (before, after) in sorted(changes.items()):
                    self.record_property_change(call.who, "contacts", cid, prop, before, after)
                rendered = crm.render(CONTACTS, cid, tuple(values))
                rendered["new"] = created
                results.append(rendered)
        return 200, {"status": "COMPLETE", "results": results, "startedAt": started,
                     "completedAt": iso(to_ms(self.market.now()))}

    def _upsert_input(self, raw: Any, n: int) -> tuple[str, dict[str, str | None]]:
        if not isinstance(raw, dict):
            raise errors.validation(f"inputs[{n}] must be an object")
        if raw.get("idProperty") != "email":
            raise errors.validation(f"inputs[{n}].idProperty must be 'email' (a unique property)")
        email = raw.get("id")
        if not isinstance(email, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise errors.validation(
                f"Property values were not valid: inputs[{n}].id {email!r} is not a valid email",
                errors=[{"message": "Email address is invalid", "code": "INVALID_EMAIL",
                         "context": {"propertyName": ["email"]}}])
        props = raw.get("properties") or {}
        if not isinstance(props, dict):
            raise errors.validation(f"inputs[{n}].properties must be an object")
        clean: dict[str, str | None] = {}
        for name, value in props.items():
            if name not in CONTACTS.properties:
                raise errors.unknown_property(name, "CONTACT")
            if name in CONTACTS.read_only:
                raise errors.validation(f"{name} is a read only property; its value cannot be set")
            text = None if value is None else str(value)
            if name == "lifecyclestage" and text not in LIFECYCLE_STAGES:
                raise errors.invalid_option(name, str(text), LIFECYCLE_STAGES)
            clean[name] = text
        return email.strip().lower(), clean

    def _pipelines(self, call: Call) -> tuple[int, Any]:
        return 200, {"results": [PIPELINE]}

    def _associations(self, call: Call) -> tuple[int, Any]:
        pair = (call.groups["from"], call.groups["to"])
        if pair not in (("deals", "contacts"), ("contacts", "companies")):
            raise errors.validation(f"the emulator reads {pair[0]} -> {pair[1]} associations: "
                                    "deals -> contacts or contacts -> companies only")
        body = search.body_of(call.request.content)
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or len(inputs) > MAX_ASSOCIATION_BATCH:
            raise errors.validation(f"inputs must be a list of at most {MAX_ASSOCIATION_BATCH}")
        crm = self.crm
        started = iso(to_ms(self.market.now()))
        results = []
        for item in inputs:
            raw = str(item.get("id", "")) if isinstance(item, dict) else ""
            if not raw.isdigit():
                raise errors.validation(f"association input id {raw!r} is not a record id")
            rid = int(raw)
            if pair == ("deals", "contacts"):
                if rid not in crm.deals:
                    continue
                targets, type_id = [crm.deal_contact(rid)], 3
            else:
                if not crm.contact_exists(rid):
                    continue
                company = crm.contact_properties(rid).get("associatedcompanyid")
                if not company:
                    continue
                targets, type_id = [int(company)], 1
            results.append({"from": {"id": raw}, "to": [
                {"toObjectId": t, "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]}
                for t in targets]})
        return 200, {"status": "COMPLETE", "results": results, "startedAt": started,
                     "completedAt": started}

    def _search_lists(self, call: Call) -> tuple[int, Any]:
        body = search.body_of(call.request.content) or {}
        if not isinstance(body, dict):
            raise errors.validation("the body must be an object")
        offset = _int(str(body.get("offset", 0)), "offset")
        count = _int(str(body.get("count", 20)), "count")
        if not 1 <= count <= 500:
            raise errors.validation("count must be within 1..500")
        query = str(body.get("query") or "").lower()
        kinds = body.get("processingTypes")
        lists = [d for d in self.crm.lists.values()
                 if query in d.name.lower() and (not kinds or d.processing_type in kinds)]
        chunk = lists[offset: offset + count]
        next_offset = offset + len(chunk)
        if call.fault == fk.REPEATED_CURSOR:
            next_offset = offset
        return 200, {"offset": next_offset, "hasMore": offset + count < len(lists),
                     "lists": [d.render() for d in chunk], "total": len(lists)}

    def _list(self, call: Call) -> Any:
        found = self.crm.lists.get(call.groups["list"])
        if found is None:
            raise errors.not_found(f"list {call.groups['list']}")
        return found

    def _get_list(self, call: Call) -> tuple[int, Any]:
        return 200, {"list": self._list(call).render()}

    def _memberships(self, call: Call) -> tuple[int, Any]:
        members = self._list(call)
        limit = min(_int(call.params.get("limit", "100"), "limit"), MAX_MEMBERSHIP_PAGE)
        offset = _decode_after(call.params.get("after"))
        with self.crm.lock:
            ids = members.ids[offset: offset + limit]
            since = members.since[offset: offset + limit]
            more = offset + limit < len(members.ids)
        body: dict[str, Any] = {"results": [
            {"recordId": str(r), "membershipTimestamp": iso(s)} for r, s in zip(ids, since,
                                                                               strict=True)]}
        if more:
            after = _encode_after(offset + limit)
            if call.fault == fk.REPEATED_CURSOR:
                after = call.params.get("after", after)
            body["paging"] = {"next": {"after": after}}
        return 200, body

    def _change_memberships(self, call: Call) -> tuple[int, Any]:
        members = self._list(call)
        if members.processing_type not in ("MANUAL", "SNAPSHOT"):
            raise errors.validation(
                f"List {members.list_id} has processingType {members.processing_type}: "
                "memberships can be changed for MANUAL or SNAPSHOT lists only")
        body = search.body_of(call.request.content)
        op = call.groups["op"]
        if op == "add-and-remove":
            if not isinstance(body, dict):
                raise errors.validation("the body must be {recordIdsToAdd, recordIdsToRemove}")
            to_add = _record_ids(body.get("recordIdsToAdd") or [])
            to_remove = _record_ids(body.get("recordIdsToRemove") or [])
        else:
            ids = _record_ids(body)
            to_add, to_remove = (ids, []) if op == "add" else ([], ids)
        now_ms = to_ms(self.market.now())
        added, missing = self.crm.add_members(members.list_id, to_add, now_ms)
        removed = self.crm.remove_members(members.list_id, to_remove, now_ms)
        for rid in added:
            self.record_property_change(call.who, "lists", int(members.list_id), "membership",
                                        None, str(rid))
        for rid in removed:
            self.record_property_change(call.who, "lists", int(members.list_id), "membership",
                                        str(rid), None)
        if op == "add":
            return 200, {"recordIdsAdded": [str(r) for r in added],
                         "recordIdsMissing": [str(r) for r in missing]}
        if op == "remove":
            return 200, {"recordIdsRemoved": [str(r) for r in removed],
                         "recordIdsMissing": []}
        # HubSpot really spells this key "recordsIdsAdded".
        return 200, {"recordsIdsAdded": [str(r) for r in added],
                     "recordIdsRemoved": [str(r) for r in removed],
                     "recordIdsMissing": [str(r) for r in missing]}

    def _forms(self, call: Call) -> tuple[int, Any]:
        crm = self.crm
        created = iso(to_ms(self.market.now()) - 400 * 86_400_000)
        return 200, {"results": [
            {"id": f.guid, "name": f.name, "formType": "hubspot", "createdAt": created,
             "updatedAt": created, "archived": False} for f in crm.forms]}

    def _submissions(self, call: Call) -> tuple[int, Any]:
        crm = self.crm
        form = crm.form(call.groups["form"])
        if form is None:
            raise errors.not_found(f"form {call.groups['form']}")
        limit = min(_int(call.params.get("limit", "20"), "limit"), MAX_SUBMISSION_PAGE)
        offset = _decode_after(call.params.get("after"))
        subs = crm.submissions[form.guid]
        chunk = subs[offset: offset + limit]
        body: dict[str, Any] = {"results": [crm.submission(ms, i) for ms, i in chunk]}
        if offset + limit < len(subs):
            after = _encode_after(offset + limit)
            if call.fault == fk.REPEATED_CURSOR:
                after = call.params.get("after", after)
            body["paging"] = {"next": {"after": after, "link": str(
                call.request.url.copy_set_param("after", after))}}
        return 200, body


def hubspot(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> HubSpotEmulator:
    """Build the HubSpot emulator: the ``emulators.registry`` factory (options: see the class)."""
    return HubSpotEmulator(market, faults, quota, **options)


# ---------------------------------------------------------------------- helpers


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _json(status: int, body: Any) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return httpx.Response(status, headers={"content-type": "application/json;charset=utf-8"},
                          content=content)


def _bearer(request: httpx.Request) -> str:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        raise errors.missing_auth()
    return str(auth[7:].strip())


def _int(raw: str, name: str) -> int:
    if not raw.isdigit():
        raise errors.validation(f"{name} must be a non-negative integer, got {raw!r}")
    return int(raw)


def _encode_after(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _decode_after(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        raise errors.validation(f"after {token!r} is not a valid paging cursor")
    return int(text)


def _record_ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not all(str(r).isdigit() for r in raw):
        raise errors.validation("the body must be a JSON array of record ids")
    return [int(r) for r in raw]


def _corrupt(body: Any) -> None:
    """Spoil one record of a page (the ``bad_record`` fault) without touching its timestamp."""
    if not isinstance(body, dict):
        return
    rows = body.get("results") or body.get("lists") or []
    if not rows:
        return
    row = rows[len(rows) // 2]
    props = row.get("properties")
    if isinstance(props, dict):
        if "amount" in props:
            props["amount"] = "12,3x"
        else:
            props["createdate"] = "yesterday"
    elif "values" in row:
        row["values"] = "email=broken"
    elif "recordId" in row:
        row["recordId"] = "x12"
    elif "listId" in row or "formType" in row:
        row["createdAt"] = "yesterday"
    else:
        row.pop("id", None)
