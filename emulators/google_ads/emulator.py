"""The Google Ads API emulator (REST transport, JSON).

Order of checks for every request: token endpoint (no faults) -> version -> route ->
access token -> ``developer-token`` -> customer access (``login-customer-id``) -> injected
fault -> quota -> handler. Errors are Google's REST error bodies (``GoogleAdsFailure`` in
``error.details``); every answer carries a ``request-id`` header.

Routes (``{v}`` one of ``versions``; older ones answer 501 UNIMPLEMENTED, unknown ones
404 NOT_FOUND)::

    POST /token                                              refresh_token grant
    GET  /{v}/customers:listAccessibleCustomers
    POST /{v}/customers/{cid}/googleAds:search               {query, pageToken?}
    POST /{v}/customers/{cid}/googleAds:searchStream         {query} -> JSON array of chunks
    POST /{v}/customers/{cid}/campaignBudgets:mutate         updateMask amountMicros
    POST /{v}/customers/{cid}/adGroups:mutate                updateMask status
    POST /{v}/customers/{cid}/adGroupAds:mutate              updateMask status
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router
from emulators.faults import FaultConfig
from emulators.google_ads import errors, gaql
from emulators.google_ads import resources as R
from emulators.google_ads.auth import TokenStore, token_reply
from emulators.google_ads.errors import AdsError, AdsErrorEntry
from emulators.market import Campaign, Market
from emulators.quota import QuotaConfig

SERVED_VERSIONS = ("v24", "v25", "v26")
PAGE_SIZE = 10_000  # fixed by Google since v17; ``page_size`` lets tests page small
_VERSION = re.compile(r"^/(?P<version>v(?P<major>\d+))(?P<rest>/.*)$")
_CID = r"customers/(?P<cid>\d{10})"
_PLATFORM = R.PLATFORM


@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    body: dict[str, Any]
    groups: dict[str, str]
    who: str
    version: str
    request_id: str
    customer: str | None = None
    fault: str | None = None


Handler = Callable[[Call], Any]


class GoogleAdsEmulator(Emulator):
    """Stateful Google Ads REST emulator over a ``Market`` (which must hold ``google_ads``).

    Args:
        market: the market to render (default: ``Market(platforms=("google_ads",))``).
        faults: fault injection (default: none).
        quota: declared quotas: ``account_calls`` per customer and window (429 with a
            ``retryDelay``), ``app_calls`` per developer token (429 without one).
        versions: API versions served.
        tokens: accepted OAuth client, refresh, access and developer tokens.
        page_size: rows per ``:search`` page (Google: 10,000, fixed).
        stream_chunk_size: rows per ``:searchStream`` chunk.
        quota_clock: monotonic clock for the quota window (tests).

    """

    platform = _PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        versions: tuple[str, ...] = SERVED_VERSIONS,
        tokens: TokenStore | None = None,
        page_size: int = PAGE_SIZE,
        stream_chunk_size: int = PAGE_SIZE,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(market, faults, quota, quota_clock=quota_clock)
        if page_size < 1 or stream_chunk_size < 1:
            raise ValueError("page_size and stream_chunk_size must be >= 1")
        self.versions = versions
        self.tokens = tokens or TokenStore()
        self.page_size = page_size
        self.stream_chunk_size = stream_chunk_size
        self._sequence = itertools.count(1)
        self._rows_cache: dict[tuple[object, ...], list[R.Row]] = {}
        self._rows_lock = threading.Lock()
        self.router: Router[Handler] = Router()
        r = self.router.add
        r("GET", r"/customers:listAccessibleCustomers", self._accessible)
        r("POST", rf"/{_CID}/googleAds:search", self._search)
        r("POST", rf"/{_CID}/googleAds:searchStream", self._search_stream)
        r("POST", rf"/{_CID}/campaignBudgets:mutate", self._mutate_budgets)
        r("POST", rf"/{_CID}/adGroups:mutate", self._mutate_ad_groups)
        r("POST", rf"/{_CID}/adGroupAds:mutate", self._mutate_ads)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (order of checks: see the module docstring)."""
        path = request.url.path.rstrip("/") or "/"
        request_id = f"{next(self._sequence):016x}"
        if path == "/token" and request.method == "POST":
            return self._token_endpoint(request)
        version = self.versions[-1]
        try:
            version, rest = self._check_version(path)
            found = self.router.match(request.method, rest)
            if found is None:
                raise errors.frontend(
                    "NOT_FOUND", f"The requested URL {path} was not found on this server."
                )
            who = self._authenticate(request)
        except AdsError as err:
            return self._error(err, version, request_id)
        handler, groups = found
        call = Call(request, {}, groups, who, version, request_id)
        try:
            call.body = _json_body(request)
            call.customer = self._customer(request, groups.get("cid"))
        except AdsError as err:
            return self._reply(call, self._error(err, version, request_id).response)
        return self._serve(handler, call, rest)

    def _serve(self, handler: Handler, call: Call, rest: str) -> Reply:
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if rest.endswith((":search", ":searchStream")):
            eligible.add(fk.BAD_RECORD)
            if call.body.get("pageToken"):
                eligible.add(fk.REPEATED_CURSOR)
        call.fault = self.faults.draw(eligible, call.request.url.path)
        early = self._early_fault(call)
        if early is not None:
            return self._reply(call, self._error(early, call.version, call.request_id).response)
        try:
            self._admit(call)
            body = handler(call)
        except AdsError as err:
            return self._reply(call, self._error(err, call.version, call.request_id).response)
        response = self._json(200, body, call.request_id)
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(200, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, delay)

    def _early_fault(self, call: Call) -> AdsError | None:
        kind = call.fault
        if kind == fk.HTTP_429:
            return errors.frontend(
                "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."
            )
        if kind == fk.HTTP_500:
            return errors.frontend("INTERNAL", "Internal error encountered.")
        if kind == fk.HTTP_503:
            return errors.frontend("UNAVAILABLE", "The service is currently unavailable.")
        if kind == fk.EXPIRED_TOKEN:
            return errors.expired_token()
        if kind == fk.THROTTLE:
            return errors.quota_exhausted(
                float(self.faults.config.retry_after), "RESOURCE_TEMPORARILY_EXHAUSTED"
            )
        return None

    def _admit(self, call: Call) -> None:
        cfg = self.quota.config
        scope = f"account:{call.customer}"
        usage = self.quota.usage(scope, cfg.account_calls)
        if usage is not None and usage.exhausted:
            raise errors.quota_exhausted(usage.regain_seconds, "RESOURCE_TEMPORARILY_EXHAUSTED")
        daily = self.quota.usage("developer_token", cfg.app_calls)
        if daily is not None and daily.exhausted:
            raise errors.quota_exhausted(None, "RESOURCE_EXHAUSTED")
        self.quota.record(scope, "developer_token")

    # ------------------------------------------------------------------ checks
    def _check_version(self, path: str) -> tuple[str, str]:
        found = _VERSION.match(path)
        if found is None:
            raise _not_served(path)
        version = found["version"]
        if version not in self.versions:
            oldest = min(int(v[1:]) for v in self.versions)
            if int(found["major"]) < oldest:
                raise errors.frontend(
                    "UNIMPLEMENTED",
                    f"GRPC target method can't be resolved: Google Ads API {version} is sunset; "
                    f"use {self.versions[-1]}.",
                )
            raise _not_served(path)
        return version, found["rest"]

    def _authenticate(self, request: httpx.Request) -> str:
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise errors.invalid_token()
        token = auth[7:].strip()
        state = self.tokens.state(token, self.market.now())
        if state == "expired":
            raise errors.expired_token()
        if state != "valid":
            raise errors.invalid_token()
        developer = request.headers.get("developer-token")
        if not developer:
            raise errors.missing_developer_token()
        if developer != self.tokens.developer_token:
            raise errors.bad_developer_token()
        return self.tokens.who(token)

    def _customer(self, request: httpx.Request, cid: str | None) -> str | None:
        if cid is None:
            return None
        login = request.headers.get("login-customer-id")
        if login is not None:
            login = login.replace("-", "")
            if not login.isdigit() or len(login) != 10:
                raise errors.invalid_login_customer_id()
        if cid == R.MANAGER_ID:
            if login not in (None, R.MANAGER_ID):
                raise errors.user_permission_denied(cid)
            return cid
        if self.market.account(_PLATFORM, cid) is None or login != R.MANAGER_ID:
            # The sandbox user reaches client accounts only through the manager.
            raise errors.user_permission_denied(cid)
        return cid

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _json(status: int, body: Any, request_id: str) -> httpx.Response:
        content = json.dumps(body, separators=(",", ":")).encode()
        headers = {"content-type": "application/json; charset=UTF-8", "request-id": request_id}
        return httpx.Response(status, headers=headers, content=content)

    def _error(self, err: AdsError, version: str, request_id: str) -> Reply:
        return Reply(self._json(err.http_status, err.body(version, request_id), request_id))

    def _reply(self, call: Call, response: httpx.Response, delay: float = 0.0) -> Reply:
        return Reply(response, delay=delay, fault=call.fault, who=call.who,
                     account_id=call.customer)

    def _token_endpoint(self, request: httpx.Request) -> Reply:
        return token_reply(self.tokens, request, self.market.now(),
                           scope="https://www.googleapis.com/auth/adwords")

    # ------------------------------------------------------------------ reads
    def _accessible(self, call: Call) -> dict[str, Any]:
        return {"resourceNames": [f"customers/{R.MANAGER_ID}"]}

    def _query(self, call: Call) -> tuple[gaql.Query, list[R.Row]]:
        if "pageSize" in call.body or "page_size" in call.body:
            raise errors.request_error(
                "PAGE_SIZE_NOT_SUPPORTED", "Setting the page size is not supported (10,000 rows)."
            )
        text = call.body.get("query")
        query = gaql.parse(text)
        assert call.customer is not None
        span = R.validate(query, manager=call.customer == R.MANAGER_ID)
        minute = self.market.now().replace(second=0, microsecond=0)
        key = (call.customer, query, self.market.version, minute)
        with self._rows_lock:
            rows = self._rows_cache.get(key)
        if rows is None:
            rows = R.build_rows(self.market, call.customer, query, span)
            with self._rows_lock:
                if len(self._rows_cache) >= 64:
                    self._rows_cache.pop(next(iter(self._rows_cache)))
                self._rows_cache[key] = rows
        return query, rows

    def _search(self, call: Call) -> dict[str, Any]:
        query, rows = self._query(call)
        digest = hashlib.sha1(str(call.body.get("query")).encode()).hexdigest()[:12]
        token = call.body.get("pageToken")
        offset = _decode_token(token, digest) if token else 0
        chunk = rows[offset : offset + self.page_size]
        results = [R.render(row, query.fields) for row in chunk]
        if call.fault == fk.BAD_RECORD:
            _corrupt(results)
        body: dict[str, Any] = {"fieldMask": R.field_mask(query.fields)}
        if results:
            body["results"] = results
        if offset + len(chunk) < len(rows):
            body["nextPageToken"] = _encode_token(offset + len(chunk), digest)
        if call.fault == fk.REPEATED_CURSOR and token:
            body["nextPageToken"] = token
        settings = call.body.get("searchSettings")
        wants_total = isinstance(settings, dict) and settings.get("returnTotalResultsCount")
        if wants_total is True or call.body.get("returnTotalResultsCount") is True:
            body["totalResultsCount"] = str(len(rows))
        body["queryResourceConsumption"] = str(max(1, len(chunk)))
        return body

    def _search_stream(self, call: Call) -> list[dict[str, Any]]:
        query, rows = self._query(call)
        mask = R.field_mask(query.fields)
        size = self.stream_chunk_size
        chunks: list[dict[str, Any]] = []
        for start in range(0, len(rows), size):
            results = [R.render(row, query.fields) for row in rows[start : start + size]]
            chunks.append({"results": results, "fieldMask": mask, "requestId": call.request_id})
        if not chunks:
            chunks.append({"fieldMask": mask, "requestId": call.request_id})
        if call.fault == fk.BAD_RECORD and rows:
            _corrupt(chunks[0]["results"])
        chunks[-1]["queryResourceConsumption"] = str(max(1, len(rows)))
        return chunks

    # ------------------------------------------------------------------ writes
    def _mutate(self, call: Call, kind: str, mask_field: str,
                check: Callable[[str, dict[str, Any]], tuple[str, Callable[[], None]]]
                ) -> dict[str, Any]:
        operations = call.body.get("operations")
        if not isinstance(operations, list) or not operations:
            raise errors.request_error("OPERATIONS_REQUIRED", "At least one operation is required.")
        if len(operations) > 10_000:
            raise errors.request_error(
                "TOO_MANY_MUTATE_OPERATIONS", "Too many operations (10,000)."
            )
        partial = call.body.get("partialFailure") is True
        validate_only = call.body.get("validateOnly") is True
        assert call.customer is not None
        accepted: list[tuple[int, str, Callable[[], None]]] = []
        failed: list[AdsErrorEntry] = []
        for index, op in enumerate(operations):
            try:
                update = op.get("update") if isinstance(op, dict) else None
                if not isinstance(update, dict):
                    raise AdsErrorEntry("mutateError", "OPERATION_NOT_SUPPORTED",
                                        "The emulator supports update operations only.")
                mask = {R.to_camel(m.strip()) for m in str(op.get("updateMask", "")).split(",")
                        if m.strip()}
                if mask != {mask_field}:
                    raise AdsErrorEntry("fieldMaskError", "FIELD_NOT_FOUND",
                                        f"updateMask must be {mask_field!r} for {kind}.")
                name, apply = check(call.customer, update)
                accepted.append((index, name, apply))
            except AdsErrorEntry as entry:
                entry.index = index
                failed.append(entry)
        if failed and not partial:
            raise AdsError("INVALID_ARGUMENT", "Request contains an invalid argument.", failed)
        body: dict[str, Any] = {}
        if not validate_only:
            names = {}
            for index, name, apply in accepted:
                apply()
                names[index] = name
            body["results"] = [
                {"resourceName": names[i]} if i in names else {} for i in range(len(operations))
            ]
        if failed:
            first = failed[0]
            body["partialFailureError"] = {
                "code": 3,
                "message": f"Multiple errors in 'details'. First error: {first.message}, at "
                           f"operations[{first.index}]",
                "details": [errors.failure(failed, call.version, call.request_id)],
            }
        return body

    def _mutate_budgets(self, call: Call) -> dict[str, Any]:
        def check(cid: str, update: dict[str, Any]) -> tuple[str, Callable[[], None]]:
            name = str(update.get("resourceName", ""))
            found = re.fullmatch(rf"customers/{cid}/campaignBudgets/(\d+)", name)
            campaign = (self.market.entity(_PLATFORM, R.campaign_of_budget(found[1]))
                        if found else None)
            if found is None or not isinstance(campaign, Campaign) or campaign.account_id != cid:
                raise _not_found(name)
            raw = update.get("amountMicros")
            try:
                micros = int(str(raw))
            except ValueError:
                raise AdsErrorEntry("fieldError", "INVALID_VALUE",
                                    f"amountMicros {raw!r} is not an int64.") from None
            if micros <= 0:
                raise AdsErrorEntry("rangeError", "TOO_LOW", "amountMicros must be positive.")
            if micros % R.MICROS_PER_MINOR:
                raise AdsErrorEntry(
                    "campaignBudgetError", "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT",
                    "The budget amount must be a multiple of the currency's minimum unit "
                    f"({R.MICROS_PER_MINOR} micros).",
                )
            return name, lambda: self._set_budget(call.who, campaign, found[1], micros)

        return self._mutate(call, "campaign budgets", "amountMicros", check)

    def _set_budget(self, who: str, campaign: Campaign, budget: str, micros: int) -> None:
        before = R.budget_micros(self.market, campaign)
        minor = micros // R.MICROS_PER_MINOR
        if self.market.budget(_PLATFORM, campaign.id) is not None:
            self.market.set_budget(_PLATFORM, campaign.id, minor)
        else:
            # The market holds this budget on the ad groups: spread the change in proportion.
            groups = [g for g in self.market.ad_groups(_PLATFORM, campaign.id)
                      if self.market.budget(_PLATFORM, g.id) is not None]
            old = [self.market.budget(_PLATFORM, g.id) or 0 for g in groups]
            total = sum(old) or 1
            left = minor
            for i, group in enumerate(groups):
                share = left if i == len(groups) - 1 else max(1, round(old[i] * minor / total))
                self.market.set_budget(_PLATFORM, group.id, share)
                left -= share
        after = R.budget_micros(self.market, campaign)
        wire = ("campaign_budget", budget, "amount_micros", str(before), str(after))
        self.record_budget_change(who, wire, campaign.id, (before // R.MICROS_PER_MINOR,
                                                           after // R.MICROS_PER_MINOR))

    def _status_check(self, kind: str, pattern: str, who: str) -> Callable[
            [str, dict[str, Any]], tuple[str, Callable[[], None]]]:
        def check(cid: str, update: dict[str, Any]) -> tuple[str, Callable[[], None]]:
            name = str(update.get("resourceName", ""))
            found = re.fullmatch(pattern.format(cid=cid), name)
            if found is None:
                raise _not_found(name)
            entity = self.market.entity(_PLATFORM, found["id"])
            parent = found.groupdict().get("group")
            ok = entity is not None and getattr(entity, "account_id", None) == cid and (
                type(entity).__name__ == ("Ad" if kind == "ad_group_ad" else "AdGroup"))
            if not ok or (parent is not None and getattr(entity, "ad_group_id", None) != parent):
                raise _not_found(name)
            status = update.get("status")
            if status not in ("ENABLED", "PAUSED"):
                raise AdsErrorEntry("requestError", "INVALID_ENUM_VALUE",
                                    f"status must be ENABLED or PAUSED, got {status!r}.")
            entity_id = found["id"]
            return name, lambda: self._set_status(who, kind, entity_id, str(status))

        return check

    def _set_status(self, who: str, kind: str, entity_id: str, status: str) -> None:
        market_status = "ACTIVE" if status == "ENABLED" else "PAUSED"
        market = self.market.set_status(_PLATFORM, entity_id, market_status)
        wire = (kind, entity_id, "status", R.google_status(market[0]), status)
        self.record_status_change(who, wire, entity_id, market)

    def _mutate_ad_groups(self, call: Call) -> dict[str, Any]:
        check = self._status_check("ad_group", r"customers/{cid}/adGroups/(?P<id>\d+)", call.who)
        return self._mutate(call, "ad groups", "status", check)

    def _mutate_ads(self, call: Call) -> dict[str, Any]:
        check = self._status_check(
            "ad_group_ad", r"customers/{cid}/adGroupAds/(?P<group>\d+)~(?P<id>\d+)", call.who
        )
        return self._mutate(call, "ad group ads", "status", check)


def _not_served(path: str) -> AdsError:
    return errors.frontend("NOT_FOUND", f"The requested URL {path} was not found on this server.")


def _not_found(name: str) -> AdsErrorEntry:
    return AdsErrorEntry("mutateError", "RESOURCE_NOT_FOUND",
                         f"Resource was not found: {name or '(no resourceName)'}.")


def _json_body(request: httpx.Request) -> dict[str, Any]:
    if request.method != "POST":
        return {}
    try:
        body = json.loads(request.content or b"{}")
    except ValueError:
        raise errors.frontend("INVALID_ARGUMENT", "Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise errors.frontend("INVALID_ARGUMENT", "Invalid JSON payload: expected an object.")
    return body


def _encode_token(offset: int, digest: str) -> str:
    return base64.urlsafe_b64encode(f"{digest}:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: object, digest: str) -> int:
    try:
        text = str(token)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        got, _, offset = raw.partition(":")
        if got != digest:
            raise ValueError(raw)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise errors.request_error(
            "INVALID_PAGE_TOKEN", "The page token is invalid or belongs to another query."
        ) from None


def _corrupt(results: list[dict[str, Any]]) -> None:
    """Spoil one row of a page (the ``bad_record`` fault)."""
    if not results:
        return
    row = results[len(results) // 2]
    metrics = row.get("metrics")
    if isinstance(metrics, dict) and "costMicros" in metrics:
        metrics["costMicros"] = "12,3x"
        return
    for node in row.values():
        if isinstance(node, dict) and "id" in node:
            node["id"] = "not-an-id"
            return
        if isinstance(node, dict) and isinstance(node.get("ad"), dict):
            node["ad"]["id"] = "not-an-id"
            return


__all__ = ["PAGE_SIZE", "SERVED_VERSIONS", "GoogleAdsEmulator"]
