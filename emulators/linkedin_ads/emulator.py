"""The LinkedIn Marketing API emulator (``/rest`` + ``/oauth/v2/accessToken``).

Order of checks for every ``/rest`` request: ``LinkedIn-Version`` (missing -> 400
VERSION_MISSING, not served -> 426 NONEXISTENT_VERSION) -> ``X-Restli-Protocol-Version:
2.0.0`` -> bearer token -> route -> injected fault -> quota (a bare 429) -> handler.
Errors are LinkedIn's ``{status, serviceErrorCode, code, message}`` bodies; no answer carries
a usage header or Retry-After, as on the real API.

adAnalytics answers at most ``max_elements`` (15,000) elements and has no paging: a larger
result is **truncated** (elements sorted by day, then pivot values; the rest is dropped
silently), which is what LinkedIn documents ("at most 15,000 elements", no pagination).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router, request_params
from emulators.faults import FaultConfig
from emulators.linkedin_ads import errors
from emulators.linkedin_ads.analytics import build_elements, parse_analytics
from emulators.linkedin_ads.auth import TokenStore
from emulators.linkedin_ads.entities import (
    ACCOUNT_URN,
    CAMPAIGN_GROUP_URN,
    CAMPAIGN_URN,
    PLATFORM,
    money,
    render_account,
    render_campaign,
    render_campaign_group,
    render_creative,
    urn_number,
)
from emulators.linkedin_ads.errors import LinkedInError
from emulators.linkedin_ads.restli import RestliParseError, parse_query, parse_value
from emulators.market import AdGroup, Campaign, Market
from emulators.quota import QuotaConfig
from emulators.tokens import OAuthError


def _months(first: int, last: int) -> tuple[str, ...]:
    out, year, month = [], first // 100, first % 100
    while year * 100 + month <= last:
        out.append(f"{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


# A year of monthly versions live on the market's "today" (late 2026).
SERVED_VERSIONS = _months(202512, 202611)
MAX_ELEMENTS = 15_000
MAX_FIELDS = 20
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100
MIN_DAILY_BUDGET = Decimal("10.00")

@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    query: dict[str, str]  # raw (still Rest.li-encoded) query values
    groups: dict[str, str]
    who: str
    account: str | None = None
    fault: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Call], tuple[int, dict[str, Any] | None]]


class LinkedInAdsEmulator(Emulator):
    """Stateful LinkedIn Marketing API emulator over a ``Market``.

    Args:
        market: the market to render (default ``Market(platforms=("linkedin_ads",))``).
        faults: fault injection (default: none).
        quota: declared quotas: ``app_calls`` per app and ``user_calls`` per member token in
            ``window_seconds`` (``account_calls`` is not a LinkedIn scope and is ignored).
        versions: ``LinkedIn-Version`` values served; any other answers 426.
        tokens: accepted tokens and the refresh grant (default: the sandbox credentials).
        max_elements: adAnalytics element cap (answers are truncated to it).
        max_fields: adAnalytics field cap (more answers 400).
        quota_clock: monotonic clock for the quota window (tests).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        versions: tuple[str, ...] = SERVED_VERSIONS,
        tokens: TokenStore | None = None,
        max_elements: int = MAX_ELEMENTS,
        max_fields: int = MAX_FIELDS,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(market, faults, quota, quota_clock=quota_clock)
        self.versions = versions
        self.tokens = tokens or TokenStore()
        self.max_elements = max_elements
        self.max_fields = max_fields
        self.router: Router[Handler] = Router()
        r = self.router.add
        acct = r"/rest/adAccounts/(?P<acct>\d+)"
        r("GET", r"/rest/adAccounts", self._search_accounts)
        r("GET", acct, self._get_account)
        r("GET", acct + r"/adCampaignGroups", self._search_campaign_groups)
        r("GET", acct + r"/adCampaignGroups/(?P<group>\d+)", self._get_campaign_group)
        r("POST", acct + r"/adCampaignGroups/(?P<group>\d+)", self._update_campaign_group)
        r("GET", acct + r"/adCampaigns", self._search_campaigns)
        r("GET", acct + r"/adCampaigns/(?P<campaign>\d+)", self._get_campaign)
        r("POST", acct + r"/adCampaigns/(?P<campaign>\d+)", self._update_campaign)
        r("GET", acct + r"/creatives", self._search_creatives)
        r("GET", r"/rest/adAnalytics", self._analytics)

    # ------------------------------------------------------------------ serving
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (see the module docstring for the order of checks)."""
        path = request.url.path.rstrip("/") or "/"
        if path == "/oauth/v2/accessToken":
            return self._token_endpoint(request)
        if not path.startswith("/rest/"):
            return _error(errors.not_found(path))
        try:
            self._check_headers(request)
            token = _bearer(request)
            self.tokens.check(token, self.market.now())
        except LinkedInError as err:
            return _error(err)
        who = self.tokens.who(token)
        found = self.router.match(request.method, path)
        if found is None:
            missing = (errors.method_not_allowed(request.method, path)
                       if self.router.allows(path) else errors.not_found(path))
            return Reply(_error(missing).response, who=who)
        handler, groups = found
        try:
            query = parse_query(request.url.query.decode("ascii", "replace"))
        except RestliParseError as exc:
            return Reply(_error(errors.illegal(f"Invalid query: {exc}")).response, who=who)
        call = Call(request, query, groups, who)
        try:
            call.account = self._account_of(call)
        except LinkedInError as err:
            return Reply(_error(err).response, who=who)
        return self._serve(handler, call, path)

    def _serve(self, handler: Handler, call: Call, path: str) -> Reply:
        listing = call.request.method == "GET" and (
            path.endswith(("/adCampaignGroups", "/adCampaigns", "/creatives", "/adAccounts",
                           "/adAnalytics"))
        )
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if listing:
            eligible.add(fk.BAD_RECORD)
            if "pageToken" in call.query or call.query.get("start", "0") != "0":
                eligible.add(fk.REPEATED_CURSOR)
        call.fault = self.faults.draw(eligible, path)
        early = self._early_fault(call)
        if early is not None:
            return early
        if not self._admit(call.who):
            return self._reply(call, _error(errors.throttled()).response)
        try:
            status, body = handler(call)
        except LinkedInError as err:
            return self._reply(call, _error(err).response)
        if body is None:
            return self._reply(call, httpx.Response(status))
        if call.fault == fk.BAD_RECORD:
            _corrupt(body)
        response = _json(status, body)
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(status, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, delay)

    def _early_fault(self, call: Call) -> Reply | None:
        kind = call.fault
        if kind == fk.HTTP_429:
            # LinkedIn never sends Retry-After; a generic 429 is as bare as its throttle.
            return self._reply(call, _json(429, {"status": 429, "message": "Too Many Requests"}))
        if kind == fk.THROTTLE:
            return self._reply(call, _error(errors.throttled()).response)
        if kind in (fk.HTTP_500, fk.HTTP_503):
            err = errors.server_error(500 if kind == fk.HTTP_500 else 503)
            return self._reply(call, _error(err).response)
        if kind == fk.EXPIRED_TOKEN:
            return self._reply(call, _error(errors.expired_token()).response)
        return None

    def _admit(self, who: str) -> bool:
        cfg = self.quota.config
        scopes = (("app", cfg.app_calls), (f"member:{who}", cfg.user_calls))
        for scope, limit in scopes:
            usage = self.quota.usage(scope, limit)
            if usage is not None and usage.exhausted:
                return False
        self.quota.record(*(scope for scope, limit in scopes if limit is not None))
        return True

    def _reply(self, call: Call, response: httpx.Response, delay: float = 0.0) -> Reply:
        return Reply(response, delay=delay, fault=call.fault, who=call.who,
                     account_id=call.account)

    # ------------------------------------------------------------------ checks
    def _check_headers(self, request: httpx.Request) -> None:
        version = request.headers.get("LinkedIn-Version")
        if not version:
            raise errors.version_missing()
        if version not in self.versions:
            raise errors.version_inactive(version)
        protocol = request.headers.get("X-Restli-Protocol-Version")
        if protocol != "2.0.0":
            raise errors.bad_protocol(protocol)

    def _account_of(self, call: Call) -> str | None:
        number = call.groups.get("acct")
        if number is None and "accounts" in call.query:
            try:
                urns = parse_value(call.query["accounts"])
            except RestliParseError:
                return None  # the handler reports the syntax error
            first = urns[0] if isinstance(urns, list) and urns else None
            number = urn_number(first, ACCOUNT_URN) if isinstance(first, str) else None
            return number if number and self.market.account(PLATFORM, number) else None
        if number is None:
            return None
        if self.market.account(PLATFORM, number) is None:
            raise errors.not_found(f"{ACCOUNT_URN}{number}")
        return number

    # ------------------------------------------------------------------ token
    def _token_endpoint(self, request: httpx.Request) -> Reply:
        if request.method != "POST":
            return _error(errors.method_not_allowed(request.method, request.url.path))
        try:
            body = self.tokens.refresh(request_params(request), self.market.now())
        except OAuthError as err:
            return Reply(_json(err.status, err.body()))
        return Reply(_json(200, body))

    # ------------------------------------------------------------------ paging
    def _page(self, call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
        q = call.query
        if "start" in q or "count" in q:  # the older index paging
            start, count = _int(q.get("start", "0"), "start"), _int(q.get("count", "10"), "count")
            chunk = items[start : start + count]
            if call.fault == fk.REPEATED_CURSOR:
                chunk = items[max(0, start - count) : start]
            return {"paging": {"start": start, "count": count, "total": len(items), "links": []},
                    "elements": chunk}
        size = _int(q.get("pageSize", str(DEFAULT_PAGE_SIZE)), "pageSize")
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise errors.illegal(f"pageSize must be within 1..{MAX_PAGE_SIZE}")
        offset = _decode_token(q["pageToken"]) if "pageToken" in q else 0
        chunk = items[offset : offset + size]
        metadata: dict[str, Any] = {}
        if offset + size < len(items):
            metadata["nextPageToken"] = _encode_token(offset + size)
        if call.fault == fk.REPEATED_CURSOR:
            metadata["nextPageToken"] = q["pageToken"]  # the same page token again
        return {"paging": {"start": offset, "count": size, "links": []}, "elements": chunk,
                "metadata": metadata}

    # ------------------------------------------------------------------ handlers
    def _search_accounts(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.query.get("q") != "search":
            raise errors.illegal("adAccounts needs the search finder (q=search)")
        items = [render_account(a) for a in self.market.accounts(PLATFORM)]
        if "search" in call.query:
            wanted = _status_filter(call.query["search"])
            items = [i for i in items if wanted is None or i["status"] in wanted]
        return 200, self._page(call, items)

    def _get_account(self, call: Call) -> tuple[int, dict[str, Any]]:
        acc = self.market.account(PLATFORM, call.groups["acct"])
        assert acc is not None
        return 200, render_account(acc)

    def _search_campaign_groups(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.query.get("q") != "search":
            raise errors.illegal("adCampaignGroups needs the search finder (q=search)")
        campaigns = self.market.campaigns(PLATFORM, call.groups["acct"])
        items = [render_campaign_group(self.market, c) for c in campaigns]
        if "search" in call.query:
            wanted = _status_filter(call.query["search"])
            items = [i for i in items if wanted is None or i["status"] in wanted]
        return 200, self._page(call, items)

    def _search_campaigns(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.query.get("q") != "search":
            raise errors.illegal("adCampaigns needs the search finder (q=search)")
        groups = self.market.ad_groups(PLATFORM, call.groups["acct"])
        return 200, self._page(call, [render_campaign(self.market, g) for g in groups])

    def _campaign(self, call: Call) -> AdGroup:
        group = self.market.entity(PLATFORM, call.groups["campaign"])
        if not isinstance(group, AdGroup) or group.account_id != call.groups["acct"]:
            raise errors.not_found(f"{CAMPAIGN_URN}{call.groups['campaign']}")
        return group

    def _campaign_group(self, call: Call) -> Campaign:
        campaign = self.market.entity(PLATFORM, call.groups["group"])
        if not isinstance(campaign, Campaign) or campaign.account_id != call.groups["acct"]:
            raise errors.not_found(f"{CAMPAIGN_GROUP_URN}{call.groups['group']}")
        return campaign

    def _get_campaign_group(self, call: Call) -> tuple[int, dict[str, Any]]:
        return 200, render_campaign_group(self.market, self._campaign_group(call))

    def _get_campaign(self, call: Call) -> tuple[int, dict[str, Any]]:
        return 200, render_campaign(self.market, self._campaign(call))

    def _search_creatives(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.query.get("q") != "criteria":
            raise errors.illegal("creatives needs the criteria finder (q=criteria)")
        ads = self.market.ads(PLATFORM, call.groups["acct"])
        return 200, self._page(call, [render_creative(self.market, a) for a in ads])

    def _analytics(self, call: Call) -> tuple[int, dict[str, Any]]:
        today = self._utc_today()
        query = parse_analytics(call.query, today, self.max_fields)
        elements = build_elements(self.market, query)[: self.max_elements]
        return 200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": elements}

    def _utc_today(self) -> date:
        return self.market.now().date()

    def _update_campaign(self, call: Call) -> tuple[int, None]:
        return self._partial_update(call, self._campaign, "campaign")

    def _update_campaign_group(self, call: Call) -> tuple[int, None]:
        return self._partial_update(call, self._campaign_group, "campaignGroup")

    def _partial_update(
        self, call: Call, find: Callable[[Call], AdGroup | Campaign], entity_type: str
    ) -> tuple[int, None]:
        """Apply a ``PARTIAL_UPDATE`` of ``dailyBudget`` and/or ``status``; 204, no body.

        ``find`` names the entity: a campaign (a market ad group) or a campaign group (a
        market campaign); ``entity_type`` is its name in the mutation log.
        """
        method = call.request.headers.get("X-RestLi-Method", "")
        if method.upper() != "PARTIAL_UPDATE":
            raise errors.illegal("updates need the header X-RestLi-Method: PARTIAL_UPDATE")
        entity = find(call)
        try:
            body = json.loads(call.request.content or b"null")
        except ValueError:
            raise errors.illegal("the request body is not JSON") from None
        patch = body.get("patch") if isinstance(body, dict) else None
        if not isinstance(patch, dict) or set(patch) != {"$set"} or not isinstance(
            patch["$set"], dict
        ) or not patch["$set"]:
            raise errors.illegal('the body must be {"patch": {"$set": {...}}}')
        values = patch["$set"]
        unknown = set(values) - {"dailyBudget", "status"}
        if unknown:
            raise errors.illegal(f"Unsupported fields in the patch: {sorted(unknown)}")
        changes: list[tuple[str, Any]] = []
        if "dailyBudget" in values:
            changes.append(("dailyBudget", self._budget_arg(entity, values["dailyBudget"])))
        if "status" in values:
            status = values["status"]
            if status not in ("ACTIVE", "PAUSED"):
                raise errors.illegal(f"status {status!r}: the emulator accepts ACTIVE or PAUSED")
            changes.append(("status", status))
        for name, value in changes:
            if name == "dailyBudget":
                minor = self.market.set_budget(PLATFORM, entity.id, value)
                wire = (entity_type, entity.id, name, money(minor[0]), money(minor[1]))
                self.record_budget_change(call.who, wire, entity.id, minor)
            else:
                market = self.market.set_status(PLATFORM, entity.id, value)
                self.record_status_change(call.who, (entity_type, entity.id, name, *market),
                                          entity.id, market)
        return 204, None

    def _budget_arg(self, entity: AdGroup | Campaign, raw: Any) -> int:
        if not isinstance(raw, dict) or set(raw) != {"amount", "currencyCode"}:
            raise errors.illegal('dailyBudget must be {"amount": "75.00", "currencyCode": ...}')
        account = self.market.account(PLATFORM, entity.account_id)
        assert account is not None
        if raw["currencyCode"] != account.currency:
            raise errors.illegal(f"dailyBudget currency must be the account currency "
                                 f"{account.currency}")
        try:
            amount = Decimal(str(raw["amount"])) if isinstance(raw["amount"], str) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise errors.illegal("dailyBudget.amount must be a decimal string like \"75.00\"")
        if amount < MIN_DAILY_BUDGET:
            raise errors.illegal(f"dailyBudget must be at least {MIN_DAILY_BUDGET}")
        if self.market.budget(PLATFORM, entity.id) is None:
            if isinstance(entity, Campaign):
                raise errors.illegal("This campaign group holds no budget: its campaigns "
                                     "carry their own daily budgets")
            raise errors.illegal("This campaign's budget is managed by its campaign group")
        return int(amount * 100)


def linkedin_ads(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> LinkedInAdsEmulator:
    """Build the LinkedIn emulator: the ``emulators.registry`` factory (options: see the class).

    Without a market it builds ``Market(platforms=("linkedin_ads",))``; a market given must
    have the ``linkedin_ads`` layout.
    """
    return LinkedInAdsEmulator(market, faults, quota, **options)


# ---------------------------------------------------------------------- helpers


def _json(status: int, body: dict[str, Any]) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return httpx.Response(status, headers={"content-type": "application/json"}, content=content)


def _error(err: LinkedInError) -> Reply:
    return Reply(_json(err.status, err.body()))


def _bearer(request: httpx.Request) -> str:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        raise errors.missing_token()
    return str(auth[7:].strip())


def _int(raw: str, name: str) -> int:
    if not raw.isdigit():
        raise errors.illegal(f"{name} must be a non-negative integer")
    return int(raw)


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"li-page:{offset}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    prefix, _, number = text.partition(":")
    if prefix != "li-page" or not number.isdigit():
        raise errors.illegal("Invalid pageToken")
    return int(number)


def _status_filter(raw: str) -> set[str] | None:
    try:
        search = parse_value(raw)
    except RestliParseError as exc:
        raise errors.illegal(f"Invalid Rest.li syntax in search: {exc}") from None
    status = search.get("status") if isinstance(search, dict) else None
    if status is None:
        return None
    values = status.get("values") if isinstance(status, dict) else None
    if not isinstance(values, list):
        raise errors.illegal("search=(status:(values:List(...)))")
    return set(values)


def _corrupt(body: dict[str, Any]) -> None:
    """Spoil one field of one element of a page (the ``bad_record`` fault)."""
    rows = body.get("elements") or []
    if not rows:
        return
    row = rows[len(rows) // 2]
    for metric in ("costInLocalCurrency", "conversionValueInLocalCurrency", "impressions",
                   "clicks", "externalWebsiteConversions"):
        if metric in row:
            row[metric] = "12,3x"
            return
    if "campaign" in row:
        row["campaign"] = "urn:li:sponsoredCampaign:x12"
    elif "account" in row:
        row["account"] = "urn:li:sponsoredAccount:"
    else:
        row.pop("id", None)
