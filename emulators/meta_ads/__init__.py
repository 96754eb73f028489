"""Meta Marketing (Graph) API emulator; see README.md for what is and is not emulated."""

from emulators.meta_ads.auth import APP_ID, APP_SECRET, SANDBOX_TOKEN, TokenStore, appsecret_proof
from emulators.meta_ads.emulator import SERVED_VERSIONS, MetaAdsEmulator

__all__ = [
    "APP_ID",
    "APP_SECRET",
    "SANDBOX_TOKEN",
    "SERVED_VERSIONS",
    "MetaAdsEmulator",
    "TokenStore",
    "appsecret_proof",
]
