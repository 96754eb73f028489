"""Meta (Facebook) page webhooks: each ``leadgen`` change becomes a lead event.

The body is ``{"object": "page", "entry": [{"id", "time", "changes": [{"field": "leadgen",
"value": {"leadgen_id", "page_id", "form_id", "ad_id", "adgroup_id", "created_time"}}]}]}``.
The delivery id is the ``leadgen_id`` (Meta signs no timestamp and retries for hours, so the
inbox's one-row-per-lead is what stops a replay). The webhook names the lead but carries none
of its fields: the lead flow reads them from the Graph API by ``meta_leadgen_id``. Other
fields and objects are ``ignored``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.events import LEAD_RECEIVED, LeadReceived
from gateway.sources._common import Id, Mapped, Parsed, epoch_s_iso, invalid, iso, load_json

__all__ = ["LEADGEN", "LeadgenValue", "MetaNotification", "parse"]

LEADGEN = "leadgen"


class LeadgenValue(BaseModel):
    """The ``value`` of a ``leadgen`` change."""

    model_config = ConfigDict(extra="ignore")

    leadgen_id: Id = Field(max_length=64)
    page_id: Id | None = Field(default=None, max_length=64)
    form_id: Id | None = Field(default=None, max_length=64)
    ad_id: Id | None = Field(default=None, max_length=64)
    adgroup_id: Id | None = Field(default=None, max_length=64)
    created_time: int | None = Field(default=None, description="epoch seconds")


class MetaChange(BaseModel):
    """One change of an entry."""

    model_config = ConfigDict(extra="ignore")

    field: str = Field(max_length=128, examples=[LEADGEN])
    value: dict[str, Any] = Field(default_factory=dict)


class MetaEntry(BaseModel):
    """One entry (a page) of a notification."""

    model_config = ConfigDict(extra="ignore")

    id: Id = Field(max_length=64)
    time: int | None = None
    changes: list[MetaChange] = Field(default_factory=list, max_length=1000)


class MetaNotification(BaseModel):
    """The body Meta posts to a page subscription."""

    model_config = ConfigDict(extra="ignore")

    object: str = Field(max_length=64, examples=["page"])
    entry: list[MetaEntry] = Field(max_length=1000)


def parse(body: bytes, *, received_at: datetime) -> Parsed:
    """Map a verified Meta notification to its lead deliveries."""
    try:
        notification = MetaNotification.model_validate(load_json(body))
    except ValidationError as exc:
        raise invalid(exc) from None
    parsed = Parsed()
    received = iso(received_at)
    for e, entry in enumerate(notification.entry):
        for c, change in enumerate(entry.changes):
            if notification.object != "page" or change.field != LEADGEN:
                parsed.ignored += 1
                continue
            try:
                value = LeadgenValue.model_validate(change.value)
            except ValidationError as exc:
                raise invalid(exc, f"body.entry[{e}].changes[{c}].value") from None
            lead = LeadReceived(
                source="meta",
                delivery_id=value.leadgen_id,
                topic=LEADGEN,
                received_at=received,
                occurred_at=epoch_s_iso(value.created_time),
                meta_leadgen_id=value.leadgen_id,
                meta_page_id=value.page_id or entry.id,
                meta_form_id=value.form_id,
                meta_ad_id=value.ad_id,
                meta_adgroup_id=value.adgroup_id,
            )
            raw = json.dumps(
                {"object": notification.object, "entry_id": entry.id, "time": entry.time,
                 "change": change.model_dump()},
                separators=(",", ":"),
            )
            parsed.deliveries.append(Mapped(value.leadgen_id, LEADGEN, LEAD_RECEIVED, lead, raw))
    return parsed
