"""CRM tasks: read contacts and write them through the HubSpot connector.

Thin: each task builds the connector for the run's environment, makes one logical call and
returns plain data. Reads retry on 'try again later' answers; the upsert is keyed by email,
so a retry after a lost answer writes the same values again and creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NONE

from connectors.hubspot import ContactUpsert, CrmContact, UpsertedContact
from resources.environment import Environment
from tasks.extract import retry_only_retryable

__all__ = ["CrmPortal", "crm_portal", "read_contacts", "upsert_contacts"]

PLATFORM = "hubspot"


@dataclass(frozen=True)
class CrmPortal:
    """The CRM account the run writes to."""

    portal_id: str


def _connector(environment: Environment):  # type: ignore[no-untyped-def]
    return environment.connector(PLATFORM)


@task(name="crm-portal", cache_policy=NONE, retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_only_retryable)
def crm_portal(environment: Environment) -> CrmPortal:
    """Return the portal the credentials reach (the first one)."""
    connector = _connector(environment)
    try:
        return CrmPortal(connector.list_accounts()[0].id)
    finally:
        connector.close()


@task(name="read-crm-contacts", cache_policy=NONE, retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_only_retryable)
def read_contacts(
    environment: Environment,
    portal: CrmPortal,
    ids: Sequence[str],
    properties: Sequence[str],
    by: str = "email",
) -> dict[str, CrmContact]:
    """Read contacts by email (or ``hs_object_id``); unknown ones are absent."""
    connector = _connector(environment)
    try:
        return connector.read_contacts(  # type: ignore[no-any-return,attr-defined]
            portal.portal_id, list(ids), list(properties), by=by
        )
    finally:
        connector.close()


@task(name="upsert-crm-contacts", cache_policy=NONE, retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_only_retryable)
def upsert_contacts(
    environment: Environment, portal: CrmPortal, contacts: Mapping[str, Mapping[str, str]]
) -> list[UpsertedContact]:
    """Create or update contacts by email (100 per call).

    Args:
        environment: where the CRM is.
        portal: the CRM portal.
        contacts: email -> the properties to set (strings, as the CRM stores them).

    """
    connector = _connector(environment)
    upserts = [ContactUpsert(email, dict(properties)) for email, properties in contacts.items()]
    try:
        return connector.upsert_contacts(  # type: ignore[no-any-return,attr-defined]
            portal.portal_id, upserts
        )
    finally:
        connector.close()
