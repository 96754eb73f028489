"""LinkedInAdsConnector: Rest.li hooks (classification, 204 writes) and the stream reads.

Sample error body (HTTP 401)::

    {"status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN",
     "message": "The token used in the request has expired"}

A throttle is a bare 429: no Retry-After, no usage header, so backoff is exponential with
jitter, and ``throttle_headroom`` is counted locally against ``daily_request_quota``.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from connectors._base import ErrorAnswer, Page
from connectors.errors import (
    ConfigurationError,
    FatalAPIError,
    MalformedResponseError,
    VersionError,
)
from connectors.linkedin_ads import restli
from connectors.linkedin_ads import settings as C
from connectors.linkedin_ads.auth import make_auth
from connectors.linkedin_ads.config import LinkedInAdsSettings
from connectors.linkedin_ads.models import (
    AccountRow,
    AnalyticsDailyRow,
    CampaignGroupRow,
    CampaignRow,
    CreativeRow,
    LiAccount,
    LiAnalyticsElement,
    LiCampaign,
    LiCampaignGroup,
    LiCreative,
    bare_id,
)
from connectors.linkedin_ads.streams import ENTITY_FINDERS, STREAMS
from connectors.pagination import CursorPaginator
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector, validation_message
from connectors.streams import AccountInfo, DateWindow, StreamResult

__all__ = ["LinkedInAdsConnector", "ReportTooLargeError", "RestliWrite"]

logger = logging.getLogger("connectors.linkedin_ads")


class ReportTooLargeError(FatalAPIError):
    """One day of one campaign still fills a whole adAnalytics answer (the row cap)."""


class RestliWrite(dict[str, Any]):
    """A JSON body for a Rest.li write, with its ``X-RestLi-Method``.

    The connector's ``request_body`` recognises this type and sends it as JSON with the
    method header.
    """

    def __init__(self, body: Mapping[str, Any], method: str = C.PARTIAL_UPDATE) -> None:
        super().__init__(body)
        self.restli_method = method


class LinkedInAdsConnector(PlatformConnector[LinkedInAdsSettings]):
    """Reads LinkedIn accounts, campaign groups, campaigns, creatives and daily analytics.

    Writes campaigns and campaign groups (budget and status).

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    records_key = "elements"
    _quota_day: date | None = None  # the day _quota_used counts (daily_request_quota)
    _quota_used = 0

    def make_auth(self, settings: LinkedInAdsSettings, clock: Callable[[], float]) -> httpx.Auth:
        """Bearer token, refreshed through OAuth when refresh credentials are configured."""
        return make_auth(settings, clock)

    def default_headers(self, settings: LinkedInAdsSettings) -> dict[str, str]:
        """Send the mandatory version headers on every Rest.li call."""
        return {
            C.VERSION_HEADER: settings.api_version,
            C.PROTOCOL_HEADER: C.RESTLI_PROTOCOL_VERSION,
        }

    # ------------------------------------------------------------------ hooks

    def new_paginator(self) -> CursorPaginator:
        """Finders page with ``pageSize``/``pageToken`` (``metadata.nextPageToken``)."""
        return CursorPaginator(("metadata", "nextPageToken"), param="pageToken", has_more_path=None)

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read a Rest.li error body (``code``, ``serviceErrorCode``, ``message``).

        LinkedIn's throttle is a bare 429 (no Retry-After, no usage header): the ladder's.
        """
        status = response.status_code
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
        code = fields.get("code") if isinstance(fields.get("code"), str) else None
        service = fields.get("serviceErrorCode")
        text = str(fields.get("message") or f"HTTP {status} {response.reason_phrase}".strip())
        if code:
            text = f"{code}: {text}"
        # A version LinkedIn does not serve is named in a client error; a throttle, an outage
        # or a refused token go by the ladder first.
        version = status == C.VERSION_STATUS or code in C.VERSION_ERROR_CODES
        return ErrorAnswer(
            text,
            error=VersionError if version and status < 500 and status not in (401, 429) else None,
            expired=code in C.EXPIRED_TOKEN_CODES,
            code=service if isinstance(service, int) else None,
        )

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the share of ``daily_request_quota`` left today (UTC), counted locally.

        LinkedIn publishes neither its limits nor usage headers; the app's daily quota is
        read off the Developer Portal into the settings. None when no quota is configured.
        """
        quota = self.settings.daily_request_quota
        if quota is None:
            return None
        today = self._clock().date()
        if today != self._quota_day:
            self._quota_day, self._quota_used = today, 0
        self._quota_used += 1
        return max(0.0, 1.0 - self._quota_used / quota)

    def parse_json(self, response: httpx.Response, *, account: str | None, endpoint: str) -> Any:
        """Decode the body; a ``204 No Content`` (Rest.li writes) decodes to None."""
        if response.status_code == 204:
            return None
        return super().parse_json(response, account=account, endpoint=endpoint)

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send a Rest.li write as JSON with its ``X-RestLi-Method``; reads carry no body."""
        if isinstance(data, RestliWrite):
            return {"json": dict(data), "headers": {C.METHOD_HEADER: data.restli_method}}
        return super().request_body(data)

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return the bare number of an account typed as a number or a URN.

        Raises:
            ConfigurationError: not a sponsoredAccount id.

        """
        try:
            return bare_id(account_id.strip(), C.ACCOUNT_URN)
        except ValueError as exc:
            raise ConfigurationError(f"invalid LinkedIn ad account id: {exc}") from None

    def list_accounts(self) -> list[AccountInfo]:
        """List the ad accounts the token can read (``GET /rest/adAccounts?q=search``).

        Days are reported in UTC by LinkedIn, so every account's ``timezone`` is ``UTC``.
        Invalid account records are skipped with a warning.
        """
        accounts: list[AccountInfo] = []
        params = {"q": "search", "pageSize": C.ACCOUNT_PAGE_SIZE}
        for page in self.pages("/rest/adAccounts", params, account=None):
            for index, raw in enumerate(page.records):
                try:
                    acc = LiAccount.model_validate(raw)
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
                        AccountInfo(acc.id, acc.name, acc.currency, C.REPORT_TIMEZONE, acc.status)
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
            window: report days (report streams only); ``None`` reads the last
                ``initial_days`` days. The end is clamped to yesterday (UTC).

            through_today: end the window at today, whose row is partial (delivery so
                far: the hourly pacing check reads it).

        Returns:
            Rows with warehouse column names, and rejected records.

        Raises:
            ConfigurationError: unknown stream.
            APIError: the platform failed beyond retries (see ``connectors.errors``).
            ReportTooLargeError: one campaign-day alone exceeds the analytics row cap.
            PaginationError: the API repeated a page token.

        """
        spec = self.stream(stream)
        if stream == "accounts":
            rows = RecordCollector(spec, account.id)
            answer = self.request("GET", f"/rest/adAccounts/{account.id}", account=account.id)
            rows.add(rows.location(1, 0), answer.payload, _account_row)
        elif stream in ENTITY_FINDERS:
            rows = RecordCollector(spec, account.id)
            to_row = _ENTITY_ROWS[stream](account)
            for page in self._entity_pages(stream, account):
                for index, raw in enumerate(page.records):
                    rows.add(rows.location(page.number, index), raw, to_row)
        else:
            clamped = self.clamp_window(account, window, spec, through_today=through_today)
            rows = RecordCollector(spec, account.id, clamped)
            if clamped is not None:
                self._read_analytics(account, clamped, rows)
        return rows.result

    # ------------------------------------------------------------------ writes

    def get_campaign(self, account: AccountInfo | str, campaign_id: str) -> dict[str, Any]:
        """Read one campaign as a ``linkedin_ads.campaigns`` row (e.g. to verify a write).

        Raises:
            NotFoundError: unknown campaign.
            MalformedResponseError: the campaign record is unusable.

        """
        info = self._account(account)
        path = f"/rest/adAccounts/{info.id}/adCampaigns/{campaign_id}"
        answer = self.request("GET", path, account=info.id)
        try:
            return _campaign_row(info)(answer.payload).model_dump()
        except (ValidationError, ValueError) as exc:
            raise MalformedResponseError(
                f"campaign record is unusable: {exc}", platform=self.platform, account=info.id,
                endpoint=path, status=answer.status,
            ) from None

    def set_campaign_daily_budget(
        self, account: AccountInfo | str, campaign_id: str, amount: Decimal, currency: str
    ) -> None:
        """Set a campaign's daily budget (``PARTIAL_UPDATE`` of ``dailyBudget``).

        Args:
            account: the account (or its id).
            campaign_id: the campaign's bare id.
            amount: major units, at most two decimals (``Decimal("75.00")``).
            currency: ISO code; must be the account's currency.

        Raises:
            ConfigurationError: a negative amount or more than two decimals.
            BadRequestError: LinkedIn refused the value (among others: the campaign's group
                holds the budget).

        """
        self._patch(account, "adCampaigns", campaign_id,
                    {"dailyBudget": _daily_budget(amount, currency)})

    def set_campaign_status(
        self, account: AccountInfo | str, campaign_id: str, status: str
    ) -> None:
        """Set a campaign's status (``ACTIVE``, ``PAUSED`` or ``ARCHIVED``).

        Raises:
            ConfigurationError: a status LinkedIn does not accept in an update.

        """
        self._patch(account, "adCampaigns", campaign_id, {"status": _writable_status(status)})

    def get_campaign_group(self, account: AccountInfo | str, group_id: str) -> dict[str, Any]:
        """Read one campaign group as a ``linkedin_ads.campaign_groups`` row.

        ``currency`` is the account's when ``account`` is an :class:`AccountInfo` with one;
        from a bare id it is the group's ``dailyBudget`` currency (empty without a budget).

        Raises:
            NotFoundError: unknown campaign group.
            MalformedResponseError: the campaign group record is unusable.

        """
        info = self._account(account)
        path = f"/rest/adAccounts/{info.id}/adCampaignGroups/{group_id}"
        answer = self.request("GET", path, account=info.id)
        if not info.currency and isinstance(answer.payload, dict):
            budget = answer.payload.get("dailyBudget")
            code = budget.get("currencyCode") if isinstance(budget, dict) else None
            info = AccountInfo(info.id, info.name, str(code or ""), info.timezone)
        try:
            return _campaign_group_row(info)(answer.payload).model_dump()
        except (ValidationError, ValueError) as exc:
            raise MalformedResponseError(
                f"campaign group record is unusable: {exc}", platform=self.platform,
                account=info.id, endpoint=path, status=answer.status,
            ) from None

    def set_campaign_group_daily_budget(
        self, account: AccountInfo | str, group_id: str, amount: Decimal, currency: str
    ) -> None:
        """Set a campaign group's daily budget (``PARTIAL_UPDATE`` of ``dailyBudget``).

        Campaign Group Budget Optimization (versions 202504 on): the group's campaigns share
        its budget and take none of their own.

        Args:
            account: the account (or its id).
            group_id: the campaign group's bare id.
            amount: major units, at most two decimals (``Decimal("75.00")``).
            currency: ISO code; must be the account's currency.

        Raises:
            ConfigurationError: a negative amount or more than two decimals.
            BadRequestError: LinkedIn refused the value.

        """
        self._patch(account, "adCampaignGroups", group_id,
                    {"dailyBudget": _daily_budget(amount, currency)})

    def set_campaign_group_status(
        self, account: AccountInfo | str, group_id: str, status: str
    ) -> None:
        """Set a campaign group's status (``ACTIVE``, ``PAUSED`` or ``ARCHIVED``).

        Raises:
            ConfigurationError: a status LinkedIn does not accept in an update.

        """
        self._patch(account, "adCampaignGroups", group_id, {"status": _writable_status(status)})

    def _patch(
        self, account: AccountInfo | str, resource: str, entity_id: str, values: dict[str, Any]
    ) -> None:
        info = self._account(account)
        if not str(entity_id).isdigit():
            raise ConfigurationError(f"{resource} id {entity_id!r} is not a number")
        self.request(
            "POST",
            f"/rest/adAccounts/{info.id}/{resource}/{entity_id}",
            account=info.id,
            data=RestliWrite({"patch": {"$set": values}}),
            idempotent=False,
        )

    def _account(self, account: AccountInfo | str) -> AccountInfo:
        if isinstance(account, AccountInfo):
            return account
        bare = self.normalize_account_id(account)
        return AccountInfo(bare, bare, "", C.REPORT_TIMEZONE)

    # ------------------------------------------------------------------ reads

    def _entity_pages(self, stream: str, account: AccountInfo) -> Iterator[Page]:
        resource, finder = ENTITY_FINDERS[stream]
        params = {"q": finder, "pageSize": self.settings.object_page_size}
        return self.pages(f"/rest/adAccounts/{account.id}/{resource}", params, account=account.id)


    def _campaign_ids(self, account: AccountInfo) -> list[str]:
        ids: list[str] = []
        for page in self._entity_pages("campaigns", account):
            for raw in page.records:
                try:
                    ids.append(bare_id(raw.get("id"), C.CAMPAIGN_URN))
                except (ValueError, AttributeError):
                    continue  # an unreadable campaign: its rows are still read by date
        return ids

    def _read_analytics(
        self, account: AccountInfo, window: DateWindow, rows: RecordCollector
    ) -> None:
        """Read daily creative analytics, splitting whatever fills the row cap.

        A full answer (``analytics_row_cap`` elements) may be truncated: the date range is
        halved until every slice fits; a single day that still fills it is re-read per
        campaign, halving the campaign list; one campaign-day that fills it fails clearly.
        """
        to_row = _analytics_row(account)
        pending: deque[tuple[DateWindow, tuple[str, ...] | None]] = deque([(window, None)])
        page = 0
        while pending:
            part, campaigns = pending.popleft()
            elements = self._analytics(account, part, campaigns)
            if len(elements) >= self.settings.analytics_row_cap:
                pending.extendleft(reversed(self._split(account, part, campaigns)))
                continue
            page += 1
            for index, raw in enumerate(elements):
                rows.add(rows.location(page, index), raw, to_row)

    def _split(
        self, account: AccountInfo, part: DateWindow, campaigns: tuple[str, ...] | None
    ) -> list[tuple[DateWindow, tuple[str, ...] | None]]:
        if part.days > 1:
            logger.info("linkedin_ads %s %s hit the row cap; halving the range", account.id, part)
            return [(half, campaigns) for half in part.split()]
        if campaigns is None:
            campaigns = tuple(self._campaign_ids(account))
            if len(campaigns) > 1:
                logger.info("linkedin_ads %s %s hit the row cap; per campaign", account.id, part)
                return [(part, campaigns)]  # re-read filtered, then halved if still full
        if len(campaigns) > 1:
            middle = len(campaigns) // 2
            return [(part, campaigns[:middle]), (part, campaigns[middle:])]
        raise ReportTooLargeError(
            f"adAnalytics for {part.start} and campaign(s) {list(campaigns)} returns "
            f"{self.settings.analytics_row_cap} elements or more (the cap); it cannot be "
            "split further",
            platform=self.platform,
            account=account.id,
            endpoint="/rest/adAnalytics",
        )

    def _analytics(
        self, account: AccountInfo, part: DateWindow, campaigns: tuple[str, ...] | None
    ) -> list[Any]:
        """One slice: one request per chunk of fields, merged on (dateRange, pivotValues)."""
        per_request = self.settings.analytics_max_fields - len(C.ANALYTICS_KEY_FIELDS)
        metrics = self.settings.analytics_metrics
        chunks = [metrics[i : i + per_request] for i in range(0, len(metrics), per_request)]
        merged: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for chunk in chunks:
            elements = self._analytics_call(account, part, campaigns, chunk)
            if len(elements) >= self.settings.analytics_row_cap:
                return elements  # truncated: the caller splits; merging would be partial
            for element in elements:
                key = _merge_key(element)
                if key not in merged:
                    merged[key] = {}
                    order.append(key)
                merged[key].update(element if isinstance(element, dict) else {"_raw": element})
        return [merged[k] for k in order]

    def _analytics_call(
        self,
        account: AccountInfo,
        part: DateWindow,
        campaigns: tuple[str, ...] | None,
        metrics: tuple[str, ...],
    ) -> list[Any]:
        query: list[tuple[str, restli.Value]] = [
            ("q", "statistics"),
            ("pivots", list(C.ANALYTICS_PIVOTS)),
            ("timeGranularity", "DAILY"),
            ("dateRange", restli.date_range(part.start, part.end)),
            ("accounts", [C.ACCOUNT_URN + account.id]),
        ]
        if campaigns is not None:
            query.append(("campaigns", [C.CAMPAIGN_URN + c for c in campaigns]))
        fields = ",".join((*metrics, *C.ANALYTICS_KEY_FIELDS))
        url = "/rest/adAnalytics?" + restli.query_string(query) + "&fields=" + fields
        answer = self.request("GET", url, account=account.id, expect_key="elements")
        elements = answer.payload["elements"]
        if not isinstance(elements, list):
            raise MalformedResponseError(
                "'elements' is not a list", platform=self.platform, account=account.id,
                endpoint="/rest/adAnalytics", status=answer.status,
            )
        return elements


# ---------------------------------------------------------------------- write values


def _daily_budget(amount: Decimal, currency: str) -> dict[str, str]:
    """Return LinkedIn's ``dailyBudget`` money (``{"amount": "75.00", "currencyCode"}``)."""
    try:
        quantized = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ConfigurationError(f"invalid budget amount {amount!r}") from None
    if quantized != amount or amount < 0:
        raise ConfigurationError(f"budget {amount} must be >= 0 with at most two decimals")
    return {"amount": f"{quantized:.2f}", "currencyCode": currency.upper()}


