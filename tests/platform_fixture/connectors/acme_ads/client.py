"""AcmeAdsConnector: Acme's hooks (error body, usage headers, cursor paging) and stream reads.

Sample error body (HTTP 401)::

    {"error": {"code": "token_expired", "message": "The access token has expired"}}

A throttle is a 429 with ``Retry-After`` (``rate_limited``, or ``quota_exhausted`` when the
account's quota is spent). Every answer carries ``X-RateLimit-Limit`` and
``X-RateLimit-Remaining``, which feed the client-side limiter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from connectors._base import ErrorAnswer, Failure
from connectors.auth import BearerTokenAuth, refresh_token_auth
from connectors.errors import ConfigurationError
from connectors.pagination import CursorPaginator
from connectors.platform import PlatformConnector
from connectors.records import RecordCollector, validation_message
from connectors.streams import AccountInfo, DateWindow, StreamResult

from . import settings as C
from .config import AcmeAdsSettings
from .models import (
    AccountRow,
    AcmeAccount,
    AcmeAdStat,
    AcmeCampaign,
    AdStatsDailyRow,
    CampaignRow,
    utc,
)
from .streams import STREAMS

__all__ = ["AcmeAdsConnector"]

logger = logging.getLogger("connectors.acme_ads")


class AcmeAdsConnector(PlatformConnector[AcmeAdsSettings]):
    """Reads Acme accounts, campaigns and daily ad stats.

    Constructor arguments: see :class:`PlatformConnector`.
    """

    platform = C.PLATFORM
    stream_specs = STREAMS
    records_key = "data"

    def make_auth(self, settings: AcmeAdsSettings, clock: Callable[[], float]) -> httpx.Auth:
        """Bearer token, refreshed through OAuth when refresh credentials are configured."""
        if not settings.can_refresh_token:
            return BearerTokenAuth(settings.access_token)
        return refresh_token_auth(
            settings, token_url=settings.token_url, access_token=settings.access_token,
            clock=clock,
        )

    # ------------------------------------------------------------------ hooks

    def new_paginator(self) -> CursorPaginator:
        """Page collections with ``limit``/``cursor`` (``paging.next_cursor``)."""
        return CursorPaginator(("paging", "next_cursor"), param="cursor", has_more_path=None)

    def classify(self, response: httpx.Response, body: Any, *, account: str | None) -> ErrorAnswer:
        """Read Acme's error body (``error.code``, ``error.message``)."""
        error = body.get("error") if isinstance(body, dict) else None
        fields: dict[str, Any] = error if isinstance(error, dict) else {}
        code = fields.get("code") if isinstance(fields.get("code"), str) else None
        status = response.status_code
        text = str(fields.get("message") or f"HTTP {status} {response.reason_phrase}".strip())
        if code:
            text = f"{code}: {text}"
        return ErrorAnswer(
            text,
            failure=Failure.THROTTLED if code in C.THROTTLE_CODES else None,
            expired=code in C.EXPIRED_TOKEN_CODES,
            code=code,
        )

    def throttle_headroom(self, response: httpx.Response) -> float | None:
        """Return the share of the quota left (``X-RateLimit-Remaining`` / ``-Limit``)."""
        limit = response.headers.get(C.LIMIT_HEADER)
        remaining = response.headers.get(C.REMAINING_HEADER)
        if limit is None or remaining is None or float(limit) <= 0:
            return None
        return float(remaining) / float(limit)

    # ------------------------------------------------------------------ public API

    def normalize_account_id(self, account_id: str) -> str:
        """Return an account id typed by a person as Acme's (a decimal string).

        Raises:
            ConfigurationError: not a number.

        """
        bare = account_id.strip()
        if not bare.isdigit():
            raise ConfigurationError(f"invalid Acme account id {account_id!r}: not a number")
        return bare

    def list_accounts(self) -> list[AccountInfo]:
        """List the accounts the token can read (``GET /v1/accounts``).

        Invalid account records are skipped with a warning.
        """
        accounts: list[AccountInfo] = []
        params = {"limit": self.settings.object_page_size}
        for page in self.pages(f"{C.API_PREFIX}/accounts", params, account=None):
            for index, raw in enumerate(page.records):
                try:
                    acc = AcmeAccount.model_validate(raw)
                except ValidationError as exc:
                    logger.warning(
                        "skipping an invalid account (page %d, index %d): %s",
                        page.number,
                        index,
                        validation_message(exc),
                    )
                    continue
                if self.settings.account_ids is None or acc.id in self.settings.account_ids:
                    accounts.append(
                        AccountInfo(acc.id, acc.name, acc.currency, acc.timezone, acc.status)
                    )
        return accounts

    def read(
        self, stream: str, account: AccountInfo, window: DateWindow | None = None
    ) -> StreamResult:
        """Read one stream of one account.

        Args:
            stream: a name from :meth:`streams`.
            account: the account (from :meth:`list_accounts`).
            window: report days (``ad_stats_daily`` only); ``None`` reads the last
                ``initial_days`` days. The end is clamped to yesterday in the account's zone.

        Returns:
            Rows with warehouse column names, and rejected records.

        Raises:
            ConfigurationError: unknown stream.
            APIError: the platform failed beyond retries (see ``connectors.errors``).
            PaginationError: the API repeated a cursor.

        """
        spec = self.stream(stream)
        path = f"{C.API_PREFIX}/accounts/{account.id}"
        if stream == "accounts":
            rows = RecordCollector(spec, account.id)
            answer = self.request("GET", path, account=account.id)
            rows.add(rows.location(1, 0), answer.payload, _account_row)
            return rows.result
        if stream == "campaigns":
            rows = RecordCollector(spec, account.id)
            params: dict[str, Any] = {"limit": self.settings.object_page_size}
            to_row = _campaign_row(account)
            for page in self.pages(f"{path}/campaigns", params, account=account.id):
                for index, raw in enumerate(page.records):
                    rows.add(rows.location(page.number, index), raw, to_row)
            return rows.result
        clamped = self.clamp_window(account, window, spec)
        rows = RecordCollector(spec, account.id, clamped)
        if clamped is not None:
            params = {
                "since": clamped.start.isoformat(),
                "until": clamped.end.isoformat(),
                "limit": self.settings.stats_page_size,
            }
            to_stat = _stat_row(account)
            for page in self.pages(f"{path}/ad_stats", params, account=account.id):
                for index, raw in enumerate(page.records):
                    rows.add(rows.location(page.number, index), raw, to_stat)
        return rows.result


