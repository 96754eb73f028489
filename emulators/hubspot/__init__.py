"""HubSpot CRM emulator; see README.md for what is and is not emulated."""

from emulators.hubspot.auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    PRIVATE_APP_TOKEN,
    REFRESH_TOKEN,
    TokenStore,
)
from emulators.hubspot.emulator import (
    DEFAULT_QUOTA,
    PORTAL_ID,
    PORTAL_TIMEZONE,
    SERVED_VERSIONS,
    HubSpotEmulator,
    hubspot,
)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DEFAULT_QUOTA",
    "PORTAL_ID",
    "PORTAL_TIMEZONE",
    "PRIVATE_APP_TOKEN",
    "REFRESH_TOKEN",
    "SERVED_VERSIONS",
    "HubSpotEmulator",
    "TokenStore",
    "hubspot",
]
