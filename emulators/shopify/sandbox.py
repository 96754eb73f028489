"""How the sandbox serves Shopify: the sandbox shop, its token and its query limits."""

from __future__ import annotations

from typing import Any

from emulators.sandbox import SandboxPlatform
from emulators.shopify.auth import SANDBOX_TOKEN
from emulators.shopify.bucket import ShopifyQuota
from emulators.shopify.emulator import SANDBOX_SHOP, shopify

__all__ = ["SANDBOX"]


def _settings(base_url: str) -> dict[str, Any]:
    # In process: the live template (https://{shop}.myshopify.com) filled with the sandbox
    # shop; on loopback: the server URL, which serves the sandbox shop.
    return {"base_url": base_url, "shop": SANDBOX_SHOP, "access_token": SANDBOX_TOKEN}


def _in_process() -> dict[str, Any]:
    # The sandbox shop is on Shopify Plus query limits (10x the standard restore rate), so the
    # demo is not mostly waiting on the cost bucket; tests and the bench cover the standard
    # 2,000-point bucket restoring 100 points a second.
    return {"quota": ShopifyQuota(maximum_available=20_000, restore_rate=1_000)}


SANDBOX = SandboxPlatform("shopify", "source", shopify, _settings, renders_population=True,
                          in_process=_in_process)
