"""The Shopify ContractTarget (found by ``tests/connectors/contract.py:discover_targets``).

The emulator's cost bucket runs on the connector's fake clock (``quota_clock``), so the time
the connector waits for the bucket to refill is time the emulator sees pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.retry import RetryPolicy
from connectors.shopify import ShopifyConnector, ShopifySettings
from emulators.entities import LAYOUTS
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.shopify import SANDBOX_SHOP, TokenStore, shopify
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 25
POPULATION = 3000

SH_TOKEN = "shpat_CANARY-shopify-token-7c1d9e"
SH_CLIENT_ID = "canary-shopify-client"
SH_CLIENT_SECRET = "shpss_CANARY-shopify-secret-3f2a"
SH_REFRESH_TOKEN = "shprt_CANARY-shopify-refresh-8b4e"


def shopify_emulator(faults: FaultConfig | None, **options):
    options.setdefault("market", Market(seed=7, today=TODAY, platforms=tuple(LAYOUTS)))
    options.setdefault("population_size", POPULATION)
    options.setdefault(
        "tokens",
        TokenStore(
            sandbox_token=SH_TOKEN,
            client_id=SH_CLIENT_ID,
            client_secret=SH_CLIENT_SECRET,
            refresh_token=SH_REFRESH_TOKEN,
        ),
    )
    return shopify(faults=faults, **options)


def shopify_connector(
    emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None, **overrides
):
    emulator.quota_clock = clock.monotonic  # one clock for the bucket and the client
    values = {
        "shop": SANDBOX_SHOP,
        "base_url": base_url or "https://{shop}.myshopify.com",
        "access_token": SecretStr(SH_TOKEN),
        "client_id": SH_CLIENT_ID,
        "client_secret": SecretStr(SH_CLIENT_SECRET),
        "refresh_token": SecretStr(SH_REFRESH_TOKEN),
        "customers_page_size": PAGE_SIZE,
        "orders_page_size": PAGE_SIZE,
        "line_item_orders_page_size": 10,
        "requests_per_second": 1000,
        "retry": RetryPolicy(max_attempts=8),
        "timeout_seconds": 5,
        **overrides,
    }
    return ShopifyConnector(
        ShopifySettings(**values),
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def shopify_issued_tokens(emulator) -> list[str]:
    return [*emulator.tokens.issued, *emulator.tokens.issued_refresh_tokens]


TARGET = ContractTarget(
    platform="shopify",
    make_emulator=shopify_emulator,
    make_connector=shopify_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(SH_TOKEN, SH_CLIENT_SECRET, SH_REFRESH_TOKEN),
    extra_secrets=shopify_issued_tokens,
)
