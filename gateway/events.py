"""The Prefect events the gateway emits: names, ids, resources and payloads, in one place.

Deployments trigger on these names (``prefect.yaml`` ``triggers: expect:``), so they are
defined here and nowhere else. Payloads are flat objects of strings, booleans and nulls, so
a trigger can template any field into a flow parameter
(``"{{ event.payload.email | default('') }}"``) or pass the whole payload
(``"{{ event.payload | tojson }}"``) without UUIDs or datetimes that break ``tojson``.

Which delivery becomes which event:

=====================================  ==========================================
delivery                               event
=====================================  ==========================================
web form (Standard Webhooks)           ``campaign-ops.lead.received``
  ``form.submitted``
HubSpot ``contact.creation``           ``campaign-ops.lead.received``
Meta page ``leadgen`` change           ``campaign-ops.lead.received``
Shopify ``orders/create``              ``campaign-ops.offline-conversions.received``
HubSpot ``deal.propertyChange``        ``campaign-ops.offline-conversions.received``
  ``dealstage`` -> ``closedwon``
HubSpot ``contact.propertyChange``     ``campaign-ops.crm.segment-changed``
  ``lifecyclestage`` / ``hs_lead_status``
=====================================  ==========================================

Anything else a sender posts is verified, answered 200 ``ignored`` and not stored.

The event id is ``uuid5(EVENT_NAMESPACE, "<source>/<delivery id>")``: the same delivery,
however often it is forwarded, is one event, and Prefect drops repeated ids.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CRM_SEGMENT_CHANGED",
    "EVENT_NAMES",
    "EVENT_NAMESPACE",
    "LEAD_RECEIVED",
    "OFFLINE_CONVERSIONS_RECEIVED",
    "PAYLOAD_MODELS",
    "SOURCES",
    "LeadReceived",
    "OfflineConversionReceived",
    "SegmentChanged",
    "Source",
    "event_id",
    "resource",
    "resource_id",
]

LEAD_RECEIVED = "campaign-ops.lead.received"
OFFLINE_CONVERSIONS_RECEIVED = "campaign-ops.offline-conversions.received"
CRM_SEGMENT_CHANGED = "campaign-ops.crm.segment-changed"
EVENT_NAMES = (LEAD_RECEIVED, OFFLINE_CONVERSIONS_RECEIVED, CRM_SEGMENT_CHANGED)

Source = Literal["hubspot", "meta", "shopify", "webform"]
SOURCES: tuple[Source, ...] = ("hubspot", "meta", "shopify", "webform")

# Fixed forever: changing it would give every past delivery a new event id.
EVENT_NAMESPACE = UUID("6f2d1f3e-8d4b-5c1a-9e7f-0a3b2c4d5e60")


def event_id(source: str, delivery_id: str) -> UUID:
    """Return the Prefect event id of a delivery (deterministic)."""
    return uuid5(EVENT_NAMESPACE, f"{source}/{delivery_id}")


def resource_id(source: str, delivery_id: str) -> str:
    """Return the event's ``prefect.resource.id``: ``campaign-ops.webhook.<source>.<id>``."""
    return f"campaign-ops.webhook.{source}.{delivery_id}"


def resource(source: str, delivery_id: str, topic: str) -> dict[str, str]:
    """Return the event's resource labels (match on ``campaign-ops.source`` in triggers)."""
    return {
        "prefect.resource.id": resource_id(source, delivery_id),
        "prefect.resource.name": f"{source} {topic}",
        "campaign-ops.source": source,
        "campaign-ops.topic": topic,
        "campaign-ops.delivery-id": delivery_id,
    }


class _Payload(BaseModel):
    """Fields every payload carries: where the delivery came from and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    delivery_id: str
    topic: str
    received_at: str
    occurred_at: str | None = None


class _Attribution(BaseModel):
    """Campaign data a lead or conversion carried: UTM tags and click ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    gclid: str | None = None
    gbraid: str | None = None
    wbraid: str | None = None
    fbclid: str | None = None
    li_fat_id: str | None = None
    msclkid: str | None = None
    ttclid: str | None = None
    ga_client_id: str | None = None


class LeadReceived(_Payload, _Attribution):
    """Payload of ``campaign-ops.lead.received``.

    A web form carries the person (email, names, phone, consent, attribution). HubSpot and
    Meta only announce a lead by id (``hubspot_contact_id``; ``meta_leadgen_id`` with form,
    ad and page): the lead flow reads the person from the CRM or the Graph API.
    """

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    consent: bool | None = None
    form_id: str | None = None
    page_url: str | None = None
    hubspot_portal_id: str | None = None
    hubspot_contact_id: str | None = None
    meta_leadgen_id: str | None = None
    meta_form_id: str | None = None
    meta_page_id: str | None = None
    meta_ad_id: str | None = None
    meta_adgroup_id: str | None = None


class OfflineConversionReceived(_Payload, _Attribution):
    """Payload of ``campaign-ops.offline-conversions.received``.

    ``kind`` is ``order`` (Shopify ``orders/create``) or ``crm_deal`` (a HubSpot deal moved
    to closed won). ``value`` is a decimal string in ``currency`` (null for a HubSpot deal:
    the webhook carries no amount; the flow reads it). Attribution comes from the order's
    landing URL when the shop recorded one.
    """

    kind: Literal["order", "crm_deal"]
    conversion_id: str
    value: str | None = None
    currency: str | None = None
    email: str | None = None
    phone: str | None = None
    order_name: str | None = None
    shop_domain: str | None = None
    shopify_customer_id: str | None = None
    landing_site: str | None = None
    hubspot_portal_id: str | None = None
    hubspot_deal_id: str | None = None


class SegmentChanged(_Payload):
    """Payload of ``campaign-ops.crm.segment-changed``.

    A contact's lifecycle stage or lead status changed in the CRM (audiences built on it need
    a refresh); the flow reads the contact by ``hubspot_contact_id``.
    """

    hubspot_portal_id: str
    hubspot_contact_id: str
    property_name: str
    property_value: str | None = None
    change_source: str | None = None


PAYLOAD_MODELS: dict[str, type[_Payload]] = {
    LEAD_RECEIVED: LeadReceived,
    OFFLINE_CONVERSIONS_RECEIVED: OfflineConversionReceived,
    CRM_SEGMENT_CHANGED: SegmentChanged,
}
