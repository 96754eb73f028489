"""Ga4Connector: Google error classification, token-quota headroom, and the stream reads.

Sample error body (HTTP 429, a property quota)::

    {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
               "message": "Exhausted property tokens per hour quota. ..."}}

Reports page by ``offset``/``limit`` in the JSON body until ``offset >= rowCount``; every
report asks for ``returnPropertyQuota`` so the remaining token share throttles the client
before Google does. An exhausted *daily* token quota is not retried (it returns tomorrow).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel, ValidationError

from connectors._base import ApiResponse, ErrorAnswer, Failure, Page
from connectors.auth import OAuth2RefreshTokenAuth
from connectors.errors import (
    APIError,
    BadRequestError,
    ConfigurationError,
    FatalAPIError,
    MalformedResponseError,
    PermissionDeniedError,
)
from connectors.ga4 import settings as C
from connectors.ga4.auth import make_auth
from connectors.ga4.config import Ga4Settings, normalize_property_id
from connectors.ga4.models import (
    CustomDimensionRow,
    Ga4CustomDimension,
    Ga4Property,
    Ga4Report,
    Ga4ReportRow,
    PropertyRow,
    SessionRow,
    TrafficDailyRow,
    parse_count,
    parse_date,
    parse_decimal,
    parse_minute,
)
from connectors.ga4.streams import STREAMS
from connectors.google_rpc import read_rpc_error
from connectors.pagination import OffsetPaginator, PageRequest, PageTokenPaginator
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector, validation_message
from connectors.streams import AccountInfo, DateWindow, StreamResult

__all__ = ["DailyQuotaExhaustedError", "Ga4Connector", "ReportPage"]

logger = logging.getLogger("connectors.ga4")

# Quotas of a standard property: the floor of each bucket's size when computing headroom
# (``propertyQuota`` says what is left, not the size; a 360 property shows larger buckets).
_STANDARD_BUCKETS = {"tokensPerDay": 200_000, "tokensPerHour": 40_000,
                     "tokensPerProjectPerHour": 14_000}


class DailyQuotaExhaustedError(FatalAPIError):
    """The property's tokens for the day are spent: retrying today is pointless."""


@dataclass(frozen=True)
class ReportPage:
    """One page of a report: its 1-based number, raw rows, total rows and currency."""

    number: int
    rows: list[Any]
    row_count: int
    currency: str | None


