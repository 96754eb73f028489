"""Google Data Manager as a conversion destination (``connectors.conversion_destinations``).

A planned conversion becomes a :class:`ConversionEvent` (``transactionId`` = its event id,
the click id as gclid) and goes through
:meth:`GoogleDataManagerConnector.ingest_conversions`, which formats and hashes the email
and phone per Google (``formatting``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.conversion_destinations import (
    ConversionDestination,
    DestinationRules,
    PlannedConversion,
    RejectedConversion,
    SendResult,
)
from connectors.google_data_manager import settings as C
from connectors.google_data_manager.client import GoogleDataManagerConnector, event_to_wire
from connectors.google_data_manager.formatting import google_email, google_phone
from connectors.google_data_manager.models import ConversionEvent, Destination

__all__ = ["RULES", "GoogleDataManagerDestination", "conversion_event"]

RULES = DestinationRules(
    name="google_data_manager",
    title="Google",
    max_event_age=timedelta(days=C.MAX_EVENT_AGE_DAYS),
    age_window="click-through window",
    click_id="gclid",
    identifiers=("gclid", "email", "phone"),
    batch_size=C.MAX_EVENTS_PER_REQUEST,
    email=google_email,
    phone=google_phone,
)


def conversion_event(conversion: PlannedConversion) -> ConversionEvent:
    """Return the Data Manager event of a planned conversion (identifiers still raw)."""
    return ConversionEvent(
        transaction_id=conversion.event_id, occurred_at=conversion.occurred_at,
        gclid=conversion.click_id, email=conversion.email, phone=conversion.phone,
        value=conversion.value, currency=conversion.currency,
    )


class GoogleDataManagerDestination(ConversionDestination):
    """Offline conversions to one Google Ads conversion action.

    Args:
        connector: the Data Manager connector (closed by :meth:`close`).
        destination: the Google Ads account and conversion action.
        default_country_code: country code for phones written without one.

    """

    rules = RULES

    def __init__(
        self,
        connector: GoogleDataManagerConnector,
        destination: Destination,
        *,
        default_country_code: str | None = None,
    ) -> None:
        self.connector = connector
        self.destination = destination
        self.default_country_code = default_country_code

    def describe(self) -> str:
        """Name the account and conversion action the events go to."""
        d = self.destination
        return (f"Google Data Manager account {d.account_id}, "
                f"conversion action {d.conversion_action_id}")

    def now(self) -> datetime:
        """Return the connector's clock (an in-process sandbox's market clock)."""
        return self.connector._clock().astimezone(UTC)

    def wire_event(self, conversion: PlannedConversion) -> dict[str, Any]:
        """Return the ``events[]`` entry Google receives (email and phone hashed, hex)."""
        return event_to_wire(conversion_event(conversion), self.now(), self.default_country_code)

    def send(self, batch: Sequence[PlannedConversion]) -> SendResult:
        """Ingest the batch; events Google cannot take are rejected with the reason."""
        result = self.connector.ingest_conversions(
            self.destination, [conversion_event(c) for c in batch],
            default_country_code=self.default_country_code, batch_size=self.batch_size,
        )
        rejected = [RejectedConversion(r.transaction_id, r.reason) for r in result.rejected]
        refused = {r.event_id for r in rejected}
        return SendResult(
            accepted=[c.event_id for c in batch if c.event_id not in refused],
            rejected=rejected, request_ids=list(result.request_ids),
            test=result.validate_only,
        )

    def close(self) -> None:
        """Close the connector."""
        self.connector.close()
