"""Offline conversions (closed deals, store sales) from a drop folder of CSV or Parquet files."""

from connectors.offline_conversions.client import OfflineConversionsConnector
from connectors.offline_conversions.config import OfflineConversionsSettings
from connectors.offline_conversions.schema import COLUMNS, OfflineConversionRow

__all__ = ["COLUMNS", "OfflineConversionRow", "OfflineConversionsConnector",
           "OfflineConversionsSettings"]