class _ReportPaginator(OffsetPaginator):
    """runReport paging: ``offset``/``limit`` in the JSON body (int64 strings), to ``rowCount``.

    Sample payload (``rows`` and ``rowCount`` are left out of an empty report)::

        {"dimensionHeaders": [...], "metricHeaders": [...], "rows": [...], "rowCount": 1234}

    Attributes:
        row_count: the report's total rows, as of the last page.

    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit, data_key="rows", total_path=("rowCount",))
        self.row_count = 0

    def update_state(self, payload: Any, response: httpx.Response | None = None) -> None:
        """Page on by the rows and ``rowCount`` as the report model reads them."""
        report = Ga4Report.model_validate(payload)  # checked before: the page's records
        self.row_count = report.rowCount
        super().update_state({"rows": report.rows, "rowCount": report.rowCount}, response)

    def update_request(self, request: PageRequest) -> None:
        """Put the next offset and the limit into the request body."""
        request.data = {**(request.data or {}), "offset": str(self.offset),
                        "limit": str(self.limit)}


class Ga4Connector(PlatformConnector[Ga4Settings]):
    """Reads GA4 properties, custom dimensions, daily traffic and sessions by client id.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    auth: OAuth2RefreshTokenAuth
    _decoded: tuple[httpx.Response, Any] | None = None  # body decoded by throttle_headroom
    _bucket_sizes: dict[str, int] | None = None

    def make_auth(
        self, settings: Ga4Settings, clock: Callable[[], float]
    ) -> OAuth2RefreshTokenAuth:
        """OAuth refresh-token auth (Data and Admin API share the token)."""
        return make_auth(settings, clock)

    # ------------------------------------------------------------------ hooks

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read Google's RPC error; an exhausted *daily* token quota is not retried."""
        status = response.status_code
        err = read_rpc_error(body, status)
        text = f"{err.status or 'HTTP ' + str(status)}: {err.message}"
        throttled = err.failure is Failure.THROTTLED or status == 429
        if throttled and "per day" in err.message.lower():
            return ErrorAnswer(
                f"{text}; the property's daily tokens return after midnight Pacific time",
                error=DailyQuotaExhaustedError,
            )
        notes: dict[type[APIError], str] = {
            PermissionDeniedError: (
                f" (does the refresh token's user have read access to property {account}?)"
            ),
        }
        dimension = self.settings.client_id_dimension
        if dimension in err.message:
            notes[BadRequestError] = (
                f" (client_id_dimension {dimension!r}: register the event parameter as an "
                "event-scoped custom dimension in the property, or set the name the property "
                "uses)"
            )
        return ErrorAnswer(
            text,
            failure=err.failure,
            expired=bool(set(err.reasons) & C.EXPIRED_TOKEN_REASONS),
            notes=notes,
        )

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the smallest remaining share of the property's token buckets.

        Read from ``propertyQuota`` of a report answer (the body is decoded once here and
        reused by :meth:`parse_json`). Bucket sizes are not sent: a standard property's are
        the floor, raised to what the answers show (360 properties have larger ones).
        """
        if response.status_code != 200 or not response.url.path.endswith(":runReport"):
            return None
        payload = response.json()
        self._decoded = (response, payload)
        quota = payload.get("propertyQuota") if isinstance(payload, dict) else None
        if not isinstance(quota, dict):
            return None
        sizes = self._bucket_sizes if self._bucket_sizes is not None else dict(_STANDARD_BUCKETS)
        self._bucket_sizes = sizes
        shares: list[float] = []
        for bucket in C.TOKEN_BUCKETS:
            state = quota.get(bucket)
            if not isinstance(state, dict):
                continue
            remaining = int(state.get("remaining", 0))
            size = max(sizes.get(bucket, 1), remaining + int(state.get("consumed", 0)))
            sizes[bucket] = size
            shares.append(remaining / size)
        return min(shares) if shares else None

    def parse_json(self, response: httpx.Response, *, account: str | None, endpoint: str) -> Any:
        """Decode the body, reusing what :meth:`throttle_headroom` already decoded."""
        decoded, self._decoded = self._decoded, None
        if decoded is not None and decoded[0] is response:
            return decoded[1]
        return super().parse_json(response, account=account, endpoint=endpoint)

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send bodies as JSON (Google REST)."""
        return {"json": dict(data) if data is not None else None}

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return the bare number of a property typed as ``123`` or ``properties/123``.

        Raises:
            ConfigurationError: not a GA4 property id.

        """
        try:
            return normalize_property_id(account_id)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None

    def list_accounts(self) -> list[AccountInfo]:
        """Return the configured properties, with their time zone and currency (Admin API).

        Raises:
            PermissionDeniedError: the credentials cannot read a configured property.
            MalformedResponseError: a property record is unusable.

        """
        accounts: list[AccountInfo] = []
        for property_id in self.settings.property_ids:
            prop = self._property(property_id)
            accounts.append(
                AccountInfo(
                    id=prop.id,
                    name=prop.displayName or prop.name,
                    currency=prop.currencyCode,
                    timezone=prop.timeZone,
                    status=prop.serviceLevel,
                )
            )
        return accounts

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read one stream of one property.

        Args:
            stream: a name from :meth:`streams`.
            account: the property (from :meth:`list_accounts`).
            window: report days (report streams only); ``None`` reads the last
                ``initial_days`` days. The end is clamped to yesterday in the property's
                time zone.

        Returns:
            Rows with warehouse column names, and rejected records.

        Raises:
            ConfigurationError: unknown stream.
            APIError: the platform failed beyond retries (see ``connectors.errors``).
            PaginationError: the Admin API repeated a page token.

        """
        spec = self.stream(stream)
        if stream == "properties":
            rows = RecordCollector(spec, account.id)
            answer = self.request("GET", self._admin_url(account.id), account=account.id)
            rows.add(rows.location(1, 0), answer.payload, _property_row)
            return rows.result
        if stream == "custom_dimensions":
            rows = RecordCollector(spec, account.id)
            for listed in self._custom_dimension_pages(account.id):
                for index, raw in enumerate(listed.records):
                    rows.add(rows.location(listed.number, index), raw, _custom_dimension_row)
            return rows.result
        clamped = self.clamp_window(account, window, spec)
        rows = RecordCollector(spec, account.id, clamped)
        if clamped is None:
            return rows.result
        client = self.settings.client_id_dimension
        dimensions: tuple[str, ...] = (
            C.TRAFFIC_DIMENSIONS
            if stream == "traffic_daily"
            else tuple(d.format(client_id=client) for d in C.SESSION_DIMENSIONS)
        )
        for page in self.run_report(account, dimensions, C.METRICS, clamped):
            currency = page.currency or account.currency
            to_row = (
                _traffic_row(account, currency)
                if stream == "traffic_daily"
                else _session_row(account, currency, client)
            )
            for index, raw in enumerate(page.rows):
                rows.add(rows.location(page.number, index), raw, to_row)
        return rows.result

    def run_report(
        self,
        account: AccountInfo | str,
        dimensions: tuple[str, ...],
        metrics: tuple[str, ...],
        window: DateWindow,
    ) -> Iterator[ReportPage]:
        """Yield the pages of one ``runReport`` (offset paging until ``rowCount``).

        Rows are ordered by the dimensions, so paging is stable while GA4 restates.

        Raises:
            MalformedResponseError: the answer's headers are not the ones asked for.

        """
        property_id = account.id if isinstance(account, AccountInfo) else account
        path = f"/{C.API_VERSION}/properties/{property_id}:runReport"
        limit = self.settings.report_page_size
        body: dict[str, Any] = {
            "dateRanges": [
                {"startDate": window.start.isoformat(), "endDate": window.end.isoformat()}
            ],
            "dimensions": [{"name": d} for d in dimensions],
            "metrics": [{"name": m} for m in metrics],
            "orderBys": [{"dimension": {"dimensionName": d}} for d in dimensions],
            "limit": str(limit),
            "offset": "0",
            "keepEmptyRows": False,
            "returnPropertyQuota": True,
        }
        request = PageRequest("POST", path, {}, body)
        paginator = _ReportPaginator(limit)

        def report_rows(answer: ApiResponse) -> list[Any]:
            return self._check_report(answer.payload, dimensions, metrics, property_id, path).rows

        pages = self.paginate(
            request, paginator, account=property_id, data_key=None, records=report_rows
        )
        for page in pages:
            metadata = page.payload.get("metadata") or {}
            currency = metadata.get("currencyCode") if isinstance(metadata, dict) else None
            yield ReportPage(page.number, page.records, paginator.row_count,
                             currency if isinstance(currency, str) else None)

    # ------------------------------------------------------------------ internals

    def _admin_url(self, property_id: str, *parts: str) -> str:
        tail = "/".join(parts)
        base = f"{self.settings.admin_base_url}/{C.API_VERSION}/properties/{property_id}"
        return f"{base}/{tail}" if tail else base

    def _property(self, property_id: str) -> Ga4Property:
        url = self._admin_url(property_id)
        answer = self.request("GET", url, account=property_id)
        try:
            return Ga4Property.model_validate(answer.payload)
        except ValidationError as exc:
            raise MalformedResponseError(
                f"property {property_id} record is unusable: {validation_message(exc)}",
                platform=self.platform, account=property_id,
                endpoint=self.endpoint_label(url), status=answer.status,
            ) from None

    def _custom_dimension_pages(self, property_id: str) -> Iterator[Page]:
        url = self._admin_url(property_id, "customDimensions")
        request = PageRequest("GET", url, {"pageSize": self.settings.admin_page_size})
        dimensions = self.records_at(
            "customDimensions", "customDimensions is not a list",
            account=property_id, endpoint=self.endpoint_label(url),
        )
        return self.paginate(
            request, PageTokenPaginator(), account=property_id, data_key=None,
            records=dimensions,
        )

    def _check_report(
        self,
        payload: Any,
        dimensions: tuple[str, ...],
        metrics: tuple[str, ...],
        property_id: str,
        path: str,
    ) -> Ga4Report:
        problem: str | None = None
        try:
            report = Ga4Report.model_validate(payload)
        except ValidationError as exc:
            problem = validation_message(exc)
        else:
            got_dims = tuple(h.name for h in report.dimensionHeaders)
            got_metrics = tuple(h.name for h in report.metricHeaders)
            if (got_dims, got_metrics) == (dimensions, metrics):
                return report
            problem = f"headers {got_dims} / {got_metrics} are not the ones asked for"
        raise MalformedResponseError(
            f"runReport answer is unusable: {problem}", platform=self.platform,
            account=property_id, endpoint=path, status=200,
        )



