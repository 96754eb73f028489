"""The Acme Ads API emulator (``/v1`` and ``/oauth/token``) over a ``Market``.

Market campaign -> Acme campaign; market ad -> the ``ad_id`` of a daily stat (Acme has no
ad groups on its wire). Order of checks for every ``/v1`` request: bearer token -> route ->
account -> injected fault -> quota (429 ``quota_exhausted``) -> handler. Every answer carries
``X-RateLimit-Limit`` and ``X-RateLimit-Remaining`` of the quota it counted against.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router, request_params
from emulators.faults import FaultConfig
from emulators.market import Account, Campaign, Market
from emulators.quota import QuotaConfig

from .auth import OAuthError, TokenStore

__all__ = [
    "MAX_PAGE_SIZE", "MAX_STATS_DAYS", "PLATFORM", "AcmeAdsEmulator", "AcmeError", "acme_ads",
]

PLATFORM = "acme_ads"
TOKEN_PATH = "/oauth/token"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_STATS_DAYS = 93


class AcmeError(Exception):
    """An error answer: ``{"error": {"code", "message"}}`` with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def response(self) -> httpx.Response:
        """Return the error as an HTTP response."""
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return _json(self.status, {"error": {"code": self.code, "message": self.message}},
                     headers)


@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    params: dict[str, str]
    groups: dict[str, str]
    who: str
    account: Account | None = None
    fault: str | None = None


Handler = Callable[[Call], dict[str, Any]]


