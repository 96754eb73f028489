"""The GA4 ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.ga4 import Ga4Connector, Ga4Settings
from connectors.retry import RetryPolicy
from emulators.faults import FaultConfig
from emulators.ga4 import Ga4Emulator
from emulators.google_ads.auth import TokenStore
from emulators.market import Market
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 3
REPORT_PAGE_SIZE = 40
PROPERTIES = ("310000001", "310000002")
AD_PLATFORMS = ("meta_ads", "google_ads", "linkedin_ads")

GA4_ACCESS_TOKEN = "CANARY-ga4-access-token-0c81f2"
GA4_CLIENT_ID = "210987654321-canary.apps.googleusercontent.com"
GA4_CLIENT_SECRET = "CANARY-ga4-client-secret-4e19"
GA4_REFRESH_TOKEN = "CANARY-ga4-refresh-token-a2d7c5"


def ga4_tokens() -> TokenStore:
    return TokenStore(
        sandbox_access_token=GA4_ACCESS_TOKEN,
        client_id=GA4_CLIENT_ID,
        client_secret=GA4_CLIENT_SECRET,
        refresh_token=GA4_REFRESH_TOKEN,
    )


def ga4_emulator(faults: FaultConfig | None, **options) -> Ga4Emulator:
    market = options.pop("market", None) or Market(seed=7, today=TODAY, platforms=AD_PLATFORMS)
    return Ga4Emulator(
        market, faults, None, tokens=ga4_tokens(), population_size=2_000, **options
    )


def ga4_connector(
    emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None, **overrides
) -> Ga4Connector:
    values = {
        "base_url": base_url or "https://analyticsdata.googleapis.com",
        "admin_base_url": base_url or "https://analyticsadmin.googleapis.com",
        "token_url": f"{base_url}/token" if base_url else "https://oauth2.googleapis.com/token",
        "client_id": GA4_CLIENT_ID,
        "client_secret": SecretStr(GA4_CLIENT_SECRET),
        "refresh_token": SecretStr(GA4_REFRESH_TOKEN),
        "access_token": SecretStr(GA4_ACCESS_TOKEN),
        "property_ids": PROPERTIES,
        "admin_page_size": PAGE_SIZE,
        "report_page_size": REPORT_PAGE_SIZE,
        "requests_per_second": 1000,
        "retry": RetryPolicy(max_attempts=8),
        "timeout_seconds": 5,
        **overrides,
    }
    return Ga4Connector(
        Ga4Settings(**values),
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def ga4_issued_tokens(emulator: Ga4Emulator) -> list[str]:
    return emulator.tokens.issued


TARGET = ContractTarget(
    platform="ga4",
    make_emulator=ga4_emulator,
    make_connector=ga4_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(GA4_ACCESS_TOKEN, GA4_CLIENT_SECRET, GA4_REFRESH_TOKEN),
    extra_secrets=ga4_issued_tokens,
)