# ---------------------------------------------------------------------- row builders


def _property_row(raw: Any) -> PropertyRow:
    p = Ga4Property.model_validate(raw)
    return PropertyRow(
        property_id=p.id,
        name=p.displayName,
        currency=p.currencyCode,
        timezone_name=p.timeZone,
        property_type=p.propertyType,
        service_level=p.serviceLevel,
        account=p.parent.removeprefix("accounts/") if p.parent else None,
        create_time=p.createTime,
        update_time=p.updateTime,
    )


def _custom_dimension_row(raw: Any) -> CustomDimensionRow:
    d = Ga4CustomDimension.model_validate(raw)
    parts = d.name.split("/")
    return CustomDimensionRow(
        property_id=parts[1],
        custom_dimension_id=parts[3],
        api_name=d.api_name,
        parameter_name=d.parameterName,
        display_name=d.displayName,
        scope=d.scope,
        description=d.description,
    )


def _values(raw: Any, dimensions: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Return a report row's dimension values by name and its metric values in order."""
    row = Ga4ReportRow.model_validate(raw)
    if len(row.dimensionValues) != len(dimensions) or len(row.metricValues) != len(C.METRICS):
        raise ValueError(
            f"row has {len(row.dimensionValues)} dimension and {len(row.metricValues)} metric "
            f"values, expected {len(dimensions)} and {len(C.METRICS)}"
        )
    named = {d: v.value for d, v in zip(dimensions, row.dimensionValues, strict=True)}
    return named, [v.value for v in row.metricValues]


def _traffic_row(account: AccountInfo, currency: str) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> TrafficDailyRow:
        d, m = _values(raw, C.TRAFFIC_DIMENSIONS)
        return TrafficDailyRow(
            property_id=account.id,
            date=parse_date(d["date"]),
            source=d["sessionSource"],
            medium=d["sessionMedium"],
            campaign_name=d["sessionCampaignName"],
            landing_page=d["landingPage"],
            currency=currency,
            sessions=parse_count(m[0], "sessions"),
            key_events=parse_decimal(m[1], "keyEvents"),
            total_revenue=parse_decimal(m[2], "totalRevenue"),
        )

    return build


def session_key(property_id: str, values: Mapping[str, str], dimensions: tuple[str, ...]) -> str:
    """Digest of a session row's dimension values (stable across restatements)."""
    text = "\x1f".join([property_id, *(values[d] for d in dimensions)])
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def _session_row(account: AccountInfo, currency: str, client: str) -> Callable[[Any], BaseModel]:
    dimensions = tuple(d.format(client_id=client) for d in C.SESSION_DIMENSIONS)
    zone = ZoneInfo(account.timezone)

    def build(raw: Any) -> SessionRow:
        d, m = _values(raw, dimensions)
        minute = d["dateHourMinute"]
        client_id = d[client]
        return SessionRow(
            property_id=account.id,
            date=parse_date(minute[:8]),
            session_key=session_key(account.id, d, dimensions),
            client_id=None if client_id in ("", C.NOT_SET) else client_id,
            session_start=parse_minute(minute, zone),
            source=d["sessionSource"],
            medium=d["sessionMedium"],
            campaign_name=d["sessionCampaignName"],
            landing_page_plus_query=d["landingPagePlusQueryString"],
            currency=currency,
            sessions=parse_count(m[0], "sessions"),
            key_events=parse_decimal(m[1], "keyEvents"),
            total_revenue=parse_decimal(m[2], "totalRevenue"),
        )

    return build
