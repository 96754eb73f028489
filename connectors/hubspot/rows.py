"""HubSpot row builders: one CRM record, list, membership or form submission -> one row.

Each builder takes what the read knows (the portal, a list, a form) and returns a function
of one raw record, for :class:`~connectors.records.RecordCollector` (a record that does not
validate becomes a reject with its location). Days are the portal's local days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from connectors.hubspot import settings as C
from connectors.hubspot.models import (
    CompanyRow,
    ContactRow,
    DealRow,
    FormSubmissionRow,
    HsList,
    HsMembership,
    HsObject,
    HsSubmission,
    ListMembershipRow,
    ListRow,
    email_status,
    epoch_ms,
    hs_instant,
    hs_money,
)
from connectors.streams import AccountInfo

__all__ = [
    "company_row",
    "contact_row",
    "deal_row",
    "instant_ms",
    "latest_per_id",
    "list_row",
    "local_day",
    "membership_row",
    "submission_row",
]



def instant_ms(raw: Any, key: str) -> int | None:
    """Return the instant at ``raw[key]`` in epoch milliseconds, or None if unreadable."""
    try:
        return epoch_ms(hs_instant(raw.get(key))) if isinstance(raw, dict) else None
    except ValueError:
        return None


def local_day(raw: Any, key: str, account: AccountInfo) -> date | None:
    """Return the portal-local day of the instant at ``raw[key]``, or None if unreadable."""
    try:
        moment = hs_instant(raw.get(key)) if isinstance(raw, dict) else None
    except ValueError:
        return None
    return moment.astimezone(account.tz).date() if moment is not None else None


def latest_per_id(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Keep one row per record id: the newest, if a record changed during the read."""
    best: dict[Any, dict[str, Any]] = {}
    for row in rows:
        kept = best.get(row[key])
        if kept is None or row["updated_at"] > kept["updated_at"]:
            best[row[key]] = row
    return list(best.values()) if len(best) != len(rows) else rows


def _modified(record: HsObject, prop: str, account: AccountInfo) -> tuple[datetime, date]:
    moment = record.instant(prop)
    if moment is None:
        raise ValueError(f"{prop} is missing")
    return moment, moment.astimezone(account.tz).date()


def _created(record: HsObject) -> datetime:
    created = record.instant("createdate")
    return created if created is not None else record.createdAt


def _check_id(record: HsObject) -> None:
    object_id = record.prop("hs_object_id")
    if object_id is not None and object_id != record.id:
        raise ValueError(f"hs_object_id {object_id} differs from id {record.id}")


def contact_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.contacts`` rows of the portal."""

    def build(raw: Any) -> ContactRow:
        c = HsObject.model_validate(raw)
        _check_id(c)
        updated, day = _modified(c, C.MODIFIED_PROPERTY["contacts"], account)
        email = c.prop("email")
        stage = c.prop("lifecyclestage")
        return ContactRow(
            portal_id=account.id, contact_id=c.id, email=email.strip() if email else None,
            email_status=email_status(email), first_name=c.prop("firstname"),
            last_name=c.prop("lastname"), phone=c.prop("phone"),
            lifecycle_stage=stage.lower() if stage else None,
            company_id=c.prop("associatedcompanyid"), ga_client_id=c.prop("ga_client_id"),
            gclid=c.prop("gclid"), fbclid=c.prop("fbclid"), li_fat_id=c.prop("li_fat_id"),
            created_at=_created(c), updated_at=updated, modified_date=day, archived=c.archived,
        )

    return build


def company_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.companies`` rows of the portal."""

    def build(raw: Any) -> CompanyRow:
        c = HsObject.model_validate(raw)
        _check_id(c)
        updated, day = _modified(c, C.MODIFIED_PROPERTY["companies"], account)
        return CompanyRow(
            portal_id=account.id, company_id=c.id, name=c.prop("name"), domain=c.prop("domain"),
            created_at=_created(c), updated_at=updated, modified_date=day, archived=c.archived,
        )

    return build


def deal_row(
    account: AccountInfo, stages: Mapping[str, Mapping[str, Any]], contacts_of: Mapping[str, str]
) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.deals`` rows: stage labels and flags, and each deal's first contact."""

    def build(raw: Any) -> DealRow:
        d = HsObject.model_validate(raw)
        _check_id(d)
        updated, day = _modified(d, C.MODIFIED_PROPERTY["deals"], account)
        stage_id = d.prop("dealstage")
        stage = stages.get(stage_id or "", {})
        probability = stage.get("probability")
        try:
            chance = Decimal(str(probability)) if probability not in (None, "") else None
        except InvalidOperation:
            chance = None
        closed = bool(stage.get("closed"))
        return DealRow(
            portal_id=account.id, deal_id=d.id, deal_name=d.prop("dealname"),
            pipeline_id=d.prop("pipeline"), pipeline_label=stage.get("pipeline_label"),
            stage_id=stage_id, stage_label=stage.get("label"), stage_probability=chance,
            is_closed=closed, is_won=closed and chance is not None and chance > 0,
            amount=hs_money(d.prop("amount")),
            currency=(d.prop("deal_currency_code") or account.currency).upper(),
            close_date=d.instant("closedate"), contact_id=contacts_of.get(d.id),
            created_at=_created(d), updated_at=updated, modified_date=day, archived=d.archived,
        )

    return build


def list_row(account: AccountInfo) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.lists`` rows of the portal."""

    def build(raw: Any) -> ListRow:
        lst = HsList.model_validate(raw)
        size = lst.additionalProperties.get("hs_list_size")
        return ListRow(
            portal_id=account.id, list_id=lst.listId, name=lst.name,
            processing_type=lst.processingType, object_type_id=lst.objectTypeId,
            size=int(size) if isinstance(size, str) and size.isdigit() else None,
            created_at=lst.createdAt, updated_at=lst.updatedAt,
        )

    return build


def membership_row(account: AccountInfo, list_id: str) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.list_memberships`` rows of one list."""

    def build(raw: Any) -> ListMembershipRow:
        m = HsMembership.model_validate(raw)
        return ListMembershipRow(
            portal_id=account.id, list_id=list_id, record_id=m.recordId,
            member_since=m.membershipTimestamp,
            membership_date=m.membershipTimestamp.astimezone(account.tz).date(),
        )

    return build


def submission_row(
    account: AccountInfo, form_id: str, form_name: str | None
) -> Callable[[Any], BaseModel]:
    """Build ``hubspot.form_submissions`` rows of one form (an id when HubSpot gives none)."""

    def build(raw: Any) -> FormSubmissionRow:
        s = HsSubmission.model_validate(raw)
        email = s.value("email")
        click_type = next((f for f in C.CLICK_ID_FIELDS if s.value(f)), None)
        submission_id = s.conversionId or hashlib.sha256(
            f"{form_id}:{epoch_ms(s.submittedAt)}:{email}".encode()).hexdigest()[:32]
        return FormSubmissionRow(
            portal_id=account.id, submission_id=submission_id, form_id=form_id,
            form_name=form_name, submitted_at=s.submittedAt,
            submitted_date=s.submittedAt.astimezone(account.tz).date(),
            email=email.strip().lower() if email else None, first_name=s.value("firstname"),
            last_name=s.value("lastname"), phone=s.value("phone"), page_url=s.pageUrl,
            ga_client_id=s.value("ga_client_id"), click_id_type=click_type,
            click_id=s.value(click_type) if click_type else None,
            utm_source=s.value("utm_source"), utm_medium=s.value("utm_medium"),
            utm_campaign=s.value("utm_campaign"),
        )

    return build
