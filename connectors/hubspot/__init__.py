"""HubSpot CRM connector (v3 paths by default; date-based versions through path prefixes).

Endpoints covered:

* ``GET /account-info/v3/details`` - ``list_accounts`` (the portal: id, time zone, currency)
* ``POST /crm/v3/objects/{contacts|companies|deals}/search`` - streams ``contacts``,
  ``companies``, ``deals`` (windowed by modification day; keyset re-anchoring past the
  10,000-result cap)
* ``GET /crm/v3/pipelines/deals`` and ``POST /crm/v4/associations/deals/contacts/batch/read``
  - deal stages and each deal's contact
* ``POST /crm/v3/lists/search`` - stream ``lists``; ``GET /crm/v3/lists/{id}/memberships`` -
  stream ``list_memberships``
* ``GET /marketing/v3/forms`` and ``GET /form-integrations/v1/submissions/forms/{guid}`` -
  stream ``form_submissions``
* ``POST /crm/v3/objects/contacts/batch/upsert`` (100 per call, by email) and
  ``PUT /crm/v3/lists/{id}/memberships/add`` - writes
* ``POST /oauth/v1/token`` (``grant_type=refresh_token``) - OAuth refresh
"""

from __future__ import annotations

from connectors.hubspot.client import (
    ContactUpsert,
    CrmContact,
    HubSpotConnector,
    ListChange,
    UpsertedContact,
)
from connectors.hubspot.config import HubSpotSettings
from connectors.hubspot.search import SearchPaginator

__all__ = [
    "ContactUpsert",
    "CrmContact",
    "HubSpotConnector",
    "HubSpotSettings",
    "ListChange",
    "SearchPaginator",
    "UpsertedContact",
]
