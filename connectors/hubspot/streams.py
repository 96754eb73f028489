"""Declarative streams of the HubSpot connector: names, tables, keys, models.

Records are windowed by modification day in the portal's time zone (``through_today``: a
CRM record changed today is complete). Each windowed stream's key includes its day column,
as every windowed stream's does; the warehouse merges on the record id alone.
"""

from __future__ import annotations

from connectors.hubspot import settings as C
from connectors.hubspot.models import (
    CompanyRow,
    ContactRow,
    DealRow,
    FormSubmissionRow,
    ListMembershipRow,
    ListRow,
)
from connectors.streams import StreamSpec

__all__ = ["SEARCH_STREAMS", "STREAMS"]


def _windowed(name: str, key: str, day: str, model: type) -> StreamSpec:
    return StreamSpec(name, f"{C.PLATFORM}.{name}", (key, day), day, model, through_today=True)


CONTACTS = _windowed("contacts", "contact_id", "modified_date", ContactRow)
COMPANIES = _windowed("companies", "company_id", "modified_date", CompanyRow)
DEALS = _windowed("deals", "deal_id", "modified_date", DealRow)
LISTS = StreamSpec("lists", f"{C.PLATFORM}.lists", ("list_id",), None, ListRow)
LIST_MEMBERSHIPS = StreamSpec(
    "list_memberships", f"{C.PLATFORM}.list_memberships", ("list_id", "record_id",
                                                           "membership_date"),
    "membership_date", ListMembershipRow, through_today=True,
)
FORM_SUBMISSIONS = _windowed("form_submissions", "submission_id", "submitted_date",
                             FormSubmissionRow)

STREAMS: tuple[StreamSpec, ...] = (
    CONTACTS, COMPANIES, DEALS, LISTS, LIST_MEMBERSHIPS, FORM_SUBMISSIONS,
)
# Stream -> CRM object type read through the search API.
SEARCH_STREAMS = {"contacts": "contacts", "companies": "companies", "deals": "deals"}
