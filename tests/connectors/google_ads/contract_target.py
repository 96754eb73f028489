"""The Google Ads ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.google_ads import GoogleAdsConnector, GoogleAdsSettings
from connectors.retry import RetryPolicy
from emulators.faults import FaultConfig
from emulators.google_ads import MANAGER_ID, GoogleAdsEmulator, TokenStore
from emulators.market import Market
from emulators.quota import QuotaConfig
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 3

GOOGLE_ACCESS_TOKEN = "CANARY-google-access-token-51d0a2"
GOOGLE_DEVELOPER_TOKEN = "CANARY-google-dev-token-9e7c11"
GOOGLE_CLIENT_ID = "123456789012-canary.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "CANARY-google-client-secret-3f8a"
GOOGLE_REFRESH_TOKEN = "CANARY-google-refresh-token-7b2e4d"


def google_tokens() -> TokenStore:
    return TokenStore(
        sandbox_access_token=GOOGLE_ACCESS_TOKEN,
        client_id=GOOGLE_CLIENT_ID,
        client_secret=GOOGLE_CLIENT_SECRET,
        refresh_token=GOOGLE_REFRESH_TOKEN,
        developer_token=GOOGLE_DEVELOPER_TOKEN,
    )


def google_emulator(faults: FaultConfig | None) -> GoogleAdsEmulator:
    return GoogleAdsEmulator(
        Market(seed=7, today=TODAY, platforms=("google_ads",)),
        faults,
        QuotaConfig(account_calls=100_000, app_calls=1_000_000, user_calls=None),
        tokens=google_tokens(),
        page_size=PAGE_SIZE,
        stream_chunk_size=25,
    )


def google_connector(
    emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None
) -> GoogleAdsConnector:
    settings = GoogleAdsSettings(
        base_url=base_url or "https://googleads.googleapis.com",
        token_url=f"{base_url}/token" if base_url else "https://oauth2.googleapis.com/token",
        developer_token=SecretStr(GOOGLE_DEVELOPER_TOKEN),
        client_id=GOOGLE_CLIENT_ID,
        client_secret=SecretStr(GOOGLE_CLIENT_SECRET),
        refresh_token=SecretStr(GOOGLE_REFRESH_TOKEN),
        access_token=SecretStr(GOOGLE_ACCESS_TOKEN),
        login_customer_id=MANAGER_ID,
        requests_per_second=1000,
        retry=RetryPolicy(max_attempts=8),
        timeout_seconds=5,
    )
    return GoogleAdsConnector(
        settings,
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def google_issued_tokens(emulator: GoogleAdsEmulator) -> list[str]:
    return emulator.tokens.issued


TARGET = ContractTarget(
    platform="google_ads",
    make_emulator=google_emulator,
    make_connector=google_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(
        GOOGLE_ACCESS_TOKEN,
        GOOGLE_DEVELOPER_TOKEN,
        GOOGLE_CLIENT_SECRET,
        GOOGLE_REFRESH_TOKEN,
    ),
    extra_secrets=google_issued_tokens,
)