def _writable_status(status: str) -> str:
    if status not in C.WRITABLE_STATUSES:
        raise ConfigurationError(f"status must be one of {C.WRITABLE_STATUSES}")
    return status


# ---------------------------------------------------------------------- row builders


def _merge_key(element: Any) -> str:
    if not isinstance(element, dict):
        return repr(element)
    return repr((element.get("dateRange"), element.get("pivotValues")))


def _account_row(raw: Any) -> AccountRow:
    acc = LiAccount.model_validate(raw)
    return AccountRow(
        account_id=acc.id,
        name=acc.name,
        currency=acc.currency,
        timezone_name=C.REPORT_TIMEZONE,
        status=acc.status,
        type=acc.type,
    )


def _campaign_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CampaignRow:
        c = LiCampaign.model_validate(raw)
        if c.account != account.id:
            raise ValueError(f"campaign belongs to account {c.account}, not {account.id}")
        budget = c.dailyBudget
        return CampaignRow(
            account_id=c.account,
            campaign_id=c.id,
            campaign_group_id=c.campaignGroup,
            name=c.name,
            status=c.status,
            type=c.type,
            cost_type=c.costType,
            objective_type=c.objectiveType,
            daily_budget=budget.amount if budget is not None else None,
            currency=budget.currencyCode if budget is not None else account.currency,
            created_time=c.stamp("created"),
            updated_time=c.stamp("lastModified"),
        )

    return build