class AcmeAdsEmulator(Emulator):
    """Stateful Acme Ads API emulator.

    Args:
        market: the market to render (default ``Market(platforms=("acme_ads",))``).
        faults: fault injection (default: none).
        quota: ``account_calls`` per account, ``app_calls`` for the account listing, per
            ``window_seconds``.
        tokens: accepted tokens and the refresh grant (default: the sandbox credentials).
        quota_clock: monotonic clock for the quota window (tests).

    """

    platform = PLATFORM

    def __init__(
        self,
        market: Market | None = None,
        faults: FaultConfig | None = None,
        quota: QuotaConfig | None = None,
        *,
        tokens: TokenStore | None = None,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(market, faults, quota, quota_clock=quota_clock)
        self.tokens = tokens or TokenStore()
        self.router: Router[Handler] = Router()
        account = r"/v1/accounts/(?P<account>\d+)"
        self.router.add("GET", r"/v1/accounts", self._list_accounts)
        self.router.add("GET", account, self._get_account)
        self.router.add("GET", account + r"/campaigns", self._list_campaigns)
        self.router.add("GET", account + r"/ad_stats", self._ad_stats)

    # ------------------------------------------------------------------ serving
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one request (see the module docstring for the order of checks)."""
        path = request.url.path.rstrip("/") or "/"
        if path == TOKEN_PATH:
            return self._token_endpoint(request)
        token = _bearer(request)
        state = self.tokens.state(token, self.market.now()) if token else "invalid"
        if state != "valid":
            code = "token_expired" if state == "expired" else "invalid_token"
            return Reply(AcmeError(401, code, f"the access token is {state}").response())
        who = self.tokens.who(token)
        found = self.router.match(request.method, path)
        if found is None:
            missing = (AcmeError(405, "method_not_allowed", f"{request.method} {path}")
                       if self.router.allows(path) else AcmeError(404, "not_found", path))
            return Reply(missing.response(), who=who)
        handler, groups = found
        call = Call(request, dict(request.url.params.multi_items()), groups, who)
        if "account" in groups:
            call.account = self.market.account(PLATFORM, groups["account"])
            if call.account is None:
                error = AcmeError(404, "not_found", f"account {groups['account']} not found")
                return Reply(error.response(), who=who)
        return self._serve(handler, call, path)

    def _serve(self, handler: Handler, call: Call, path: str) -> Reply:
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if path != f"/v1/accounts/{call.groups.get('account')}":  # a collection
            eligible.add(fk.BAD_RECORD)
            if "cursor" in call.params:
                eligible.add(fk.REPEATED_CURSOR)
        call.fault = self.faults.draw(eligible, path)
        early = _early_fault(call.fault, self.faults.config)
        if early is not None:
            return self._reply(call, early.response())
        scope, limit = self._quota_scope(call)
        usage = self.quota.usage(scope, limit)
        if usage is not None and usage.exhausted:
            error = AcmeError(429, "quota_exhausted", "the call quota is spent",
                              retry_after=usage.regain_seconds)
            return self._reply(call, error.response())
        if limit is not None:
            self.quota.record(scope)
        try:
            body = handler(call)
        except AcmeError as err:
            return self._reply(call, err.response())
        if call.fault == fk.BAD_RECORD:
            _corrupt(body)
        if call.fault == fk.REPEATED_CURSOR:
            body.setdefault("paging", {})["next_cursor"] = call.params["cursor"]
        headers = {}
        after = self.quota.usage(scope, limit)
        if after is not None:
            headers = {"X-RateLimit-Limit": str(after.limit),
                       "X-RateLimit-Remaining": str(max(0, after.limit - after.calls))}
        response = _json(200, body, headers)
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(200, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, delay)

    def _quota_scope(self, call: Call) -> tuple[str, int | None]:
        if call.account is None:
            return "app", self.quota.config.app_calls
        return f"account:{call.account.id}", self.quota.config.account_calls

    def _reply(self, call: Call, response: httpx.Response, delay: float = 0.0) -> Reply:
        return Reply(response, delay=delay, fault=call.fault, who=call.who,
                     account_id=call.account.id if call.account is not None else None)

    # ------------------------------------------------------------------ token
    def _token_endpoint(self, request: httpx.Request) -> Reply:
        if request.method != "POST":
            return Reply(AcmeError(405, "method_not_allowed", "POST the token grant").response())
        try:
            body = self.tokens.refresh(request_params(request), self.market.now())
        except OAuthError as err:
            return Reply(_json(err.status, err.body()))
        return Reply(_json(200, body))

    # ------------------------------------------------------------------ handlers
    def _list_accounts(self, call: Call) -> dict[str, Any]:
        return _page(call.params, [_render_account(a) for a in self.market.accounts(PLATFORM)])

    def _get_account(self, call: Call) -> dict[str, Any]:
        assert call.account is not None
        return _render_account(call.account)

    def _list_campaigns(self, call: Call) -> dict[str, Any]:
        assert call.account is not None
        campaigns = self.market.campaigns(PLATFORM, call.account.id)
        return _page(call.params, [self._render_campaign(c) for c in campaigns])

    def _ad_stats(self, call: Call) -> dict[str, Any]:
        account = call.account
        assert account is not None
        since = _day(call.params, "since")
        until = _day(call.params, "until")
        if until < since:
            raise AcmeError(400, "invalid_request", "until is before since")
        if (until - since).days >= MAX_STATS_DAYS:
            raise AcmeError(400, "invalid_request", f"at most {MAX_STATS_DAYS} days per call")
        today = self.market.local_today(PLATFORM, account.id)
        stats = []
        for ad in self.market.ads(PLATFORM, account.id):
            day = max(since, ad.start_day)
            while day <= min(until, today):
                truth = self.market.truth(PLATFORM, ad.id, day)
                if truth.delivered:
                    stats.append({
                        "date": day.isoformat(), "account_id": account.id,
                        "campaign_id": ad.campaign_id, "ad_id": ad.id,
                        "spend": f"{truth.spend:.2f}", "impressions": truth.impressions,
                        "clicks": truth.clicks, "conversions": truth.conversions,
                        "conversion_value": f"{truth.value:.2f}",
                    })
                day += timedelta(days=1)
        stats.sort(key=lambda s: (s["date"], s["ad_id"]))
        return _page(call.params, stats)

    def _render_campaign(self, campaign: Campaign) -> dict[str, Any]:
        budget = self.market.budget(PLATFORM, campaign.id)
        return {
            "id": campaign.id,
            "account_id": campaign.account_id,
            "name": campaign.name,
            "status": self.market.status(PLATFORM, campaign.id).lower(),
            "objective": campaign.objective,
            "daily_budget": f"{budget // 100}.{budget % 100:02d}" if budget is not None else None,
            "created_at": campaign.created_time.isoformat(),
            "updated_at": self.market.updated_time(PLATFORM, campaign.id).isoformat(),
        }


def acme_ads(
    market: Market | None = None,
    faults: FaultConfig | None = None,
    quota: QuotaConfig | None = None,
    **options: Any,
) -> AcmeAdsEmulator:
    """Build the Acme emulator: the ``emulators.registry`` factory (options: see the class)."""
    return AcmeAdsEmulator(market, faults, quota, **options)


# ---------------------------------------------------------------------- helpers


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None
          ) -> httpx.Response:
    content = json.dumps(body, separators=(",", ":")).encode()
    return httpx.Response(
        status, headers={"content-type": "application/json", **(headers or {})}, content=content
    )


def _early_fault(kind: str | None, config: FaultConfig) -> AcmeError | None:
    if kind == fk.HTTP_429:
        return AcmeError(429, "rate_limited", "too many requests", retry_after=config.retry_after)
    if kind == fk.THROTTLE:
        return AcmeError(429, "quota_exhausted", "the call quota is spent",
                         retry_after=config.retry_after)
    if kind in (fk.HTTP_500, fk.HTTP_503):
        return AcmeError(500 if kind == fk.HTTP_500 else 503, "server_error", "try again later")
    if kind == fk.EXPIRED_TOKEN:
        return AcmeError(401, "token_expired", "the access token has expired")
    return None


def _bearer(request: httpx.Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _render_account(account: Account) -> dict[str, Any]:
    return {"id": account.id, "name": account.name, "currency": account.currency,
            "timezone": account.timezone, "status": "active"}


def _day(params: dict[str, str], name: str) -> date:
    try:
        return date.fromisoformat(params[name])
    except KeyError:
        raise AcmeError(400, "invalid_request", f"{name} is required") from None
    except ValueError:
        raise AcmeError(400, "invalid_request", f"{name} must be YYYY-MM-DD") from None


def _page(params: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    raw = params.get("limit", str(DEFAULT_PAGE_SIZE))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise AcmeError(400, "invalid_request", f"limit must be within 1..{MAX_PAGE_SIZE}")
    size = int(raw)
    offset = _decode_cursor(params["cursor"]) if "cursor" in params else 0
    paging: dict[str, Any] = {}
    if offset + size < len(items):
        paging["next_cursor"] = _encode_cursor(offset + size)
    return {"data": items[offset : offset + size], "paging": paging}


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"acme:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        text = ""
    prefix, _, number = text.partition(":")
    if prefix != "acme" or not number.isdigit():
        raise AcmeError(400, "invalid_request", "invalid cursor")
    return int(number)


def _corrupt(body: dict[str, Any]) -> None:
    """Spoil one field of one record of a page (the ``bad_record`` fault)."""
    records = body.get("data") or []
    if records:
        record = records[len(records) // 2]
        record["spend" if "spend" in record else "id"] = "12,3x"
