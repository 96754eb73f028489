"""The Acme Ads ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.retry import RetryPolicy
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.quota import QuotaConfig
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 1  # the first account has two campaigns: two pages

ACME_TOKEN = "CANARY-acme-token-71c0e5d2"
ACME_CLIENT_ID = "acme-canary-client"
ACME_CLIENT_SECRET = "CANARY-acme-client-secret-3f9a"
ACME_REFRESH_TOKEN = "CANARY-acme-refresh-8e4b12"


# The acme_ads packages are imported where they are used: in the repo they exist only inside
# tests/platform_fixture, so a module-level import would sort differently there and in place.


def acme_emulator(faults: FaultConfig | None):
    from emulators.acme_ads import TokenStore, acme_ads

    return acme_ads(
        market=Market(seed=7, today=TODAY, platforms=("acme_ads",)),
        faults=faults,
        quota=QuotaConfig(account_calls=100_000, app_calls=1_000_000, user_calls=None),
        tokens=TokenStore(
            sandbox_token=ACME_TOKEN,
            client_id=ACME_CLIENT_ID,
            client_secret=ACME_CLIENT_SECRET,
            refresh_token=ACME_REFRESH_TOKEN,
        ),
    )


def acme_connector(emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None):
    from connectors.acme_ads import AcmeAdsConnector, AcmeAdsSettings

    settings = AcmeAdsSettings(
        base_url=base_url or "https://api.acme-ads.example",
        access_token=SecretStr(ACME_TOKEN),
        client_id=ACME_CLIENT_ID,
        client_secret=SecretStr(ACME_CLIENT_SECRET),
        refresh_token=SecretStr(ACME_REFRESH_TOKEN),
        object_page_size=PAGE_SIZE,
        stats_page_size=20,
        requests_per_second=1000,
        retry=RetryPolicy(max_attempts=8),
        timeout_seconds=5,
    )
    return AcmeAdsConnector(
        settings,
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def acme_issued_tokens(emulator) -> list[str]:
    return list(emulator.tokens.issued)


TARGET = ContractTarget(
    platform="acme_ads",
    make_emulator=acme_emulator,
    make_connector=acme_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(ACME_TOKEN, ACME_CLIENT_SECRET, ACME_REFRESH_TOKEN),
    extra_secrets=acme_issued_tokens,
)
