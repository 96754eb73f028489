"""Google Ads API (REST) emulator; see README.md for what is and is not emulated."""

from emulators.google_ads.auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEVELOPER_TOKEN,
    REFRESH_TOKEN,
    SANDBOX_ACCESS_TOKEN,
    TokenStore,
)
from emulators.google_ads.emulator import PAGE_SIZE, SERVED_VERSIONS, GoogleAdsEmulator
from emulators.google_ads.resources import CONVERSION_WINDOWS, MANAGER_ID

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "CONVERSION_WINDOWS",
    "DEVELOPER_TOKEN",
    "MANAGER_ID",
    "PAGE_SIZE",
    "REFRESH_TOKEN",
    "SANDBOX_ACCESS_TOKEN",
    "SERVED_VERSIONS",
    "GoogleAdsEmulator",
    "TokenStore",
]
