"""Our own web forms, signed with Standard Webhooks: a submission becomes a lead event.

The form backend posts ``{"type": "form.submitted", "timestamp": ..., "data": {...}}`` (the
Standard Webhooks payload convention) with ``webhook-id`` as the delivery id. ``data`` holds
the person (``email`` required), consent, UTM tags, click ids and the GA4 client id. Other
``type`` values are answered ``ignored``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.events import LEAD_RECEIVED, LeadReceived
from gateway.sources._common import Mapped, Parsed, invalid, iso, load_json

__all__ = ["FORM_SUBMITTED", "ClickIds", "FormData", "FormSubmission", "Utm", "parse"]

FORM_SUBMITTED = "form.submitted"
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_Text = Field(default=None, max_length=500)


class Utm(BaseModel):
    """UTM tags of the landing page."""

    model_config = ConfigDict(extra="ignore")

    source: str | None = _Text
    medium: str | None = _Text
    campaign: str | None = _Text
    term: str | None = _Text
    content: str | None = _Text


class ClickIds(BaseModel):
    """Ad click ids the visitor arrived with."""

    model_config = ConfigDict(extra="ignore")

    gclid: str | None = _Text
    gbraid: str | None = _Text
    wbraid: str | None = _Text
    fbclid: str | None = _Text
    li_fat_id: str | None = _Text
    msclkid: str | None = _Text
    ttclid: str | None = _Text


class FormData(BaseModel):
    """The fields of one form submission."""

    model_config = ConfigDict(extra="ignore")

    email: str = Field(max_length=254, description="the person's email address")
    form_id: str | None = Field(default=None, max_length=255)
    first_name: str | None = _Text
    last_name: str | None = _Text
    phone: str | None = Field(default=None, max_length=64)
    consent: bool | None = Field(default=None, description="marketing consent given")
    utm: Utm | None = None
    click_ids: ClickIds | None = None
    ga_client_id: str | None = Field(default=None, max_length=255)
    page_url: str | None = Field(default=None, max_length=2048)
    submitted_at: datetime | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not _EMAIL_RE.match(value):
            raise ValueError("not an email address")
        return value


class FormSubmission(BaseModel):
    """The body a web form backend posts (Standard Webhooks ``type``/``timestamp``/``data``)."""

    model_config = ConfigDict(extra="ignore")

    type: str = Field(max_length=255, examples=[FORM_SUBMITTED])
    timestamp: datetime | None = None
    data: dict[str, Any] = Field(description="a FormData object when type is form.submitted")


def parse(body: bytes, *, webhook_id: str, received_at: datetime) -> Parsed:
    """Map a verified web form delivery to its lead (or to nothing for other types)."""
    try:
        message = FormSubmission.model_validate(load_json(body))
    except ValidationError as exc:
        raise invalid(exc) from None
    if message.type != FORM_SUBMITTED:
        return Parsed(ignored=1)
    try:
        form = FormData.model_validate(message.data)
    except ValidationError as exc:
        raise invalid(exc, "body.data") from None
    utm = form.utm or Utm()
    clicks = form.click_ids or ClickIds()
    occurred = form.submitted_at or message.timestamp
    payload = LeadReceived(
        source="webform",
        delivery_id=webhook_id,
        topic=FORM_SUBMITTED,
        received_at=iso(received_at),
        occurred_at=iso(occurred) if occurred else None,
        email=form.email,
        first_name=form.first_name,
        last_name=form.last_name,
        phone=form.phone,
        consent=form.consent,
        form_id=form.form_id,
        page_url=form.page_url,
        utm_source=utm.source,
        utm_medium=utm.medium,
        utm_campaign=utm.campaign,
        utm_term=utm.term,
        utm_content=utm.content,
        ga_client_id=form.ga_client_id,
        **clicks.model_dump(),
    )
    return Parsed([Mapped(webhook_id, FORM_SUBMITTED, LEAD_RECEIVED, payload, body.decode())])
