"""MetaAdsConnector: Graph API hooks (classification, usage headers) and the stream reads.

Sample error body (HTTP 400, a throttle)::

    {"error": {"message": "(#17) User request limit reached", "type": "OAuthException",
               "code": 17, "error_subcode": 2446079, "is_transient": true, "fbtrace_id": "A.."}}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from connectors._base import ErrorAnswer
from connectors.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReportJobError,
    TokenExpiredError,
    VersionError,
)
from connectors.meta_ads import settings as C
from connectors.meta_ads.auth import MetaTokenAuth
from connectors.meta_ads.config import MetaAdsSettings
from connectors.meta_ads.conversions_api import CapiEvent, CapiResult, send_events
from connectors.meta_ads.models import (
    AccountRow,
    AdRow,
    AdSetRow,
    CampaignRow,
    GraphAccount,
    GraphAd,
    GraphAdSet,
    GraphCampaign,
    GraphInsight,
    InsightDailyRow,
)
from connectors.meta_ads.streams import ENTITY_ENDPOINTS, STREAMS
from connectors.pagination import NextUrlPaginator
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector, validation_message
from connectors.streams import (
    AccountInfo,
    DateWindow,
    StreamResult,
)

__all__ = ["MetaAdsConnector"]

logger = logging.getLogger("connectors.meta_ads")


def _json_header(response: httpx.Response, name: str) -> Any:
    raw = response.headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _pcts(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


class MetaAdsConnector(PlatformConnector[MetaAdsSettings]):
    """Reads Meta ad accounts, objects and daily insights (Graph API); writes budgets, statuses.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    auth: MetaTokenAuth

    def make_auth(self, settings: MetaAdsSettings, clock: Callable[[], float]) -> MetaTokenAuth:
        """Token auth; with app credentials it exchanges a token nearing its known expiry.

        Without app credentials ``auth.can_refresh`` is False: the base loop then raises
        TokenExpiredError instead of forcing a refresh.
        """
        return MetaTokenAuth(
            access_token=settings.access_token,
            token_url=f"{settings.base_url}/{settings.api_version}/oauth/access_token",
            app_id=settings.app_id,
            app_secret=settings.app_secret,
            expires_at=settings.expires_at_epoch,
            skew_seconds=settings.token_refresh_skew_seconds,
            clock=clock,
        )

    # ------------------------------------------------------------------ hooks

    def new_paginator(self) -> NextUrlPaginator:
        """Follow Graph's ``paging.next`` URLs (records under ``data``)."""
        return NextUrlPaginator()

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read a Graph error: its code decides first (token, version, throttle), then status."""
        status = response.status_code
        found = body.get("error") if isinstance(body, dict) else None
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        code = error.get("code") if isinstance(error.get("code"), int) else None
        subcode = (
            error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
        )
        text = str(error.get("message") or f"HTTP {status} {response.reason_phrase}".strip())
        return ErrorAnswer(
            text,
            error=_graph_error(status, code, subcode, transient=error.get("is_transient") is True),
            code=code,
            subcode=subcode,
        )

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return ``1 - max(usage %)/100`` over Meta's usage headers (0 when blocked).

        Reads ``X-Business-Use-Case-Usage`` (call_count, total_cputime, total_time per
        business use case; ``estimated_time_to_regain_access`` > 0 means blocked),
        ``x-fb-ads-insights-throttle`` (app/account utilisation), ``X-App-Usage`` and
        ``X-Ad-Account-Usage``.
        """
        used: list[float] = []
        blocked = False
        buc = _json_header(response, C.BUC_USAGE_HEADER)
        if isinstance(buc, dict):
            for entries in buc.values():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    used += _pcts(
                        entry.get(k) for k in ("call_count", "total_cputime", "total_time")
                    )
                    regain = entry.get("estimated_time_to_regain_access")
                    blocked = blocked or (isinstance(regain, int | float) and regain > 0)
        insights = _json_header(response, C.INSIGHTS_THROTTLE_HEADER)
        if isinstance(insights, dict):
            used += _pcts(insights.get(k) for k in ("app_id_util_pct", "acc_id_util_pct"))
        app = _json_header(response, C.APP_USAGE_HEADER)
        if isinstance(app, dict):
            used += _pcts(app.get(k) for k in ("call_count", "total_cputime", "total_time"))
        acc = _json_header(response, C.AD_ACCOUNT_USAGE_HEADER)
        if isinstance(acc, dict):
            used += _pcts([acc.get("acc_id_util_pct")])
        if blocked:
            return 0.0
        if not used:
            return None
        return max(0.0, 1.0 - max(used) / 100.0)

    def retry_after(self, response: httpx.Response, error: Any) -> float | None:
        """Return how long Graph asked us to wait, in seconds, if it said.

        ``Retry-After`` first; else the shortest positive hint among the BUC
        ``estimated_time_to_regain_access`` (minutes) and ``X-Ad-Account-Usage``
        ``reset_time_duration`` (seconds, finer grained).
        """
        header = super().retry_after(response, error)
        if header is not None:
            return header
        hints: list[float] = []
        buc = _json_header(response, C.BUC_USAGE_HEADER)
        if isinstance(buc, dict):
            for entries in buc.values():
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        minutes = _pcts([entry.get("estimated_time_to_regain_access")])
                        hints += [m * 60.0 for m in minutes if m > 0]
        acc = _json_header(response, C.AD_ACCOUNT_USAGE_HEADER)
        if isinstance(acc, dict):
            hints += [s for s in _pcts([acc.get("reset_time_duration")]) if s > 0]
        return min(hints) if hints else None

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return Graph's form of an ad account id (``1001`` and ``act_1001`` mean the same)."""
        account_id = account_id.strip()
        return account_id if account_id.startswith("act_") else f"act_{account_id}"

    def list_accounts(self) -> list[AccountInfo]:
        """Return the ad accounts the token can read (filtered by ``settings.account_ids``).

        Accounts whose record does not validate are skipped with a warning.
        """
        accounts: list[AccountInfo] = []
        for page in self.pages(
            self._path("me", "adaccounts"),
            {"fields": ",".join(C.ACCOUNT_FIELDS), "limit": C.ACCOUNT_PAGE_SIZE},
            account=None,
        ):
            for index, raw in enumerate(page.records):
                try:
                    acc = GraphAccount.model_validate(raw)
                except ValidationError as exc:
                    logger.warning(
                        "skipping an invalid ad account (page %d, index %d): %s",
                        page.number,
                        index,
                        validation_message(exc),
                    )
                    continue
                if self.settings.account_ids is None or acc.id in self.settings.account_ids:
                    accounts.append(
                        AccountInfo(
                            id=acc.id,
                            name=acc.name,
                            currency=acc.currency,
                            timezone=acc.timezone_name,
                            status=acc.account_status,
                        )
                    )
        return accounts

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None,
        *, through_today: bool = False,
    ) -> StreamResult:
        """Read one stream of one account.

        Args:
            stream: a name from :meth:`streams`.
            account: the account (from :meth:`list_accounts`).
            window: report days to read (report streams only); ``None`` reads the default
                window (the last ``initial_days`` days). The end is clamped to yesterday in
                the account's time zone.

            through_today: end the window at today, whose row is partial (delivery so
                far: the hourly pacing check reads it).

        Returns:
            Rows with warehouse column names, and rejected records.

        Raises:
            ConfigurationError: unknown stream.
            APIError: the platform failed beyond retries (see ``connectors.errors``).
            PaginationError: the API repeated a cursor.

        """
        spec = self.stream(stream)
        if stream == "accounts":
            rows = RecordCollector(spec, account.id)
            self._read_accounts(account, rows)
        elif stream in ENTITY_ENDPOINTS:
            rows = RecordCollector(spec, account.id)
            self._read_entities(stream, account, rows)
        else:
            clamped = self.clamp_window(account, window, spec, through_today=through_today)
            rows = RecordCollector(spec, account.id, clamped)
            if clamped is not None:
                self._run_report(account, clamped, rows, depth=0)
        return rows.result

    # ------------------------------------------------------------------ writes

    def set_daily_budget(self, account: str, node_id: str, minor_units: int) -> None:
        """Set the daily budget of a campaign (CBO) or an ad set (``POST /{node}``).

        Args:
            account: the ad account the node belongs to (rate limiter and call log key).
            node_id: the campaign or ad set id that holds the budget.
            minor_units: the new budget in the account currency's minor units (cents).

        Raises:
            ConfigurationError: a non-positive amount.
            BadRequestError: Graph refused it (the node holds no budget, or is an ad).

        """
        if isinstance(minor_units, bool) or not isinstance(minor_units, int) or minor_units <= 0:
            raise ConfigurationError(
                f"daily budget must be a positive whole number of minor units, got {minor_units!r}"
            )
        self._update_node(account, node_id, {"daily_budget": str(minor_units)})

    def set_status(self, account: str, node_id: str, status: str) -> None:
        """Set a campaign's, ad set's or ad's configured status to ``ACTIVE`` or ``PAUSED``.

        Raises:
            ConfigurationError: any other status.

        """
        if status not in C.WRITABLE_STATUSES:
            raise ConfigurationError(f"status must be one of {C.WRITABLE_STATUSES}, got {status!r}")
        self._update_node(account, node_id, {"status": status})

    def send_conversions(
        self,
        pixel_id: str,
        events: Iterable[CapiEvent],
        *,
        test_event_code: str | None = None,
        default_country_code: str | None = None,
    ) -> CapiResult:
        """Send offline conversions to a pixel (Conversions API); see ``conversions_api``."""
        return send_events(
            self, pixel_id, events, test_event_code=test_event_code,
            default_country_code=default_country_code,
        )

    def _update_node(self, account: str, node_id: str, form: dict[str, str]) -> None:
        if not str(node_id).isdigit():
            raise ConfigurationError(f"node id {node_id!r} is not a number")
        self.request(
            "POST",
            self._path(node_id),
            account=self.normalize_account_id(account),
            data=form,
            expect_key="success",
            idempotent=False,
        )

    # ------------------------------------------------------------------ reads

    def _path(self, *parts: str) -> str:
        return "/" + "/".join((self.settings.api_version, *parts))

    def _read_accounts(self, account: AccountInfo, rows: RecordCollector) -> None:
        # The account's own node: one call, whatever the number of accounts the token sees.
        answer = self.request(
            "GET",
            self._path(account.id),
            account=account.id,
            params={"fields": ",".join(C.ACCOUNT_FIELDS)},
        )
        rows.add(rows.location(1, 0), answer.payload, _account_row)

    def _read_entities(self, stream: str, account: AccountInfo, rows: RecordCollector) -> None:
        endpoint = ENTITY_ENDPOINTS[stream]
        params = {"fields": ",".join(endpoint.fields), "limit": self.settings.object_page_size}
        to_row = _ENTITY_ROWS[stream](account.id)
        for page in self.pages(self._path(account.id, endpoint.edge), params, account=account.id):
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, to_row)


    # ------------------------------------------------------------------ async reports

    def _run_report(
        self, account: AccountInfo, window: DateWindow, rows: RecordCollector, *, depth: int
    ) -> None:
        """Run one async report; on failure retry once, then split the range in halves."""
        status = ""
        for attempt in (1, 2):
            run_id = self._start_report(account, window)
            status = self._wait_report(account, run_id)
            if status == C.JOB_COMPLETED:
                self._read_report(account, run_id, rows)
                return
            logger.warning(
                "meta_ads report %s for %s %s ended as %r (attempt %d)",
                run_id,
                account.id,
                window,
                status,
                attempt,
            )
        if window.days < 2 or depth >= self.settings.report_max_split_depth:
            raise ReportJobError(
                f"insights report for {window} ended as {status!r} twice and cannot be split "
                "further",
                platform=self.platform,
                account=account.id,
                endpoint=self._path(account.id, "insights"),
            )
        for half in window.split():
            self._run_report(account, half, rows, depth=depth + 1)

    def _start_report(self, account: AccountInfo, window: DateWindow) -> str:
        form = {
            "level": C.INSIGHTS_LEVEL,
            "fields": ",".join(C.INSIGHT_FIELDS),
            "time_range": json.dumps(
                {"since": window.start.isoformat(), "until": window.end.isoformat()}
            ),
            "time_increment": "1",
            "action_attribution_windows": json.dumps(list(self.settings.attribution_windows)),
        }
        answer = self.request(
            "POST",
            self._path(account.id, "insights"),
            account=account.id,
            data=form,
            expect_key="report_run_id",
        )
        return str(answer.payload["report_run_id"])

    def _wait_report(self, account: AccountInfo, run_id: str) -> str:
        """Poll until the job ends; capped exponential waits; raise on timeout."""
        started = self._monotonic()
        wait = self.settings.report_poll_initial_seconds
        while True:
            answer = self.request(
                "GET", self._path(run_id), account=account.id, expect_key="async_status"
            )
            status = str(answer.payload["async_status"])
            if status == C.JOB_COMPLETED or status in C.JOB_FAILED_STATUSES:
                return status
            elapsed = self._monotonic() - started
            if elapsed + wait > self.settings.report_timeout_seconds:
                raise ReportJobError(
                    f"insights report {run_id} still {status!r} after {elapsed:.0f}s",
                    platform=self.platform,
                    account=account.id,
                    endpoint=self._path(run_id),
                )
            self._sleep(wait)
            wait = min(wait * 2, self.settings.report_poll_max_seconds)

    def _read_report(self, account: AccountInfo, run_id: str, rows: RecordCollector) -> None:
        params = {"limit": self.settings.insights_page_size}
        to_row = _insight_row(
            account, self.settings.conversion_action_types, self.settings.attribution_windows
        )
        for page in self.pages(self._path(run_id, "insights"), params, account=account.id):
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, to_row)


