"""Pydantic models of HubSpot records: the API edge (``Hs*``) and the output rows (``*Row``).

HubSpot sends every CRM property as a string (``"amount": "9513.00"``), instants as ISO text
with milliseconds (``"2026-11-20T10:15:02.123Z"``), ids as decimal strings, and form
submissions' ``submittedAt`` as epoch milliseconds. The edge models parse those; the row
models are the warehouse columns and each stream's ``StreamSpec.model``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

__all__ = [
    "CompanyRow",
    "ContactRow",
    "DealRow",
    "FormSubmissionRow",
    "HsList",
    "HsMembership",
    "HsObject",
    "HsSubmission",
    "ListMembershipRow",
    "ListRow",
    "email_status",
    "epoch_ms",
    "hs_instant",
    "hs_money",
]

NumericId = Annotated[str, StringConstraints(pattern=r"^\d+$", min_length=1, max_length=40)]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def hs_instant(value: Any) -> datetime:
    """Parse a HubSpot instant: ISO text (``...Z``) or epoch milliseconds (int or digits).

    Raises:
        ValueError: anything else.

    """
    if isinstance(value, bool):
        raise ValueError("expected an instant, got a boolean")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected an ISO instant, got {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO instant: {value[:40]!r}") from None
    if moment.utcoffset() is None:
        raise ValueError(f"instant without a time zone: {value[:40]!r}")
    return moment.astimezone(UTC)


def epoch_ms(moment: datetime) -> int:
    """Return epoch milliseconds of an aware datetime, exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def hs_money(value: str | None) -> Decimal | None:
    """Parse a money property (a decimal string; empty means none).

    Raises:
        ValueError: not a finite, non-negative decimal.

    """
    if value is None or value == "":
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"amount {value[:30]!r} is not a decimal number") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount {value[:30]!r} must be a finite, non-negative number")
    return amount


def email_status(email: str | None) -> Literal["valid", "missing", "malformed"]:
    """Classify an email as ``valid``, ``missing`` or ``malformed`` (a WARN check reads it)."""
    if email is None or not email.strip():
        return "missing"
    return "valid" if _EMAIL.match(email.strip()) else "malformed"


Instant = Annotated[datetime, BeforeValidator(hs_instant)]


class _Edge(BaseModel):
    # HubSpot adds fields over time; ignore what we did not ask for.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# ---------------------------------------------------------------- edge models


class HsObject(_Edge):
    """A CRM record: ``{"id", "properties": {...strings}, "createdAt", "updatedAt", ...}``."""

    id: NumericId
    properties: dict[str, str | None]
    createdAt: Instant
    updatedAt: Instant
    archived: bool = False

    def prop(self, name: str) -> str | None:
        """Return a property, ``None`` when absent or empty."""
        value = self.properties.get(name)
        return value if value not in (None, "") else None

    def instant(self, name: str) -> datetime | None:
        """Return a date property as a UTC datetime (None when empty)."""
        value = self.prop(name)
        return hs_instant(value) if value is not None else None


class HsList(_Edge):
    """A list from ``POST /crm/v3/lists/search``."""

    listId: NumericId
    name: str
    processingType: str
    objectTypeId: str
    createdAt: Instant
    updatedAt: Instant | None = None
    additionalProperties: dict[str, Any] = Field(default_factory=dict)


class HsMembership(_Edge):
    """``{"recordId": "123", "membershipTimestamp": "...Z"}``."""

    recordId: NumericId
    membershipTimestamp: Instant


class _Value(_Edge):
    name: str
    value: str


class HsSubmission(_Edge):
    """A form submission: ``{"submittedAt": ms, "values": [{name, value}], "pageUrl"}``."""

    submittedAt: Instant
    values: list[_Value]
    pageUrl: str | None = None
    conversionId: str | None = None

    def value(self, name: str) -> str | None:
        """Return a field's value (None when absent or empty)."""
        return next((v.value for v in self.values if v.name == name and v.value), None)


# ---------------------------------------------------------------- output rows


class ContactRow(_Row):
    """Row of ``hubspot.contacts``; ``modified_date`` is the portal-local day of the last edit."""

    portal_id: NumericId
    contact_id: NumericId
    email: str | None
    email_status: Literal["valid", "missing", "malformed"]
    first_name: str | None
    last_name: str | None
    phone: str | None
    lifecycle_stage: str | None
    company_id: str | None
    ga_client_id: str | None
    gclid: str | None
    fbclid: str | None
    li_fat_id: str | None
    created_at: datetime
    updated_at: datetime
    modified_date: date
    archived: bool


class CompanyRow(_Row):
    """Row of ``hubspot.companies``."""

    portal_id: NumericId
    company_id: NumericId
    name: str | None
    domain: str | None
    created_at: datetime
    updated_at: datetime
    modified_date: date
    archived: bool


class DealRow(_Row):
    """Row of ``hubspot.deals``; ``amount`` in ``currency``, major units."""

    portal_id: NumericId
    deal_id: NumericId
    deal_name: str | None
    pipeline_id: str | None
    pipeline_label: str | None
    stage_id: str | None
    stage_label: str | None
    stage_probability: Decimal | None
    is_closed: bool
    is_won: bool
    amount: Decimal | None
    currency: str
    close_date: datetime | None
    contact_id: str | None
    created_at: datetime
    updated_at: datetime
    modified_date: date
    archived: bool


class ListRow(_Row):
    """Row of ``hubspot.lists``."""

    portal_id: NumericId
    list_id: NumericId
    name: str
    processing_type: str
    object_type_id: str
    size: int | None
    created_at: datetime
    updated_at: datetime | None


class ListMembershipRow(_Row):
    """Row of ``hubspot.list_memberships``: a record in a list since ``member_since``."""

    portal_id: NumericId
    list_id: NumericId
    record_id: NumericId
    member_since: datetime
    membership_date: date


class FormSubmissionRow(_Row):
    """Row of ``hubspot.form_submissions`` with the hidden fields' values."""

    portal_id: NumericId
    submission_id: str
    form_id: str
    form_name: str | None
    submitted_at: datetime
    submitted_date: date
    email: str | None
    first_name: str | None
    last_name: str | None
    phone: str | None
    page_url: str | None
    ga_client_id: str | None
    click_id_type: str | None
    click_id: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
