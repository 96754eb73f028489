"""Declarative streams of the GA4 connector: names, tables, keys, models."""

from __future__ import annotations

from connectors.ga4 import settings as C
from connectors.ga4.models import CustomDimensionRow, PropertyRow, SessionRow, TrafficDailyRow
from connectors.streams import StreamSpec

__all__ = ["STREAMS"]

PROPERTIES = StreamSpec(
    "properties", f"{C.PLATFORM}.properties", ("property_id",), None, PropertyRow
)
CUSTOM_DIMENSIONS = StreamSpec(
    "custom_dimensions",
    f"{C.PLATFORM}.custom_dimensions",
    ("property_id", "custom_dimension_id"),
    None,
    CustomDimensionRow,
)
TRAFFIC_DAILY = StreamSpec(
    "traffic_daily",
    f"{C.PLATFORM}.traffic_daily",
    ("property_id", "date", "source", "medium", "campaign_name", "landing_page"),
    "date",
    TrafficDailyRow,
)
SESSIONS = StreamSpec(
    "sessions", f"{C.PLATFORM}.sessions", ("session_key", "date"), "date", SessionRow
)

STREAMS: tuple[StreamSpec, ...] = (PROPERTIES, CUSTOM_DIMENSIONS, TRAFFIC_DAILY, SESSIONS)