def _graph_error(
    status: int, code: int | None, subcode: int | None, *, transient: bool
) -> type[APIError] | None:
    """Return the class Graph's error code decides, or None for the shared ladder.

    Token, version and throttle codes outrank the HTTP status; a transient error is retried
    as a throttle unless it came as a 5xx (then it is a server error). The ladder takes a
    5xx, a 401 and any other client error.
    """
    if code in C.TOKEN_ERROR_CODES:
        return TokenExpiredError if subcode in C.EXPIRED_TOKEN_SUBCODES else AuthenticationError
    if code == C.MISSING_TOKEN_CODE:
        return AuthenticationError
    if code in C.VERSION_ERROR_CODES:
        return VersionError
    if code in C.THROTTLE_CODES:
        return RateLimitError
    if status >= 500:
        return None
    if transient or status == 429 or code in C.TRANSIENT_CODES:
        return RateLimitError
    if status == 404 or (code == 100 and subcode == 33):
        return NotFoundError
    if status == 403 or code in C.PERMISSION_ERROR_CODES or (code and 200 <= code < 300):
        return PermissionDeniedError
    return None


# ---------------------------------------------------------------------- row builders


def _account_row(raw: Any) -> AccountRow:
    acc = GraphAccount.model_validate(raw)
    return AccountRow(
        account_id=acc.id,
        name=acc.name,
        currency=acc.currency,
        timezone_name=acc.timezone_name,
        account_status=acc.account_status,
    )


