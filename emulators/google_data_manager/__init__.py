"""Emulator of the Google Data Manager API's event ingestion (offline conversions)."""

from __future__ import annotations

from emulators.google_data_manager.emulator import GoogleDataManagerEmulator
from emulators.google_data_manager.ingest import IngestedEvent, IngestLog

__all__ = ["GoogleDataManagerEmulator", "IngestLog", "IngestedEvent"]
