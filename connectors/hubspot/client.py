"""HubSpotConnector: HubSpot's error bodies and rate headers, the stream reads, the writes.

Sample error body (HTTP 400)::

    {"status": "error", "message": "...", "correlationId": "8b1c...",
     "category": "VALIDATION_ERROR", "errors": [{"message": "...", "code": "..."}]}

Sample throttle (HTTP 429; ``policyName`` is ``TEN_SECONDLY_ROLLING``, ``SECONDLY`` for the
search endpoints, or ``DAILY``)::

    {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
     "errorType": "RATE_LIMIT", "correlationId": "...", "policyName": "TEN_SECONDLY_ROLLING"}

Headroom comes from ``X-HubSpot-RateLimit-Remaining``/``-Max`` and
``-Daily-Remaining``/``-Daily`` (the smaller share); search answers carry none, so search
calls are also paced by their own client-side bucket (``search_requests_per_second``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import httpx
from pydantic import ValidationError

from connectors._base import ApiResponse, ErrorAnswer, json_or_none
from connectors.errors import (
    ConfigurationError,
    MalformedResponseError,
)
from connectors.hubspot import settings as C
from connectors.hubspot.auth import make_auth
from connectors.hubspot.config import HubSpotSettings
from connectors.hubspot.models import (
    HsObject,
    email_status,
    epoch_ms,
)
from connectors.hubspot.rows import (
    company_row,
    contact_row,
    deal_row,
    instant_ms,
    latest_per_id,
    list_row,
    local_day,
    membership_row,
    submission_row,
)
from connectors.hubspot.search import BodyOffsetPaginator, SearchPaginator
from connectors.hubspot.streams import SEARCH_STREAMS, STREAMS
from connectors.pagination import CursorPaginator, PageRequest
from connectors.platform import PlatformConnector
from connectors.ratelimit import TokenBucket
from connectors.records import RecordCollector, validation_message
from connectors.streams import AccountInfo, DateWindow, StreamResult, StreamSpec

__all__ = [
    "ContactUpsert",
    "CrmContact",
    "HubSpotConnector",
    "JsonArray",
    "ListChange",
    "UpsertedContact",
]

logger = logging.getLogger("connectors.hubspot")


class JsonArray(dict[str, Any]):
    """A request body that is a JSON array (list membership changes); ``request_body`` sends it."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__()
        self.values_list = list(items)


@dataclass(frozen=True)
class ContactUpsert:
    """One contact to create or update, identified by email.

    Attributes:
        email: the contact's email (HubSpot's unique ``idProperty``).
        properties: property name -> value (strings, as HubSpot stores them).

    """

    email: str
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CrmContact:
    """A contact as read: its id and the properties asked for (strings or None)."""

    contact_id: str
    properties: dict[str, str | None]


@dataclass(frozen=True)
class UpsertedContact:
    """A contact HubSpot accepted.

    Attributes:
        contact_id: its id.
        email: its email.
        created: True when the upsert created it.
        updated_at: its ``lastmodifieddate`` after the write.

    """

    contact_id: str
    email: str
    created: bool
    updated_at: datetime


@dataclass(frozen=True)
class ListChange:
    """The answer of a membership change: record ids added and ids HubSpot does not know."""

    added: tuple[str, ...]
    missing: tuple[str, ...]