def _campaign_rows(account_id: str) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CampaignRow:
        c = GraphCampaign.model_validate(raw)
        return CampaignRow(
            account_id=account_id,
            campaign_id=c.id,
            name=c.name,
            status=c.status,
            effective_status=c.effective_status,
            objective=c.objective,
            daily_budget=c.daily_budget,
            lifetime_budget=c.lifetime_budget,
            created_time=c.created_time,
            updated_time=c.updated_time,
        )

    return build


def _ad_set_rows(account_id: str) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> AdSetRow:
        s = GraphAdSet.model_validate(raw)
        return AdSetRow(
            account_id=account_id,
            campaign_id=s.campaign_id,
            ad_set_id=s.id,
            name=s.name,
            status=s.status,
            effective_status=s.effective_status,
            daily_budget=s.daily_budget,
            created_time=s.created_time,
            updated_time=s.updated_time,
        )

    return build


def _ad_rows(account_id: str) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> AdRow:
        a = GraphAd.model_validate(raw)
        return AdRow(
            account_id=account_id,
            campaign_id=a.campaign_id,
            ad_set_id=a.adset_id,
            ad_id=a.id,
            name=a.name,
            status=a.status,
            effective_status=a.effective_status,
            creative_id=a.creative_id,
            created_time=a.created_time,
            updated_time=a.updated_time,
        )

    return build


