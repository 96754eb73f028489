"""The Meta Marketing (Graph) API emulator (surface pinned in docs/contracts.md).

Order of checks for every request: version -> token (and appsecret_proof) -> route ->
injected fault -> quota -> handler. Errors are Graph error bodies; every answer carries
the usage headers for the account it touched.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from emulators import faults as fk
from emulators._base import Emulator, Reply, Router, request_params
from emulators.faults import FaultConfig
from emulators.market import Account, Ad, AdGroup, Campaign, Market
from emulators.meta_ads import errors
from emulators.meta_ads.auth import TokenStore
from emulators.meta_ads.capi import CapiLog
from emulators.meta_ads.errors import GraphError
from emulators.meta_ads.insights import InsightsQuery, build_rows, parse_query
from emulators.meta_ads.nodes import NODE_TYPES, PLATFORM, graph_time, parse_fields, select
from emulators.meta_ads.paging import page_of
from emulators.meta_ads.reports import COMPLETED, FAILED, ReportRun, ReportRuns
from emulators.meta_ads.usage import INSIGHTS, MANAGEMENT, MetaUsage
from emulators.quota import QuotaConfig

SERVED_VERSIONS = ("v25.0", "v26.0", "v27.0")
_VERSION = re.compile(r"^/(?P<version>v(?P<major>\d+)\.\d+)(?P<rest>/.*)?$")
_ID = r"(?P<id>\d+)"
_ACT = r"(?P<act>act_\d+)"


@dataclass
class Call:
    """One authenticated request on its way to a handler."""

    request: httpx.Request
    params: dict[str, str]
    groups: dict[str, str]
    who: str
    account: str | None = None  # act_... the call is billed to
    fault: str | None = None


Handler = Callable[[Call], dict[str, Any]]


class MetaAdsEmulator(Emulator):
    """Stateful Graph API emulator over a ``Market``.

    Args:
        market: the market to render (default ``Market()``: seed 0, real clock).
        faults: fault injection (default: none).
        quota: declared quotas (default ``QuotaConfig()``).
        versions: API versions served; older ones answer 2635, others 2500.
        tokens: accepted tokens (default: the sandbox token, app id and secret).
        report_steps: polls a report run needs before it completes.
        failing_reports: the first N report runs end in ``Job Failed``.
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
        report_steps: int = 3,
        failing_reports: int = 0,
        quota_clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(market, faults, quota, quota_clock=quota_clock)
        self.versions = versions
        self.tokens = tokens or TokenStore()
        self.reports = ReportRuns(steps=report_steps, failing=failing_reports)
        self.usage = MetaUsage(self.quota)
        self._rows_cache: dict[tuple[object, ...], list[dict[str, Any]]] = {}
        self._rows_lock = threading.Lock()
        self._sequence = itertools.count()
        self.capi = CapiLog()
        self.router: Router[Handler] = Router()
        r = self.router.add
        r("GET", r"/me", self._me)
        r("GET", r"/me/adaccounts", self._adaccounts)
        r("GET", rf"/{_ACT}", self._account)
        r("GET", rf"/{_ACT}/(?P<edge>campaigns|adsets|ads)", self._edge)
        r("GET", rf"/{_ACT}/insights", self._insights_sync)
        r("POST", rf"/{_ACT}/insights", self._insights_start)
        r("GET", rf"/{_ID}", self._node)
        r("GET", rf"/{_ID}/insights", self._node_insights)
        r("POST", r"/(?P<pixel>\d+)/events", self._capi_events)
        r("POST", rf"/{_ID}", self._write)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, request: httpx.Request) -> Reply:
        """Answer one Graph request (see the module docstring for the order of checks)."""
        path = request.url.path.rstrip("/") or "/"
        params = request_params(request)
        trace = f"{request.method}{request.url}{next(self._sequence)}"
        anonymous = self.usage.headers(None, MANAGEMENT, "-")
        try:
            rest = self._check_version(path)
            if rest == "/oauth/access_token" and request.method == "GET":
                return self._json(200, self._exchange(params), anonymous)
            token = self._token(request, params)
            self.tokens.check(token, self.market.now(), params.get("appsecret_proof"))
        except GraphError as err:
            return self._error(err, trace, anonymous)
        who = self.tokens.who(token)
        found = self.router.match(request.method, rest)
        if found is None:
            missing = errors.unknown_path(rest)
            return Reply(self._error(missing, trace, anonymous).response, who=who)
        handler, groups = found
        call = Call(request, params, groups, who)
        try:
            call.account = self._account_of(groups)
        except GraphError as err:
            return Reply(self._error(err, trace, anonymous).response, who=who)
        use_case = INSIGHTS if "insights" in rest else MANAGEMENT
        return self._serve(handler, call, use_case, rest, trace)

    def _serve(self, handler: Handler, call: Call, use_case: str, rest: str, trace: str) -> Reply:
        listing = call.request.method == "GET" and (
            rest.endswith(("/insights", "/campaigns", "/adsets", "/ads", "/adaccounts"))
        )
        eligible = set(fk.KINDS) - fk.DATA_KINDS
        if listing:
            eligible.add(fk.BAD_RECORD)
            if call.params.get("after"):
                eligible.add(fk.REPEATED_CURSOR)
        call.fault = self.faults.draw(eligible, rest)
        user = call.who
        done = self._early_fault(call, use_case, trace)
        if done is not None:
            return done
        throttle = self.usage.admit(call.account, use_case, user)
        headers = self.usage.headers(call.account, use_case, user)
        if throttle is not None:
            return self._reply(call, self._error(throttle, trace, headers).response)
        try:
            body = handler(call)
        except GraphError as err:
            return self._reply(call, self._error(err, trace, headers).response)
        if call.fault == fk.BAD_RECORD:
            _corrupt(body)
        response = self._json(200, body, headers).response
        if call.fault == fk.MALFORMED_JSON:
            raw = response.content
            kept = {k: v for k, v in response.headers.items() if k != "content-length"}
            response = httpx.Response(200, headers=kept, content=raw[: len(raw) // 2])
        delay = self.faults.config.timeout_delay if call.fault == fk.TIMEOUT else 0.0
        return self._reply(call, response, delay)

    def _early_fault(self, call: Call, use_case: str, trace: str) -> Reply | None:
        kind = call.fault
        headers = self.usage.headers(call.account, use_case, call.who)
        if kind == fk.HTTP_429:
            err = GraphError(4, "(#4) Application request limit reached", status=429,
                             transient=True)
            retry = {"Retry-After": str(self.faults.config.retry_after)}
            return self._reply(call, self._error(err, trace, {**headers, **retry}).response)
        if kind in (fk.HTTP_500, fk.HTTP_503):
            err = errors.server_error(500 if kind == fk.HTTP_500 else 503)
            return self._reply(call, self._error(err, trace, headers).response)
        if kind == fk.EXPIRED_TOKEN:
            err = errors.expired_token(graph_time(self.market.now() - timedelta(hours=1)))
            return self._reply(call, self._error(err, trace, headers).response)
        if kind == fk.THROTTLE:
            err = errors.throttled(80000 if use_case == INSIGHTS else 80004)
            hot = self.usage.headers(call.account, use_case, call.who, saturated=True)
            return self._reply(call, self._error(err, trace, hot).response)
        return None

    def _reply(self, call: Call, response: httpx.Response, delay: float = 0.0) -> Reply:
        return Reply(response, delay=delay, fault=call.fault, who=call.who, account_id=call.account)

    # ------------------------------------------------------------------- helpers
    def _check_version(self, path: str) -> str:
        found = _VERSION.match(path)
        if found is None:
            raise errors.unknown_path(path)
        version = found["version"]
        if version not in self.versions:
            oldest = min(int(v[1:].split(".")[0]) for v in self.versions)
            if int(found["major"]) < oldest:
                raise errors.sunset_version(version, self.versions[-1])
            raise errors.unknown_path(path)
        return found["rest"] or "/"

    @staticmethod
    def _token(request: httpx.Request, params: dict[str, str]) -> str:
        token = params.get("access_token")
        auth = request.headers.get("authorization", "")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        if not token:
            raise errors.missing_token()
        return token

    def _account_of(self, groups: dict[str, str]) -> str | None:
        if "act" in groups:
            acc = self.market.account(PLATFORM, groups["act"])
            if acc is None:
                raise errors.unknown_object(groups["act"], "GET")
            return acc.id
        if "id" in groups:
            run = self.reports.get(groups["id"])
            if run is not None:
                return run.account_id
            ent = self.market.entity(PLATFORM, groups["id"])
            if ent is None or isinstance(ent, Account):
                raise errors.unknown_object(groups["id"], "GET")
            return ent.account_id
        return None

    @staticmethod
    def _json(status: int, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        content = json.dumps(body, separators=(",", ":")).encode()
        hdrs = {"content-type": "application/json; charset=UTF-8", **headers}
        return Reply(httpx.Response(status, headers=hdrs, content=content))

    def _error(self, err: GraphError, trace: str, headers: dict[str, str]) -> Reply:
        return self._json(err.status, err.body(trace), {"www-authenticate":
                          f'OAuth "Facebook Platform" "{err.type}"', **headers})

    def _listing(self, call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
        body, chunk = page_of(items, call.request, call.params,
                              repeat_cursor=call.fault == fk.REPEATED_CURSOR)
        out: dict[str, Any] = {"data": chunk, **body}
        if call.params.get("summary") in ("true", "1", "total_count"):
            out["summary"] = {"total_count": len(items)}
        return out

    def _render(
        self, entity: Account | Campaign | AdGroup | Ad, fields: list[str]
    ) -> dict[str, Any]:
        node_type, values = NODE_TYPES[type(entity)]
        return select(node_type, values(self.market, entity), fields)

    # ------------------------------------------------------------------ handlers
    def _exchange(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("grant_type") != "fb_exchange_token":
            raise errors.invalid_parameter("grant_type must be fb_exchange_token")
        token, expires_in = self.tokens.exchange(
            params.get("client_id", ""), params.get("client_secret", ""),
            params.get("fb_exchange_token", ""), self.market.now(),
        )
        return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}

    def _me(self, call: Call) -> dict[str, Any]:
        return select("User", {"id": "10000000000001", "name": "Sandbox System User"},
                      parse_fields(call.params.get("fields")))

    def _adaccounts(self, call: Call) -> dict[str, Any]:
        fields = parse_fields(call.params.get("fields"))
        items = [self._render(a, fields) for a in self.market.accounts(PLATFORM)]
        return self._listing(call, items)

    def _account(self, call: Call) -> dict[str, Any]:
        acc = self.market.account(PLATFORM, call.groups["act"])
        assert acc is not None
        return self._render(acc, parse_fields(call.params.get("fields")))

    def _edge(self, call: Call) -> dict[str, Any]:
        fields = parse_fields(call.params.get("fields"))
        wanted = _status_filter(call.params.get("effective_status"))
        act, edge = call.groups["act"], call.groups["edge"]
        entities: list[Campaign] | list[AdGroup] | list[Ad]
        if edge == "campaigns":
            entities = self.market.campaigns(PLATFORM, act)
        elif edge == "adsets":
            entities = self.market.ad_groups(PLATFORM, act)
        else:
            entities = self.market.ads(PLATFORM, act)
        if wanted is None:
            return self._listing(call, [self._render(e, fields) for e in entities])
        kept = [
            self._render(e, fields) for e in entities
            if NODE_TYPES[type(e)][1](self.market, e)["effective_status"] in wanted
        ]
        return self._listing(call, kept)

    def _today(self, account: str) -> Any:
        return self.market.local_today(PLATFORM, account)

    def _rows(self, scope: str, query: InsightsQuery) -> list[dict[str, Any]]:
        # Paging a sync query re-asks for the same rows; compute them once per minute of
        # market time and state version (today's partial row still moves with the clock).
        minute = self.market.now().replace(second=0, microsecond=0)
        key = (scope, query, self.market.version, minute)
        with self._rows_lock:
            rows = self._rows_cache.get(key)
        if rows is None:
            entity = self.market.entity(PLATFORM, scope)
            ads = [entity] if isinstance(entity, Ad) else self.market.ads(PLATFORM, scope)
            rows = build_rows(self.market, ads, query)
            with self._rows_lock:
                if len(self._rows_cache) >= 32:
                    self._rows_cache.pop(next(iter(self._rows_cache)))
                self._rows_cache[key] = rows
        return rows

    def _insights_sync(self, call: Call) -> dict[str, Any]:
        assert call.account is not None
        query = parse_query(call.params, "account", self._today(call.account))
        return self._listing(call, self._rows(call.account, query))

    def _insights_start(self, call: Call) -> dict[str, Any]:
        assert call.account is not None
        query = parse_query(call.params, "account", self._today(call.account))
        run = self.reports.create(call.account, query, self.market.now())
        return {"report_run_id": run.id}

    def _node(self, call: Call) -> dict[str, Any]:
        node_id = call.groups["id"]
        run = self.reports.get(node_id)
        if run is not None:
            return self._poll(run, parse_fields(call.params.get("fields")))
        entity = self.market.entity(PLATFORM, node_id)
        assert entity is not None and not isinstance(entity, Account)
        return self._render(entity, parse_fields(call.params.get("fields")))

    def _poll(self, run: ReportRun, fields: list[str]) -> dict[str, Any]:
        status, pct = self.reports.poll(run)
        if status == COMPLETED and run.rows is None:
            ads = self.market.ads(PLATFORM, run.account_id)
            run.rows = build_rows(self.market, ads, run.query)
            run.completed = self.market.now()
        values: dict[str, Any] = {
            "id": run.id, "account_id": run.account_id.removeprefix("act_"),
            "async_status": status, "async_percent_completion": pct,
            "date_start": run.query.since.isoformat(), "date_stop": run.query.until.isoformat(),
            "time_ref": int(run.created.timestamp()),
            "time_completed": int(run.completed.timestamp()) if run.completed else None,
            "is_running": status not in (COMPLETED, FAILED), "report_run_id": run.id,
        }
        wanted = fields or ["id", "account_id", "async_status", "async_percent_completion",
                            "date_start", "date_stop", "time_ref", "time_completed",
                            "is_running"]
        return select("AdReportRun", values, wanted)

    def _node_insights(self, call: Call) -> dict[str, Any]:
        node_id = call.groups["id"]
        run = self.reports.get(node_id)
        if run is not None:
            if run.failed:
                raise GraphError(2601, f"Report run {run.id} failed; start a new one",
                                 transient=True)
            if run.rows is None:
                raise errors.invalid_parameter(
                    f"Report run {run.id} is not completed yet; poll it until Job Completed"
                )
            return self._listing(call, run.rows)
        entity = self.market.entity(PLATFORM, node_id)
        assert entity is not None and not isinstance(entity, Account)
        default_level = {Campaign: "campaign", AdGroup: "adset", Ad: "ad"}[type(entity)]
        query = parse_query(call.params, default_level, self._today(entity.account_id))
        return self._listing(call, self._rows(node_id, query))

    def _capi_events(self, call: Call) -> dict[str, Any]:
        """Conversions API: validate, deduplicate and log events (see ``capi``)."""
        return self.capi.ingest(call.groups["pixel"], call.params, self.market.now())

    def _write(self, call: Call) -> dict[str, Any]:
        node_id = call.groups["id"]
        entity = self.market.entity(PLATFORM, node_id)
        if not isinstance(entity, Campaign | AdGroup | Ad):
            raise errors.unknown_object(node_id, "POST")
        node_type = NODE_TYPES[type(entity)][0]
        changes: list[tuple[str, Any]] = []
        if "daily_budget" in call.params:
            if isinstance(entity, Ad):
                raise errors.invalid_parameter("Param daily_budget is not valid for node type Ad")
            changes.append(("daily_budget", self._budget_arg(entity, call.params["daily_budget"])))
        if "status" in call.params:
            status = call.params["status"]
            if status not in ("ACTIVE", "PAUSED"):
                raise errors.invalid_parameter(
                    f"Param status must be one of {{ACTIVE, PAUSED}} in the emulator, got {status}"
                )
            changes.append(("status", status))
        if not changes:
            raise errors.invalid_parameter("No fields to update (daily_budget, status)")
        for field_name, value in changes:
            if field_name == "daily_budget":
                minor = self.market.set_budget(PLATFORM, node_id, int(value))
                wire = (node_type, node_id, field_name, str(minor[0]), str(minor[1]))
                self.record_budget_change(call.who, wire, node_id, minor)
            else:
                market = self.market.set_status(PLATFORM, node_id, str(value))
                self.record_status_change(call.who, (node_type, node_id, field_name, *market),
                                          node_id, market)
        return {"success": True}

    def _budget_arg(self, entity: Campaign | AdGroup, raw: str) -> int:
        if not raw.isdigit():
            raise errors.invalid_parameter("Param daily_budget must be an integer (minor units)")
        if self.market.budget(PLATFORM, entity.id) is None:
            holder = "its ad sets" if isinstance(entity, Campaign) else "its campaign"
            raise errors.invalid_parameter(
                f"Budget is set on {holder}; campaign and ad set budgets are mutually exclusive"
            )
        if int(raw) < 100:
            raise errors.invalid_parameter("daily_budget must be at least 100 (minor units)")
        return int(raw)


def _status_filter(raw: str | None) -> set[str] | None:
    """Parse the ``effective_status`` edge filter (a JSON list or a comma list)."""
    if not raw:
        return None
    try:
        loaded = json.loads(raw)
    except ValueError:
        loaded = raw.split(",")
    if not isinstance(loaded, list) or not all(isinstance(x, str) for x in loaded):
        raise errors.invalid_parameter("effective_status must be a list of statuses")
    return {x.strip() for x in loaded}


def _corrupt(body: dict[str, Any]) -> None:
    """Spoil one field of one row of a page (the ``bad_record`` fault)."""
    rows = body.get("data") or []
    if not rows:
        return
    row = rows[len(rows) // 2]
    if "spend" in row:
        row["spend"] = row["spend"].replace(".", ",") + "x"
    elif "ad_id" in row:
        del row["ad_id"]
    elif "daily_budget" in row:
        row["daily_budget"] = "12,3x"
    else:
        row.pop("id", None)
