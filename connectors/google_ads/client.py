"""GoogleAdsConnector: Google Ads REST hooks (error classification, JSON bodies) and reads/writes.

Error bodies are read in :mod:`connectors.google_ads.errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import ValidationError

from connectors._base import ErrorAnswer, Failure, Page, json_or_none
from connectors.errors import (
    ConfigurationError,
    MalformedResponseError,
    VersionError,
)
from connectors.google_ads import settings as C
from connectors.google_ads.auth import GoogleAdsAuth
from connectors.google_ads.config import GoogleAdsSettings, normalize_customer_id
from connectors.google_ads.errors import read_google_error
from connectors.google_ads.models import AdsRow, required
from connectors.google_ads.rows import ENTITY_ROWS, performance_row
from connectors.google_ads.streams import ENTITY_QUERIES, STREAMS
from connectors.pagination import PageRequest, PageTokenPaginator
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector, validation_message
from connectors.streams import AccountInfo, DateWindow, StreamResult

__all__ = ["GoogleAdsConnector", "MutateError", "MutateResult"]

logger = logging.getLogger("connectors.google_ads")


@dataclass(frozen=True)
class MutateError:
    """One failed operation of a partial-failure mutate.

    Attributes:
        index: the operation's index in the request.
        category: the error category (``campaignBudgetError``...).
        code: the error enum value.
        message: Google's message.

    """

    index: int | None
    category: str
    code: str
    message: str


@dataclass(frozen=True)
class MutateResult:
    """What the platform answered to a mutate.

    Attributes:
        resource_names: per operation, the changed resource's name (None where it failed,
            and for every operation of a ``validate_only`` request).
        errors: the failed operations (partial failure only; otherwise a failure raises).
        validate_only: whether nothing was changed on purpose.

    """

    resource_names: tuple[str | None, ...]
    errors: tuple[MutateError, ...]
    validate_only: bool

    @property
    def succeeded(self) -> bool:
        """True when no operation failed."""
        return not self.errors


class _BodyPageTokenPaginator(PageTokenPaginator):
    """``nextPageToken`` -> ``pageToken`` in the JSON body (``:search`` takes no query string)."""

    def update_request(self, request: PageRequest) -> None:
        """Put the token into the request body."""
        request.data = {**(request.data or {}), self.param: self._cursor}


class GoogleAdsConnector(PlatformConnector[GoogleAdsSettings]):
    """Reads Google Ads accounts, entities and daily ad metrics (GAQL); writes budgets, statuses.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    auth: GoogleAdsAuth

    def make_auth(self, settings: GoogleAdsSettings, clock: Callable[[], float]) -> GoogleAdsAuth:
        """OAuth refresh-token auth that also sends the developer token and login customer."""
        return GoogleAdsAuth(
            token_url=settings.token_url,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            refresh_token=settings.refresh_token,
            developer_token=settings.developer_token,
            login_customer_id=settings.login_customer_id,
            access_token=settings.access_token,
            expires_at=settings.expires_at_epoch,
            skew_seconds=settings.token_refresh_skew_seconds,
            clock=clock,
        )

    # ------------------------------------------------------------------ hooks

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read the RPC status and Ads error code; a URL Google does not serve is a version."""
        status = response.status_code
        err = read_google_error(body, status)
        rpc = err.rpc
        text = f"{rpc.status or 'HTTP ' + str(status)}: {err.message}"
        if err.code:
            text += f" ({err.category}.{err.code})"
        throttled = rpc.failure is Failure.THROTTLED or status == 429
        unserved = rpc.status == "UNIMPLEMENTED" or (status == 404 and not err.ads_failure)
        if unserved and not throttled:
            # A URL Google does not serve: a sunset or unknown version (or method).
            return ErrorAnswer(
                f"{text}; API version {self.settings.api_version} is sunset or unknown",
                error=VersionError,
            )
        expired = err.code in C.EXPIRED_TOKEN_CODES or bool(
            set(rpc.reasons) & C.EXPIRED_TOKEN_REASONS
        )
        return ErrorAnswer(text, failure=rpc.failure, expired=expired)

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return 0 when Google answered RESOURCE_EXHAUSTED, else None.

        Google sends no usage headers; a quota error is the only headroom signal there is.
        """
        return 0.0 if response.status_code == 429 else None

    def retry_after(self, response: httpx.Response, error: Any) -> float | None:
        """Return ``Retry-After`` if sent, else the ``quotaErrorDetails.retryDelay`` seconds."""
        header = super().retry_after(response, error)
        if header is not None or response.status_code < 400:
            return header
        return read_google_error(json_or_none(response), response.status_code).retry_delay

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send bodies as JSON: Google's REST transport takes JSON, not form fields."""
        return {"json": dict(data) if data is not None else None}

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return a customer id without dashes (``555-000-1001`` -> ``5550001001``).

        Raises:
            ConfigurationError: not a 10-digit customer id.

        """
        try:
            return normalize_customer_id(account_id)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None

    def list_accounts(self) -> list[AccountInfo]:
        """Return the client accounts the credentials reach (filtered by ``customer_ids``).

        With ``login_customer_id`` (a manager): its ``customer_client`` rows of level <= 1,
        managers excluded. Without: ``customers:listAccessibleCustomers`` and each one's
        ``customer`` row. Accounts whose record does not validate are skipped with a warning.
        """
        found: list[tuple[str, Any]] = []
        manager = self.settings.login_customer_id
        if manager is not None:
            for page in self._search(manager, C.CLIENTS_QUERY, account=None):
                found += [(f"page {page.number} index {i}", r) for i, r in enumerate(page.records)]
        else:
            answer = self.request(
                "GET", self._path("customers:listAccessibleCustomers"), expect_key="resourceNames"
            )
            for name in answer.payload.get("resourceNames") or []:
                cid = str(name).rsplit("/", 1)[-1]
                for page in self._search(cid, C.ACCOUNTS_QUERY, account=cid):
                    found += [(f"{cid} page {page.number}", r) for r in page.records]
        accounts: list[AccountInfo] = []
        for where, raw in found:
            try:
                row = AdsRow.model_validate(raw)
                cust = row.customer_client or row.need("customer")
                cid = required(cust.id, "id")
                currency = required(cust.currency_code, "currencyCode")
                zone = required(cust.time_zone, "timeZone")
            except (ValidationError, ValueError) as exc:
                reason = validation_message(exc) if isinstance(exc, ValidationError) else exc
                logger.warning("skipping an invalid customer (%s): %s", where, reason)
                continue
            if cust.manager:
                continue
            if self.settings.customer_ids is None or cid in self.settings.customer_ids:
                accounts.append(
                    AccountInfo(
                        id=cid,
                        name=cust.descriptive_name,
                        currency=currency,
                        timezone=zone,
                        status=cust.status,
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
            PaginationError: the API repeated a page token.

        """
        spec = self.stream(stream)
        if not spec.is_report:
            rows = RecordCollector(spec, account.id)
            to_row = ENTITY_ROWS[stream](account)
            query = ENTITY_QUERIES[stream]
            for page in self._search(account.id, query, account=account.id):
                for index, raw in enumerate(page.records):
                    rows.add(rows.location(page.number, index), raw, to_row)
            return rows.result
        clamped = self.clamp_window(account, window, spec, through_today=through_today)
        rows = RecordCollector(spec, account.id, clamped)
        if clamped is not None:
            query = C.PERFORMANCE_QUERY.format(
                start=clamped.start.isoformat(), end=clamped.end.isoformat()
            )
            chunks = (
                self._search_stream(account.id, query)
                if self.settings.use_search_stream
                else self._search(account.id, query, account=account.id)
            )
            to_row = performance_row(account)
            for page in chunks:
                for index, raw in enumerate(page.records):
                    rows.add(rows.location(page.number, index), raw, to_row)
        return rows.result

    # ------------------------------------------------------------------ writes

    def set_campaign_budget(
        self,
        account: AccountInfo | str,
        budget_id: str,
        amount_micros: int,
        *,
        validate_only: bool = False,
    ) -> MutateResult:
        """Set a campaign budget's daily amount (``campaignBudgets:mutate``).

        Args:
            account: the client account (or its id).
            budget_id: the campaign budget id (``campaigns.budget_id``).
            amount_micros: the new amount in micros (a multiple of 10,000 for cents).
            validate_only: ask Google to check the change without making it.

        Returns:
            What the platform answered.

        Raises:
            BadRequestError: the platform refused the change (e.g. not a multiple of the
                currency's minimum unit).

        """
        return self.set_campaign_budgets(
            account, [(budget_id, amount_micros)], validate_only=validate_only
        )

    def set_campaign_budgets(
        self,
        account: AccountInfo | str,
        changes: Sequence[tuple[str, int]],
        *,
        partial_failure: bool = False,
        validate_only: bool = False,
    ) -> MutateResult:
        """Set several campaign budgets in one mutate.

        Args:
            account: the client account (or its id).
            changes: ``(budget_id, amount_micros)`` pairs.
            partial_failure: apply the valid operations and report the others.
            validate_only: check without changing anything.

        Returns:
            What the platform answered (failed operations in ``errors`` with their index).

        """
        cid = self._cid(account)
        operations = [
            {
                "updateMask": "amountMicros",
                "update": {
                    "resourceName": f"customers/{cid}/campaignBudgets/{budget_id}",
                    "amountMicros": str(int(amount)),
                },
            }
            for budget_id, amount in changes
        ]
        return self._mutate(cid, "campaignBudgets", operations, partial_failure, validate_only)

    def set_status(
        self,
        account: AccountInfo | str,
        entity: Literal["ad_group", "ad"],
        entity_id: str,
        status: Literal["ENABLED", "PAUSED"],
        *,
        ad_group_id: str | None = None,
        validate_only: bool = False,
    ) -> MutateResult:
        """Enable or pause an ad group (``adGroups:mutate``) or an ad (``adGroupAds:mutate``).

        Args:
            account: the client account (or its id).
            entity: ``ad_group`` or ``ad``.
            entity_id: the ad group id or ad id.
            status: ``ENABLED`` or ``PAUSED``.
            ad_group_id: the ad's ad group (required for ads: an ad group ad is named
                ``{ad_group_id}~{ad_id}``).
            validate_only: check without changing anything.

        Returns:
            What the platform answered.

        """
        return self.set_statuses(
            account, entity, [(entity_id, status, ad_group_id)], validate_only=validate_only
        )

    def set_statuses(
        self,
        account: AccountInfo | str,
        entity: Literal["ad_group", "ad"],
        changes: Sequence[tuple[str, str, str | None]],
        *,
        partial_failure: bool = False,
        validate_only: bool = False,
    ) -> MutateResult:
        """Change several statuses of one entity type in one mutate.

        Args:
            account: the client account (or its id).
            entity: ``ad_group`` or ``ad``.
            changes: ``(entity_id, status, ad_group_id or None)`` triples.
            partial_failure: apply the valid operations and report the others.
            validate_only: check without changing anything.

        Returns:
            What the platform answered.

        Raises:
            ConfigurationError: an ad without its ad group id, or an unknown entity type.

        """
        cid = self._cid(account)
        operations = []
        for entity_id, status, ad_group_id in changes:
            if entity == "ad_group":
                name = f"customers/{cid}/adGroups/{entity_id}"
            elif entity == "ad":
                if not ad_group_id:
                    raise ConfigurationError("an ad's status change needs its ad_group_id")
                name = f"customers/{cid}/adGroupAds/{ad_group_id}~{entity_id}"
            else:
                raise ConfigurationError(f"unknown entity type {entity!r} (ad_group, ad)")
            operations.append(
                {"updateMask": "status", "update": {"resourceName": name, "status": status}}
            )
        service = "adGroups" if entity == "ad_group" else "adGroupAds"
        return self._mutate(cid, service, operations, partial_failure, validate_only)

    # ------------------------------------------------------------------ internals

    def _path(self, *parts: str) -> str:
        return "/" + "/".join((self.settings.api_version, *parts))

    def _cid(self, account: AccountInfo | str) -> str:
        raw = account.id if isinstance(account, AccountInfo) else account
        return self.normalize_account_id(raw)

    def _search(self, customer_id: str, query: str, *, account: str | None) -> Iterator[Page]:
        """Yield the pages of a paged ``:search`` (an empty page has no ``results``)."""
        request = PageRequest(
            "POST", self._path("customers", f"{customer_id}/googleAds:search"), {}, {"query": query}
        )
        results = self.records_at(
            "results", "search answer has no results list",
            account=account, endpoint=self.endpoint_label(request.url),
        )
        return self.paginate(
            request, _BodyPageTokenPaginator(), account=account, data_key=None, records=results
        )

    def _search_stream(self, customer_id: str, query: str) -> Iterator[Page]:
        """Yield the chunks of one ``:searchStream`` answer as pages."""
        url = self._path("customers", f"{customer_id}/googleAds:searchStream")
        answer = self.request("POST", url, account=customer_id, data={"query": query})
        chunks = answer.payload
        if not isinstance(chunks, list) or not all(isinstance(c, dict) for c in chunks):
            raise MalformedResponseError(
                "searchStream answer is not a JSON array of chunks",
                platform=self.platform, account=customer_id,
                endpoint=self.endpoint_label(url), status=answer.status,
            )
        for number, chunk in enumerate(chunks, start=1):
            results = chunk.get("results", [])
            if not isinstance(results, list):
                raise MalformedResponseError(
                    f"searchStream chunk {number} has no results list",
                    platform=self.platform, account=customer_id,
                    endpoint=self.endpoint_label(url), status=answer.status,
                )
            yield Page(records=results, number=number, payload=chunk)

    def _mutate(
        self,
        cid: str,
        service: str,
        operations: list[dict[str, Any]],
        partial_failure: bool,
        validate_only: bool,
    ) -> MutateResult:
        if not operations:
            raise ConfigurationError("a mutate needs at least one operation")
        body = {
            "operations": operations,
            "partialFailure": partial_failure,
            "validateOnly": validate_only,
        }
        answer = self.request(
            "POST", self._path("customers", f"{cid}/{service}:mutate"), account=cid, data=body,
            idempotent=False,
        )
        payload = answer.payload if isinstance(answer.payload, dict) else {}
        results = payload.get("results") or []
        names: list[str | None] = [None] * len(operations)
        for i, result in enumerate(results[: len(operations)]):
            if isinstance(result, dict) and result.get("resourceName"):
                names[i] = str(result["resourceName"])
        return MutateResult(
            resource_names=tuple(names),
            errors=tuple(_partial_errors(payload.get("partialFailureError"))),
            validate_only=validate_only,
        )



def _partial_errors(error: Any) -> list[MutateError]:
    if not isinstance(error, dict):
        return []
    out: list[MutateError] = []
    for detail in error.get("details") or []:
        for entry in (detail.get("errors") or []) if isinstance(detail, dict) else []:
            if not isinstance(entry, dict):
                continue
            codes = entry.get("errorCode") or {}
            category, code = ("", "")
            if isinstance(codes, dict) and codes:
                category, code = next(iter(codes.items()))
            index = None
            for element in (entry.get("location") or {}).get("fieldPathElements") or []:
                position = element.get("index")
                if element.get("fieldName") == "operations" and isinstance(position, int):
                    index = position
            out.append(MutateError(index, str(category), str(code), str(entry.get("message", ""))))
    return out
