"""Lead intake: validate and normalise a lead, then decide what to write to the CRM.

``Lead`` is the typed parameter of the ``sync_leads`` flow (Prefect renders it as the form
in the UI; webhook events fill it from their payload). ``plan_contact_upsert`` compares the
normalised lead with the CRM's current contact (found by email) and returns only the
properties that should change: a lead never blanks a value the CRM holds, never moves the
lifecycle stage backwards, and keeps the first touch's attribution fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marketing.identity import InvalidIdentifier, normalize_email, normalize_phone, person_key
from marketing.lifecycle import STAGES

__all__ = ["ContactUpsert", "Lead", "LeadSource", "NormalizedLead", "normalize_lead",
           "plan_contact_upsert"]

LeadSource = Literal["web_form", "hubspot", "meta_lead_ad", "manual"]
# Properties set only when the CRM has none: the first touch explains the acquisition.
_FIRST_TOUCH = ("utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid", "li_fat_id",
                "ga_client_id")


class Lead(BaseModel):
    """A lead as a form, an ad platform or a person typed it.

    Attributes:
        email: the lead's email (the CRM dedupes on it); may be left out when
            ``crm_contact_id`` names a contact the CRM already holds.
        crm_contact_id: the CRM contact the lead is (a lead the CRM announced itself).
        first_name: given name.
        last_name: family name.
        phone: phone number; without a country code the flow's default applies.
        company: company name.
        marketing_consent: the lead agreed to marketing email and ad audiences.
        source: where the lead came from.
        utm_source: utm_source of the landing page.
        utm_medium: utm_medium.
        utm_campaign: utm_campaign.
        gclid: Google click id from the landing URL.
        fbclid: Meta click id.
        li_fat_id: LinkedIn click id.
        ga_client_id: the GA4 client id the form captured.
        submitted_at: when the lead was submitted (default: when the flow runs).

    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, min_length=3, max_length=254)
    crm_contact_id: str | None = Field(default=None, pattern=r"^\d{1,20}$")
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    company: str | None = Field(default=None, max_length=200)
    marketing_consent: bool = False
    source: LeadSource = "manual"
    utm_source: str | None = Field(default=None, max_length=200)
    utm_medium: str | None = Field(default=None, max_length=200)
    utm_campaign: str | None = Field(default=None, max_length=200)
    gclid: str | None = Field(default=None, max_length=200)
    fbclid: str | None = Field(default=None, max_length=500)
    li_fat_id: str | None = Field(default=None, max_length=200)
    ga_client_id: str | None = Field(default=None, max_length=100)
    submitted_at: datetime | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _identified(self) -> Lead:
        if self.email is None and self.crm_contact_id is None:
            raise ValueError("a lead needs an email (or the CRM contact id it already has)")
        return self

    def with_email(self, email: str) -> Lead:
        """Return a copy carrying ``email`` (read from the CRM for a lead known by id)."""
        return self.model_copy(update={"email": email})


@dataclass(frozen=True)
class NormalizedLead:
    """A lead whose identifiers are in canonical form, with its person key."""

    person_key: str
    email: str
    properties: dict[str, str]  # CRM property name -> value (no empty values)
    marketing_consent: bool
    submitted_at: datetime


def normalize_lead(
    lead: Lead, now: datetime, default_country_code: str | None = None
) -> NormalizedLead:
    """Return the lead normalised for the CRM.

    Raises:
        marketing.identity.InvalidIdentifier: the email or phone cannot be normalised, or
            the lead has no email yet (read it from the CRM first).

    """
    if lead.email is None:
        raise InvalidIdentifier("the lead has no email: read it from the CRM contact first")
    email = normalize_email(lead.email)
    properties = {
        "email": email,
        "firstname": _name(lead.first_name),
        "lastname": _name(lead.last_name),
        "phone": normalize_phone(lead.phone, default_country_code) if lead.phone else None,
        "company": lead.company,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "gclid": lead.gclid,
        "fbclid": lead.fbclid,
        "li_fat_id": lead.li_fat_id,
        "ga_client_id": lead.ga_client_id,
        "lead_source": lead.source,
        "marketing_consent": "true" if lead.marketing_consent else None,
    }
    return NormalizedLead(
        person_key=person_key(email),
        email=email,
        properties={k: v for k, v in properties.items() if v},
        marketing_consent=lead.marketing_consent,
        submitted_at=lead.submitted_at or now,
    )


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split())


@dataclass(frozen=True)
class ContactUpsert:
    """What to write for one lead: create, update some properties, or nothing."""

    email: str
    action: Literal["create", "update", "unchanged"]
    properties: dict[str, str]
    crm_id: str | None
    stage_before: str | None
    stage_after: str | None


def plan_contact_upsert(
    lead: NormalizedLead, existing: dict[str, str | None] | None, crm_id: str | None = None
) -> ContactUpsert:
    """Decide the CRM write for a lead given the contact the CRM holds (None: no contact).

    * a new contact gets every lead property and lifecycle stage ``lead``;
    * an existing one gets only properties it lacks or that the lead changes, except the
      first-touch fields (UTM, click ids, GA client id) which are set only when empty;
    * the stage moves to ``lead`` only from ``subscriber`` or none; later stages stay.
    """
    if existing is None:
        props = dict(lead.properties, lifecyclestage="lead")
        return ContactUpsert(lead.email, "create", props, None, None, "lead")
    changes: dict[str, str] = {}
    for name, value in lead.properties.items():
        current = existing.get(name)
        if name in _FIRST_TOUCH and current:
            continue
        if name == "lead_source" and current:
            continue
        if current != value:
            changes[name] = value
    stage = existing.get("lifecyclestage") or None
    after = stage
    if stage is None or (stage in STAGES and STAGES.index(stage) < STAGES.index("lead")):
        changes["lifecyclestage"] = after = "lead"
    action: Literal["update", "unchanged"] = "update" if changes else "unchanged"
    return ContactUpsert(lead.email, action, changes, crm_id, stage, after)
