"""HubSpot app webhooks: a JSON array of up to 100 events per request, each its own delivery.

Each event's delivery id is ``<portalId>-<eventId>`` (HubSpot retries resend the same
events). Mapped subscription types:

* ``contact.creation`` -> ``campaign-ops.lead.received`` (the contact id; form submissions
  create contacts, so this is how a HubSpot form lead arrives);
* ``contact.propertyChange`` of ``lifecyclestage`` or ``hs_lead_status`` ->
  ``campaign-ops.crm.segment-changed``;
* ``deal.propertyChange`` of ``dealstage`` to ``closedwon`` ->
  ``campaign-ops.offline-conversions.received`` (kind ``crm_deal``).

Other events are ``ignored``. A batch with any malformed event is refused whole (422, naming
the event's index): nothing is half-stored, and HubSpot retries it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from gateway.errors import InvalidPayload
from gateway.events import (
    CRM_SEGMENT_CHANGED,
    LEAD_RECEIVED,
    OFFLINE_CONVERSIONS_RECEIVED,
    LeadReceived,
    OfflineConversionReceived,
    SegmentChanged,
)
from gateway.sources._common import Id, Mapped, Parsed, epoch_ms_iso, invalid, iso, load_json

__all__ = ["SEGMENT_PROPERTIES", "HubSpotEvent", "parse"]

SEGMENT_PROPERTIES = frozenset({"lifecyclestage", "hs_lead_status"})
_MAX_EVENTS = 1000


class HubSpotEvent(BaseModel):
    """One event of a HubSpot webhook batch (documented fields; others are kept in the body)."""

    model_config = ConfigDict(extra="ignore")

    eventId: Id = Field(max_length=64)
    portalId: Id = Field(max_length=64)
    objectId: Id = Field(max_length=64)
    subscriptionType: str = Field(max_length=128, examples=["contact.creation"])
    occurredAt: int | None = Field(default=None, description="epoch milliseconds")
    subscriptionId: Id | None = Field(default=None, max_length=64)
    appId: Id | None = Field(default=None, max_length=64)
    attemptNumber: int | None = None
    propertyName: str | None = Field(default=None, max_length=255)
    propertyValue: str | None = Field(default=None, max_length=4096)
    changeSource: str | None = Field(default=None, max_length=128)


_BATCH = TypeAdapter(list[HubSpotEvent])


def _map(event: HubSpotEvent, delivery_id: str, received: str) -> Mapped | None:
    common: dict[str, Any] = {
        "source": "hubspot",
        "delivery_id": delivery_id,
        "topic": event.subscriptionType,
        "received_at": received,
        "occurred_at": epoch_ms_iso(event.occurredAt),
        "hubspot_portal_id": event.portalId,
    }
    body = json.dumps(event.model_dump(exclude_none=True), separators=(",", ":"))
    if event.subscriptionType == "contact.creation":
        lead = LeadReceived(**common, hubspot_contact_id=event.objectId)
        return Mapped(delivery_id, event.subscriptionType, LEAD_RECEIVED, lead, body)
    if (
        event.subscriptionType == "contact.propertyChange"
        and event.propertyName in SEGMENT_PROPERTIES
    ):
        change = SegmentChanged(
            **common,
            hubspot_contact_id=event.objectId,
            property_name=event.propertyName,
            property_value=event.propertyValue,
            change_source=event.changeSource,
        )
        return Mapped(delivery_id, event.subscriptionType, CRM_SEGMENT_CHANGED, change, body)
    if (
        event.subscriptionType == "deal.propertyChange"
        and event.propertyName == "dealstage"
        and event.propertyValue == "closedwon"
    ):
        deal = OfflineConversionReceived(
            **common, kind="crm_deal", conversion_id=event.objectId, hubspot_deal_id=event.objectId
        )
        return Mapped(
            delivery_id, event.subscriptionType, OFFLINE_CONVERSIONS_RECEIVED, deal, body
        )
    return None


def parse(body: bytes, *, received_at: datetime) -> Parsed:
    """Map a verified HubSpot batch to its deliveries."""
    data = load_json(body)
    if isinstance(data, list) and len(data) > _MAX_EVENTS:
        raise InvalidPayload(
            f"a HubSpot batch holds at most {_MAX_EVENTS} events", location="body"
        )
    try:
        events = _BATCH.validate_python(data)
    except ValidationError as exc:
        raise invalid(exc) from None
    parsed = Parsed()
    received = iso(received_at)
    for event in events:
        mapped = _map(event, f"{event.portalId}-{event.eventId}", received)
        if mapped is None:
            parsed.ignored += 1
        else:
            parsed.deliveries.append(mapped)
    return parsed

