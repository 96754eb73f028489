"""Acme Ads API emulator; see README.md for what is and is not emulated."""

from .auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_TOKEN,
    TokenStore,
)
from .emulator import MAX_PAGE_SIZE, AcmeAdsEmulator, AcmeError, acme_ads

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "MAX_PAGE_SIZE",
    "REFRESH_TOKEN",
    "SANDBOX_TOKEN",
    "AcmeAdsEmulator",
    "AcmeError",
    "TokenStore",
    "acme_ads",
]