_ENTITY_ROWS: dict[str, Callable[[str], Callable[[Any], BaseModel]]] = {
    "campaigns": _campaign_rows,
    "ad_sets": _ad_set_rows,
    "ads": _ad_rows,
}


def _insight_row(
    account: AccountInfo, action_types: tuple[str, ...], windows: tuple[str, ...]
) -> Callable[[Any], BaseModel]:
    default_setting = "_".join(windows)

    def build(raw: Any) -> InsightDailyRow:
        r = GraphInsight.model_validate(raw)
        account_id = f"act_{r.account_id}"
        if account_id != account.id:
            raise ValueError(f"row belongs to {account_id}, not {account.id}")
        return InsightDailyRow(
            account_id=account_id,
            campaign_id=r.campaign_id,
            ad_set_id=r.adset_id,
            ad_id=r.ad_id,
            date=r.date_start,
            currency=r.account_currency or account.currency,
            spend=r.spend,
            impressions=r.impressions,
            clicks=r.clicks,
            conversions=GraphInsight.total(r.actions, action_types),
            conversion_value=GraphInsight.total(r.action_values, action_types),
            attribution_setting=r.attribution_setting or default_setting,
            view_conversions=GraphInsight.view_total(r.actions, action_types, windows),
            view_conversion_value=GraphInsight.view_total(r.action_values, action_types, windows),
        )

    return build
