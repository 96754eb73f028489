"""Lead sync: a lead from a web form, the CRM or a person typing it, into the CRM, once.

Started three ways: by the gateway's ``campaign-ops.lead.received`` event (a signed web form
or a HubSpot contact creation), by hand from the Prefect UI (the ``Lead`` form), or by
``run_deployment``. It validates and normalises the lead, looks the person up in the CRM by
email (or by the contact id the CRM announced), upserts only what should change, sets the
lifecycle stage, and emits ``campaign-ops.lead.synced`` for follow-ups.
"""

from __future__ import annotations

from typing import Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event
from pydantic import BaseModel

from marketing.identity import InvalidIdentifier
from marketing.leads import Lead, normalize_lead, plan_contact_upsert
from resources import environment as environments
from tasks.crm import crm_portal, read_contacts, upsert_contacts

__all__ = ["LEAD_SYNCED", "LeadRejected", "LeadSyncResult", "sync_leads"]

LEAD_SYNCED = "campaign-ops.lead.synced"
# What the plan compares: every property a lead may set, and the stage.
_READ = ("email", "firstname", "lastname", "phone", "company", "utm_source", "utm_medium",
         "utm_campaign", "gclid", "fbclid", "li_fat_id", "ga_client_id", "lead_source",
         "marketing_consent", "lifecyclestage")


class LeadRejected(ValueError):
    """The lead cannot be synced as given; the message says which field and why."""


class LeadSyncResult(BaseModel):
    """What one lead sync did."""

    person_key: str
    email: str
    action: Literal["create", "update", "unchanged"]
    crm_contact_id: str | None
    stage_before: str | None
    stage_after: str | None
    changed: list[str]
    dry_run: bool


@flow(name="sync-leads", log_prints=True)
def sync_leads(
    lead: Lead, default_country_code: str | None = None, dry_run: bool = False
) -> LeadSyncResult:
    """Validate, normalise and dedupe one lead against the CRM, then upsert it.

    Args:
        lead: the lead (email, or the CRM contact id of a lead the CRM announced).
        default_country_code: country calling code for phones typed without one (``49``).
        dry_run: plan and report, write nothing, emit nothing.

    Raises:
        LeadRejected: the email or phone cannot be normalised, or the CRM does not know
            the contact id; nothing was written.

    """
    logger = get_run_logger()
    environment = environments.current()
    portal = crm_portal(environment)
    if lead.email is None:
        assert lead.crm_contact_id is not None  # Lead guarantees one of the two
        known = read_contacts(environment, portal, [lead.crm_contact_id], ["email"],
                              by="hs_object_id")
        email = known.get(lead.crm_contact_id)
        if email is None or not email.properties.get("email"):
            raise LeadRejected(
                f"CRM contact {lead.crm_contact_id} does not exist or has no email; "
                "nothing was written"
            )
        lead = lead.with_email(str(email.properties["email"]))
    try:
        normalized = normalize_lead(lead, environment.now("hubspot"), default_country_code)
    except InvalidIdentifier as exc:
        raise LeadRejected(f"{exc}; nothing was written") from None

    existing = read_contacts(environment, portal, [normalized.email], _READ)
    current = existing.get(normalized.email)
    plan = plan_contact_upsert(
        normalized,
        current.properties if current else None,
        current.contact_id if current else None,
    )
    contact_id = plan.crm_id
    if plan.action != "unchanged" and not dry_run:
        # The email identifies the contact in the upsert itself, not as a property.
        properties = {k: v for k, v in plan.properties.items() if k != "email"}
        [written] = upsert_contacts(environment, portal, {plan.email: properties})
        contact_id = written.contact_id
    result = LeadSyncResult(
        person_key=normalized.person_key,
        email=normalized.email,
        action=plan.action,
        crm_contact_id=contact_id,
        stage_before=plan.stage_before,
        stage_after=plan.stage_after,
        changed=sorted(plan.properties),
        dry_run=dry_run,
    )
    logger.info("lead %s: %s (%s)", normalized.person_key, plan.action,
                ", ".join(result.changed) or "nothing to change")
    if not dry_run:
        emit_event(
            LEAD_SYNCED,
            resource={"prefect.resource.id": f"campaign-ops.person.{normalized.person_key}",
                      "campaign-ops.crm-contact-id": contact_id or ""},
            payload=result.model_dump(exclude={"email"}),  # no addresses in event history
        )
    create_markdown_artifact(
        key="lead-sync",
        markdown=_summary(result),
        description=f"Lead {normalized.person_key}: {plan.action}",
    )
    return result


def _summary(result: LeadSyncResult) -> str:
    verb = {"create": "Created", "update": "Updated", "unchanged": "Left unchanged"}
    lines = [
        f"## {verb[result.action]} CRM contact {result.crm_contact_id or '(new)'}"
        + (" — dry run, nothing written" if result.dry_run else ""),
        "",
        "| | |",
        "|---|---|",
        f"| person key | `{result.person_key}` |",
        f"| lifecycle stage | {result.stage_before or '(none)'} → {result.stage_after} |",
        f"| properties written | {', '.join(result.changed) or '(none)'} |",
    ]
    return "\n".join(lines)
