"""LinkedIn Marketing API emulator; see README.md for what is and is not emulated."""

from emulators.linkedin_ads.auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_TOKEN,
    TokenStore,
)
from emulators.linkedin_ads.emulator import (
    MAX_ELEMENTS,
    MAX_FIELDS,
    SERVED_VERSIONS,
    LinkedInAdsEmulator,
    linkedin_ads,
)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "MAX_ELEMENTS",
    "MAX_FIELDS",
    "REFRESH_TOKEN",
    "SANDBOX_TOKEN",
    "SERVED_VERSIONS",
    "LinkedInAdsEmulator",
    "TokenStore",
    "linkedin_ads",
]

