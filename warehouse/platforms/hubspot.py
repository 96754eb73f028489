"""HubSpot CRM tables (DDL in migrations/010_hubspot.sql) and their quality suites.

Records are merged on their HubSpot id alone: a contact re-read on a later modification day
overwrites its row (the connector's stream key adds the day only to keep one read's rows
apart). Emails are kept as sent; ``email_status`` says whether each is well formed, and a
malformed one is a warning, not a reason to hold back the batch.
"""

from __future__ import annotations

from warehouse.quality.checks import (
    keys_not_null,
    known_currency,
    natural_key_unique,
    no_rejected_records,
    non_negative,
)
from warehouse.spec import CheckKind, CheckSpec, Severity, TableSpec

__all__ = ["TABLES"]


def _emails_well_formed(column: str = "email_status") -> CheckSpec:
    """WARN when a row's email is present but malformed."""
    return CheckSpec("emails_well_formed", CheckKind.IN_SET, Severity.WARN, (column,),
                     {"values": ("valid", "missing")})


def _crm_table(table: str, key: tuple[str, ...], date_column: str | None,
               *extra: CheckSpec) -> TableSpec:
    return TableSpec(
        table=table,
        natural_key=key,
        date_column=date_column,
        checks=(
            keys_not_null("portal_id", *key),
            natural_key_unique(*key),
            *extra,
            # No row-count check: an incremental CRM read is as small as the day's edits.
            no_rejected_records(),
        ),
    )


TABLES: tuple[TableSpec, ...] = (
    _crm_table("hubspot.contacts", ("contact_id",), "modified_date", _emails_well_formed()),
    _crm_table("hubspot.companies", ("company_id",), "modified_date"),
    _crm_table("hubspot.deals", ("deal_id",), "modified_date", non_negative("amount"),
               known_currency("currency")),
    _crm_table("hubspot.lists", ("list_id",), None),
    _crm_table("hubspot.list_memberships", ("list_id", "record_id"), "membership_date"),
    _crm_table("hubspot.form_submissions", ("submission_id",), "submitted_date"),
)
