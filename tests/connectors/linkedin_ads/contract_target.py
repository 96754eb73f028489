"""The LinkedIn Ads ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from connectors.retry import RetryPolicy
from emulators.faults import FaultConfig
from emulators.linkedin_ads import TokenStore, linkedin_ads
from emulators.market import Market
from emulators.quota import QuotaConfig
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 3

LI_TOKEN = "CANARY-linkedin-token-9a3e7c21"
LI_CLIENT_ID = "86canaryclient"
LI_CLIENT_SECRET = "CANARY-linkedin-client-secret-2d8f"
LI_REFRESH_TOKEN = "CANARY-linkedin-refresh-5b0c44"


def linkedin_emulator(faults: FaultConfig | None, **options):
    return linkedin_ads(
        market=Market(seed=7, today=TODAY, platforms=("linkedin_ads",)),
        faults=faults,
        quota=QuotaConfig(account_calls=None, app_calls=1_000_000, user_calls=1_000_000),
        tokens=TokenStore(
            sandbox_token=LI_TOKEN,
            client_id=LI_CLIENT_ID,
            client_secret=LI_CLIENT_SECRET,
            refresh_token=LI_REFRESH_TOKEN,
        ),
        **options,
    )


def linkedin_connector(
    emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None, **overrides
):
    values = {
        "base_url": base_url or "https://api.linkedin.com",
        "oauth_base_url": base_url or "https://www.linkedin.com",
        "access_token": SecretStr(LI_TOKEN),
        "client_id": LI_CLIENT_ID,
        "client_secret": SecretStr(LI_CLIENT_SECRET),
        "refresh_token": SecretStr(LI_REFRESH_TOKEN),
        "object_page_size": PAGE_SIZE,
        "requests_per_second": 1000,
        "daily_request_quota": 100_000,
        "retry": RetryPolicy(max_attempts=8),
        "timeout_seconds": 5,
        **overrides,
    }
    return LinkedInAdsConnector(
        LinkedInAdsSettings(**values),
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def linkedin_issued_tokens(emulator) -> list[str]:
    return list(emulator.tokens.issued)


TARGET = ContractTarget(
    platform="linkedin_ads",
    make_emulator=linkedin_emulator,
    make_connector=linkedin_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(LI_TOKEN, LI_CLIENT_SECRET, LI_REFRESH_TOKEN),
    extra_secrets=linkedin_issued_tokens,
)
"""The LinkedIn Ads target (found by ``tests/connectors/contract.py:discover_targets``)."""