class HubSpotConnector(PlatformConnector[HubSpotSettings]):
    """Reads contacts, companies, deals, lists, memberships and form submissions; writes contacts.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    records_key = "results"
    max_pages: ClassVar[int] = 1_000_000
    _search_bucket: TokenBucket | None = None

    def make_auth(self, settings: HubSpotSettings, clock: Callable[[], float]) -> httpx.Auth:
        """Private-app bearer token, or OAuth refreshed through ``/oauth/v1/token``."""
        return make_auth(settings, clock)

    def default_headers(self, settings: HubSpotSettings) -> dict[str, str]:
        """Ask for JSON."""
        return {"Accept": "application/json"}

    # ------------------------------------------------------------------ hooks

    def new_paginator(self) -> CursorPaginator:
        """Follow ``paging.next.after`` (lists' members, forms, form submissions)."""
        return CursorPaginator(("paging", "next", "after"), has_more_path=None)

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read a HubSpot error body: ``category``/``errorType``, message, details, correlation."""
        status = response.status_code
        fields: dict[str, Any] = body if isinstance(body, dict) else {}
        category = str(fields.get("category") or fields.get("errorType") or "")
        text = str(fields.get("message") or f"HTTP {status} {response.reason_phrase}".strip())
        if category:
            text = f"{category}: {text}"
        details = fields.get("errors")
        if isinstance(details, list) and details:
            text += " (" + "; ".join(
                str(d.get("message", d)) for d in details[:3] if isinstance(d, dict)) + ")"
        if fields.get("correlationId"):
            text += f" [correlationId {fields['correlationId']}]"
        return ErrorAnswer(text, expired=category == C.EXPIRED_CATEGORY)

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the smaller of the burst and daily shares left (None on search answers)."""
        shares = []
        for used, limit in (("Remaining", "Max"), ("Daily-Remaining", "Daily")):
            left = response.headers.get(f"X-HubSpot-RateLimit-{used}")
            cap = response.headers.get(f"X-HubSpot-RateLimit-{limit}")
            if left is not None and cap is not None and float(cap) > 0:
                shares.append(float(left) / float(cap))
        return min(shares) if shares else None

    def retry_after(self, response: httpx.Response, error: Any) -> float | None:
        """Retry-After when sent, else a wait fitting the throttle's ``policyName``.

        ``SECONDLY`` (search): one second. ``TEN_SECONDLY_ROLLING``: one tenth of the
        interval (slots free as old calls leave the rolling window). ``DAILY``: until the
        next UTC midnight, which exceeds any retry budget, so the read fails clearly.
        """
        hinted = super().retry_after(response, error)
        if hinted is not None or response.status_code != 429:
            return hinted
        body = json_or_none(response)
        policy = body.get("policyName") if isinstance(body, dict) else None
        if policy == C.POLICY_DAILY:
            now = self._clock()
            midnight = datetime.combine(now.date() + timedelta(days=1), time(0), now.tzinfo)
            return (midnight - now).total_seconds()
        if policy == C.POLICY_TEN_SECONDLY:
            interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
            return float(interval) / 10_000 if interval and interval.isdigit() else 1.0
        return 1.0

    def request_body(self, data: Mapping[str, Any] | None) -> dict[str, Any]:
        """Send bodies as JSON (a :class:`JsonArray` as a JSON array)."""
        if data is None:
            return {}
        if isinstance(data, JsonArray):
            return {"json": data.values_list}
        return {"json": dict(data)}

    def request(self, method: str, url: str, **kwargs: Any) -> ApiResponse:
        """Send one request; search calls also wait for the search bucket (5/s on HubSpot)."""
        if method == "POST" and url.endswith("/search") and self.settings.lists_prefix not in url:
            if self._search_bucket is None:
                self._search_bucket = TokenBucket(
                    self.settings.search_requests_per_second, clock=self._monotonic,
                    sleep=self._sleep,
                )
            self._search_bucket.acquire()
        return super().request(method, url, **kwargs)

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return a portal id typed by a person (digits only).

        Raises:
            ConfigurationError: not a number.

        """
        bare = account_id.strip()
        if not bare.isdigit():
            raise ConfigurationError(f"invalid HubSpot portal id {account_id!r}: not a number")
        return bare

    def list_accounts(self) -> list[AccountInfo]:
        """Return the portal the token belongs to (``GET /account-info/v3/details``).

        Raises:
            MalformedResponseError: the answer lacks portalId, timeZone or companyCurrency.

        """
        answer = self.request("GET", C.ACCOUNT_INFO_PATH, expect_key="portalId")
        body = answer.payload
        portal = body.get("portalId")
        zone = body.get("timeZone")
        currency = body.get("companyCurrency")
        if not isinstance(portal, int | str) or not str(portal).isdigit() or not isinstance(
            zone, str
        ) or not isinstance(currency, str) or len(currency) != 3:
            raise MalformedResponseError(
                "account-info details lack a usable portalId, timeZone or companyCurrency",
                platform=self.platform, endpoint=C.ACCOUNT_INFO_PATH, status=answer.status,
            )
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError):
            raise MalformedResponseError(
                f"portal time zone {zone!r} is unknown", platform=self.platform,
                endpoint=C.ACCOUNT_INFO_PATH, status=answer.status,
            ) from None
        return [AccountInfo(str(portal), f"HubSpot portal {portal}", currency.upper(), zone,
                            str(body.get("accountType") or "") or None)]

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read one stream of one portal.

        Args:
            stream: a name from :meth:`streams`.
            account: the portal (from :meth:`list_accounts`).
            window: modification days (windowed streams), in the portal's time zone;
                ``None`` reads the last ``initial_days``. The end is clamped to today.

        Returns:
            Rows with warehouse column names, and rejected records with their location.

        Raises:
            ConfigurationError: unknown stream.
            APIError: HubSpot failed beyond retries (see ``connectors.errors``).
            PaginationError: the API repeated a cursor or a search could not re-anchor.

        """
        spec = self.stream(stream)
        if spec.name == "lists":
            rows = RecordCollector(spec, account.id)
            self._read_lists(account, rows)
            return rows.result
        clamped = self.clamp_window(account, window, spec)
        rows = RecordCollector(spec, account.id, clamped)
        if clamped is None:
            return rows.result
        if spec.name in SEARCH_STREAMS:
            self._read_search(spec, account, clamped, rows)
        elif spec.name == "list_memberships":
            self._read_memberships(account, clamped, rows)
        else:
            self._read_submissions(account, clamped, rows)
        return rows.result

    # ------------------------------------------------------------------ writes

    def upsert_contacts(
        self, account: AccountInfo | str, contacts: Sequence[ContactUpsert]
    ) -> list[UpsertedContact]:
        """Create or update contacts by email, 100 per ``batch/upsert`` call.

        Every input is checked before the first call (emails well formed and unique,
        ``lifecyclestage`` one of HubSpot's stages), so a bad input sends nothing.
        Upserting by email is idempotent, so a call that failed in transit is retried.

        Raises:
            ConfigurationError: invalid inputs (all problems listed, with their positions).
            BadRequestError: HubSpot refused a batch (e.g. an unknown property).

        """
        portal = self._portal(account)
        problems: list[str] = []
        seen: dict[str, int] = {}
        for n, item in enumerate(contacts):
            email = item.email.strip().lower()
            if email_status(email) != "valid":
                problems.append(f"#{n}: email {item.email!r} is not a valid address")
            elif email in seen:
                problems.append(f"#{n}: email {email} repeats input #{seen[email]}")
            seen.setdefault(email, n)
            stage = item.properties.get("lifecyclestage")
            if stage is not None and stage not in C.LIFECYCLE_STAGES:
                problems.append(f"#{n}: lifecyclestage {stage!r} is not one of "
                                f"{', '.join(C.LIFECYCLE_STAGES)}")
            if "email" in item.properties or "hs_object_id" in item.properties:
                problems.append(f"#{n}: email and hs_object_id are set through ContactUpsert")
        if problems:
            raise ConfigurationError("contact upsert refused, nothing sent: " + "; ".join(problems))
        path = f"{self.settings.objects_prefix}/contacts/batch/upsert"
        done: list[UpsertedContact] = []
        size = self.settings.batch_size
        for start in range(0, len(contacts), size):
            chunk = contacts[start: start + size]
            body = {"inputs": [
                {"idProperty": "email", "id": c.email.strip().lower(),
                 "properties": dict(c.properties)} for c in chunk]}
            answer = self.request("POST", path, account=portal, data=body, expect_key="results")
            done += self._upserted(answer, path, portal)
        return done

    def read_contacts(
        self,
        account: AccountInfo | str,
        ids: Sequence[str],
        properties: Sequence[str],
        *,
        by: Literal["email", "hs_object_id"] = "email",
    ) -> dict[str, CrmContact]:
        """Read contacts by email (or id), 100 per ``batch/read`` call.

        Returns:
            The contacts found, keyed by the id as asked (emails lower-cased); ids HubSpot
            does not know are simply absent (HubSpot answers 207 and lists them).

        Raises:
            ConfigurationError: an empty id.
            BadRequestError: an unknown property.

        """
        portal = self._portal(account)
        keys = [i.strip().lower() if by == "email" else i.strip() for i in ids]
        if any(not k for k in keys):
            raise ConfigurationError("contact ids to read must be non-empty")
        path = f"{self.settings.objects_prefix}/contacts/batch/read"
        found: dict[str, CrmContact] = {}
        size = self.settings.batch_size
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), size):
            chunk = unique[start: start + size]
            body = {"idProperty": by, "properties": list(properties),
                    "inputs": [{"id": k} for k in chunk]}
            # A read: safe to retry whatever happened in transit.
            answer = self.request("POST", path, account=portal, data=body, expect_key="results")
            for raw in answer.payload["results"]:
                try:
                    record = HsObject.model_validate(raw)
                except ValidationError as exc:
                    raise MalformedResponseError(
                        f"batch read answered an unusable record: {validation_message(exc)}",
                        platform=self.platform, account=portal, endpoint=path,
                        status=answer.status,
                    ) from None
                key = (record.prop("email") or "").lower() if by == "email" else record.id
                found[key] = CrmContact(record.id, dict(record.properties))
        return found

    def set_lifecycle_stage(
        self, account: AccountInfo | str, emails: Sequence[str], stage: str
    ) -> list[UpsertedContact]:
        """Set ``lifecyclestage`` of contacts by email (creating unknown ones).

        Raises:
            ConfigurationError: an unknown stage or a malformed email.

        """
        return self.upsert_contacts(
            account, [ContactUpsert(e, {"lifecyclestage": stage}) for e in emails]
        )

    def add_to_list(
        self, account: AccountInfo | str, list_id: str, record_ids: Sequence[str]
    ) -> ListChange:
        """Add contacts to a MANUAL or SNAPSHOT list (``PUT .../memberships/add``).

        Raises:
            ConfigurationError: a list id or record id that is not a number.
            BadRequestError: the list is DYNAMIC (rule-based), so HubSpot refuses.

        """
        portal = self._portal(account)
        bad = [r for r in (list_id, *record_ids) if not str(r).isdigit()]
        if bad:
            raise ConfigurationError(f"list and record ids must be numbers, got {bad[:5]}")
        path = f"{self.settings.lists_prefix}/{list_id}/memberships/add"
        answer = self.request("PUT", path, account=portal, data=JsonArray(record_ids))
        body = answer.payload if isinstance(answer.payload, dict) else {}
        return ListChange(tuple(map(str, body.get("recordIdsAdded", []))),
                          tuple(map(str, body.get("recordIdsMissing", []))))

    def _upserted(self, answer: ApiResponse, path: str, portal: str) -> list[UpsertedContact]:
        out = []
        for raw in answer.payload["results"]:
            try:
                record = HsObject.model_validate(raw)
                email = record.prop("email") or ""
                out.append(UpsertedContact(record.id, email, bool(raw.get("new")),
                                           record.updatedAt))
            except (ValidationError, AttributeError) as exc:
                raise MalformedResponseError(
                    f"batch upsert answered an unusable record: {exc}", platform=self.platform,
                    account=portal, endpoint=path, status=answer.status,
                ) from None
        return out

    def _portal(self, account: AccountInfo | str) -> str:
        return account.id if isinstance(account, AccountInfo) else self.normalize_account_id(
            account)

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _bounds(account: AccountInfo, window: DateWindow) -> tuple[int, int]:
        tz = account.tz
        start = datetime.combine(window.start, time(0), tz)
        end = datetime.combine(window.end + timedelta(days=1), time(0), tz)
        return epoch_ms(start), epoch_ms(end)

    def _read_search(
        self, spec: StreamSpec, account: AccountInfo, window: DateWindow, rows: RecordCollector
    ) -> None:
        object_type = SEARCH_STREAMS[spec.name]
        start_ms, end_ms = self._bounds(account, window)
        properties = {
            "contacts": self.settings.contact_properties,
            "companies": self.settings.company_properties,
            "deals": self.settings.deal_properties,
        }[object_type]
        paginator = SearchPaginator(
            modified_property=C.MODIFIED_PROPERTY[object_type], start_ms=start_ms,
            end_ms=end_ms, properties=properties, limit=self.settings.search_page_size,
            cap=self.settings.search_result_cap,
        )
        request = PageRequest("POST", f"{self.settings.objects_prefix}/{object_type}/search",
                              data=paginator.first_body())
        contacts_of: dict[str, str] = {}
        stages = self._stages(account) if object_type == "deals" else {}
        to_row = {
            "contacts": contact_row(account),
            "companies": company_row(account),
            "deals": deal_row(account, stages, contacts_of),
        }[object_type]
        for page in self.paginate(request, paginator, account=account.id, data_key="results"):
            if object_type == "deals":
                contacts_of.update(self._deal_contacts(account, page.records))
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, to_row)
        if paginator.reanchors:
            logger.info("hubspot %s %s %s: re-anchored %d time(s) past the %d-result cap",
                        account.id, spec.name, window, paginator.reanchors,
                        self.settings.search_result_cap)
        rows.result.rows = latest_per_id(rows.result.rows, spec.primary_key[0])

    def _stages(self, account: AccountInfo) -> dict[str, dict[str, Any]]:
        """Deal stage id -> its pipeline, label, probability and closed/won flags."""
        answer = self.request("GET", f"{self.settings.pipelines_prefix}/deals",
                              account=account.id, expect_key="results")
        stages: dict[str, dict[str, Any]] = {}
        for pipeline in answer.payload.get("results") or []:
            if not isinstance(pipeline, dict):
                continue
            for stage in pipeline.get("stages") or []:
                if not isinstance(stage, dict) or "id" not in stage:
                    continue
                meta = stage.get("metadata") or {}
                stages[str(stage["id"])] = {
                    "pipeline_id": str(pipeline.get("id")),
                    "pipeline_label": pipeline.get("label"),
                    "label": stage.get("label"),
                    "probability": meta.get("probability"),
                    "closed": str(meta.get("isClosed", "false")).lower() == "true",
                }
        return stages

    def _deal_contacts(self, account: AccountInfo, records: list[Any]) -> dict[str, str]:
        """Deal id -> the lowest associated contact id (v4 associations batch read)."""
        ids = [str(r.get("id")) for r in records if isinstance(r, dict) and str(
            r.get("id", "")).isdigit()]
        if not ids:
            return {}
        path = f"{self.settings.associations_prefix}/deals/contacts/batch/read"
        out: dict[str, str] = {}
        for start in range(0, len(ids), C.ASSOCIATION_BATCH_SIZE):
            chunk = ids[start: start + C.ASSOCIATION_BATCH_SIZE]
            answer = self.request("POST", path, account=account.id, expect_key="results",
                                  data={"inputs": [{"id": i} for i in chunk]})
            for result in answer.payload.get("results") or []:
                try:
                    deal = str(result["from"]["id"])
                    targets = sorted(int(t["toObjectId"]) for t in result.get("to") or [])
                except (KeyError, TypeError, ValueError):
                    continue  # an unreadable association: the deal row keeps no contact
                if targets:
                    out[deal] = str(targets[0])
        return out

    def _read_lists(self, account: AccountInfo, rows: RecordCollector) -> None:
        for page in self._list_pages(account):
            for index, raw in enumerate(page.records):
                rows.add(rows.location(page.number, index), raw, list_row(account))

    def _list_pages(self, account: AccountInfo) -> Any:
        size = self.settings.object_page_size
        request = PageRequest("POST", f"{self.settings.lists_prefix}/search",
                              data={"query": "", "offset": 0, "count": size})
        return self.paginate(request, BodyOffsetPaginator(size), account=account.id,
                             data_key="lists")

    def _read_memberships(
        self, account: AccountInfo, window: DateWindow, rows: RecordCollector
    ) -> None:
        """Page every contact list's members; keep those who joined within the window.

        HubSpot's membership listing has no time filter, so each read pages whole lists.
        """
        lists: list[str] = []
        for page in self._list_pages(account):
            for raw in page.records:
                # Only the id matters here (the lists stream validates the rest).
                list_id = str(raw.get("listId", "")) if isinstance(raw, dict) else ""
                if not list_id.isdigit():
                    raise MalformedResponseError(
                        f"a list without a usable listId ({list_id[:20]!r}): its members "
                        "cannot be read", platform=self.platform, account=account.id,
                        endpoint=f"{self.settings.lists_prefix}/search",
                    )
                if raw.get("objectTypeId", "0-1") == "0-1":
                    lists.append(list_id)
        number = 0
        for list_id in lists:
            path = f"{self.settings.lists_prefix}/{list_id}/memberships"
            params = {"limit": self.settings.object_page_size}
            for page in self.pages(path, params, account=account.id):
                number += 1
                for index, raw in enumerate(page.records):
                    day = local_day(raw, "membershipTimestamp", account)
                    if day is not None and day not in window:
                        continue
                    rows.add(rows.location(number, index), raw, membership_row(account,
                                                                                list_id))

    def _read_submissions(
        self, account: AccountInfo, window: DateWindow, rows: RecordCollector
    ) -> None:
        """Page each form's submissions (newest first) down to the window's first day."""
        start_ms, _ = self._bounds(account, window)
        forms: list[tuple[str, str | None]] = []
        params = {"limit": self.settings.object_page_size}
        for page in self.pages(C.FORMS_PATH, params, account=account.id):
            for raw in page.records:
                form_id = raw.get("id") if isinstance(raw, dict) else None
                if not isinstance(form_id, str) or not form_id:
                    raise MalformedResponseError(
                        "a form without an id: its submissions cannot be read",
                        platform=self.platform, account=account.id, endpoint=C.FORMS_PATH,
                    )
                forms.append((form_id, raw.get("name")))
        number = 0
        for form_id, form_name in forms:
            params = {"limit": self.settings.submission_page_size}
            to_row = submission_row(account, form_id, form_name)
            for page in self.pages(f"{C.SUBMISSIONS_PATH}/{form_id}", params, account=account.id):
                number += 1
                oldest: int | None = None
                for index, raw in enumerate(page.records):
                    submitted = instant_ms(raw, "submittedAt")
                    if submitted is not None:
                        oldest = submitted if oldest is None else min(oldest, submitted)
                    day = local_day(raw, "submittedAt", account)
                    if day is not None and day not in window:
                        continue
                    rows.add(rows.location(number, index), raw, to_row)
                if oldest is not None and oldest < start_ms:
                    break  # newest first: every later page is older than the window
