"""Shopify Admin GraphQL emulator; see README.md for what is and is not emulated."""

from emulators.shopify.auth import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_TOKEN,
    TokenStore,
)
from emulators.shopify.bucket import CostBucket, ShopifyQuota
from emulators.shopify.emulator import (
    MAX_PAGE_SIZE,
    RELEASE_CANDIDATE,
    SANDBOX_SHOP,
    SERVED_VERSIONS,
    ShopifyEmulator,
    shopify,
)
from emulators.shopify.store import ShopConfig

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "MAX_PAGE_SIZE",
    "REFRESH_TOKEN",
    "RELEASE_CANDIDATE",
    "SANDBOX_SHOP",
    "SANDBOX_TOKEN",
    "SERVED_VERSIONS",
    "CostBucket",
    "ShopConfig",
    "ShopifyEmulator",
    "ShopifyQuota",
    "TokenStore",
    "shopify",
]
