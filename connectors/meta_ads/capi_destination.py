"""Meta's Conversions API as a conversion destination (``connectors.conversion_destinations``).

A planned conversion becomes a :class:`CapiEvent`: ``event_id`` = its event id, the click
id as ``fbc``, ``Purchase`` for deals, store sales and orders (``Lead`` for leads), and
``action_source`` ``physical_store`` for store sales (``system_generated`` otherwise). It goes
through :meth:`MetaAdsConnector.send_conversions`, which normalises and hashes the email and
phone per Meta (``conversions_api``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from connectors.conversion_destinations import (
    ConversionDestination,
    DestinationRules,
    PlannedConversion,
    RejectedConversion,
    SendResult,
)
from connectors.meta_ads.client import MetaAdsConnector
from connectors.meta_ads.conversions_api import (
    MAX_EVENT_AGE,
    MAX_EVENTS_PER_REQUEST,
    CapiEvent,
    meta_email,
    meta_phone,
    to_wire,
)

__all__ = ["RULES", "MetaCapiDestination", "capi_event"]

RULES = DestinationRules(
    name="meta_capi",
    title="Meta",
    max_event_age=MAX_EVENT_AGE,
    age_window="event_time window",
    click_id="fbclid",
    identifiers=("email", "phone", "fbclid"),
    batch_size=MAX_EVENTS_PER_REQUEST,
    email=meta_email,
    phone=meta_phone,
)

EVENT_NAMES = {"deal": "Purchase", "store_sale": "Purchase", "order": "Purchase",
               "lead": "Lead"}
"""Meta standard event per conversion kind (others: ``Purchase``)."""
ACTION_SOURCES = {"store_sale": "physical_store"}
"""Where a conversion of each kind happened, in Meta's terms (others: ``system_generated``)."""


def capi_event(conversion: PlannedConversion) -> CapiEvent:
    """Return the Conversions API event of a planned conversion (identifiers still raw)."""
    return CapiEvent(
        event_name=EVENT_NAMES.get(conversion.kind, "Purchase"),
        event_time=conversion.occurred_at,
        event_id=conversion.event_id,
        email=conversion.email,
        phone=conversion.phone,
        fbclid=conversion.click_id,
        clicked_at=conversion.clicked_at if conversion.click_id else None,
        value=conversion.value,
        currency=conversion.currency,
        action_source=ACTION_SOURCES.get(conversion.kind, "system_generated"),
    )


class MetaCapiDestination(ConversionDestination):
    """Offline conversions to one Meta pixel (dataset).

    Args:
        connector: the Meta connector (closed by :meth:`close`).
        pixel_id: the pixel the events go to.
        test_event_code: route the events to Events Manager's Test Events tool (Meta does
            not count them: :attr:`SendResult.test`).
        default_country_code: country code for phones written without one.

    """

    rules = RULES

    def __init__(
        self,
        connector: MetaAdsConnector,
        pixel_id: str,
        *,
        test_event_code: str | None = None,
        default_country_code: str | None = None,
    ) -> None:
        self.connector = connector
        self.pixel_id = pixel_id
        self.test_event_code = test_event_code
        self.default_country_code = default_country_code

    def describe(self) -> str:
        """Name the pixel the events go to."""
        return f"Meta Conversions API pixel {self.pixel_id}"

    def now(self) -> datetime:
        """Return the connector's clock (an in-process sandbox's market clock)."""
        return self.connector._clock().astimezone(UTC)

    def wire_event(self, conversion: PlannedConversion) -> dict[str, Any]:
        """Return the ``data[]`` entry Meta receives (hashed email and phone, click as fbc)."""
        return to_wire(capi_event(conversion), self.now(), self.default_country_code)

    def send(self, batch: Sequence[PlannedConversion]) -> SendResult:
        """Send the batch; events Meta cannot take are rejected with the reason."""
        answer = self.connector.send_conversions(
            self.pixel_id, [capi_event(c) for c in batch],
            test_event_code=self.test_event_code,
            default_country_code=self.default_country_code,
        )
        rejected = [RejectedConversion(r.event_id, r.reason) for r in answer.rejected]
        refused = {r.event_id for r in rejected}
        return SendResult(
            accepted=[c.event_id for c in batch if c.event_id not in refused],
            rejected=rejected, request_ids=list(answer.fbtrace_ids),
            test=bool(self.test_event_code),
        )

    def close(self) -> None:
        """Close the connector."""
        self.connector.close()