# ---------------------------------------------------------------------- row builders


def _account_row(raw: Any) -> AccountRow:
    acc = AcmeAccount.model_validate(raw)
    return AccountRow(
        account_id=acc.id,
        name=acc.name,
        currency=acc.currency,
        timezone_name=acc.timezone,
        status=acc.status,
    )


def _campaign_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> CampaignRow:
        c = AcmeCampaign.model_validate(raw)
        if c.account_id != account.id:
            raise ValueError(f"campaign belongs to account {c.account_id}, not {account.id}")
        return CampaignRow(
            account_id=c.account_id,
            campaign_id=c.id,
            name=c.name,
            status=c.status.upper(),
            objective=c.objective,
            daily_budget=c.daily_budget,
            currency=account.currency,
            created_time=utc(c.created_at),
            updated_time=utc(c.updated_at),
        )

    return build


def _stat_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    def build(raw: Any) -> AdStatsDailyRow:
        s = AcmeAdStat.model_validate(raw)
        if s.account_id != account.id:
            raise ValueError(f"stat belongs to account {s.account_id}, not {account.id}")
        return AdStatsDailyRow(
            account_id=s.account_id,
            campaign_id=s.campaign_id,
            ad_id=s.ad_id,
            date=s.date,
            currency=account.currency,
            spend=s.spend,
            impressions=s.impressions,
            clicks=s.clicks,
            conversions=s.conversions,
            conversion_value=s.conversion_value,
        )

    return build
