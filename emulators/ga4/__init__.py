"""GA4 Data API (runReport) and Admin API emulator; see README.md for what is emulated."""

from emulators.ga4.emulator import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_ID_PARAMETER,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    Ga4Emulator,
    ga4,
    sandbox_tokens,
)
from emulators.ga4.properties import (
    DEFAULT_PROPERTIES,
    CustomDimension,
    Ga4Property,
)
from emulators.ga4.quota import PropertyQuotaLimits, report_tokens
from emulators.ga4.report import MAX_LIMIT

__all__ = [
    "ACCESS_TOKEN",
    "CLIENT_ID",
    "CLIENT_ID_PARAMETER",
    "CLIENT_SECRET",
    "DEFAULT_PROPERTIES",
    "MAX_LIMIT",
    "REFRESH_TOKEN",
    "CustomDimension",
    "Ga4Emulator",
    "Ga4Property",
    "PropertyQuotaLimits",
    "ga4",
    "report_tokens",
    "sandbox_tokens",
]
