"""The one stream of the offline-conversions source."""

from __future__ import annotations

from connectors.offline_conversions.schema import OfflineConversionRow
from connectors.streams import StreamSpec

__all__ = ["CONVERSIONS", "STREAMS"]

CONVERSIONS = StreamSpec(
    name="conversions",
    table="offline_conversions.conversions",
    primary_key=("conversion_id",),
    cursor_field="occurred_date",
    model=OfflineConversionRow,
    through_today=True,
)
STREAMS = (CONVERSIONS,)