def _campaign_group_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CampaignGroupRow:
        g = LiCampaignGroup.model_validate(raw)
        if g.account != account.id:
            raise ValueError(f"campaign group belongs to account {g.account}, not {account.id}")
        currencies = {m.currencyCode for m in (g.dailyBudget, g.totalBudget) if m is not None}
        if currencies - {account.currency}:
            raise ValueError(f"budget currency {sorted(currencies)} is not the account's "
                             f"{account.currency}")
        return CampaignGroupRow(
            account_id=g.account,
            campaign_group_id=g.id,
            name=g.name,
            status=g.status,
            objective_type=g.objectiveType,
            daily_budget=g.dailyBudget.amount if g.dailyBudget is not None else None,
            total_budget=g.totalBudget.amount if g.totalBudget is not None else None,
            currency=account.currency,
            run_start=g.run("start"),
            run_end=g.run("end"),
            created_time=g.stamp("created"),
            updated_time=g.stamp("lastModified"),
        )

    return build


def _creative_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CreativeRow:
        c = LiCreative.model_validate(raw)
        if c.account != account.id:
            raise ValueError(f"creative belongs to account {c.account}, not {account.id}")
        return CreativeRow(
            account_id=c.account,
            campaign_id=c.campaign,
            creative_id=c.id,
            name=c.name,
            status=c.intendedStatus,
            is_serving=c.isServing,
            created_time=c.createdAt,
            updated_time=c.lastModifiedAt,
        )

    return build


_ENTITY_ROWS: dict[str, Callable[[AccountInfo], Callable[[Any], BaseModel]]] = {
    "campaign_groups": _campaign_group_row,
    "campaigns": _campaign_row,
    "creatives": _creative_row,
}


def _analytics_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> AnalyticsDailyRow:
        e = LiAnalyticsElement.model_validate(raw)
        return AnalyticsDailyRow(
            account_id=account.id,
            campaign_id=bare_id(e.pivotValues[0], C.CAMPAIGN_URN),
            creative_id=bare_id(e.pivotValues[1], C.CREATIVE_URN),
            date=e.day,
            currency=account.currency,
            spend=e.costInLocalCurrency,
            impressions=e.impressions,
            clicks=e.clicks,
            conversions=e.externalWebsiteConversions,
            conversion_value=e.conversionValueInLocalCurrency,
        )

    return build
