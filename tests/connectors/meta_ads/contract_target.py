"""The Meta Ads ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.retry import RetryPolicy
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.meta_ads.auth import TokenStore
from emulators.meta_ads.emulator import MetaAdsEmulator
from emulators.quota import QuotaConfig
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 3

META_TOKEN = "CANARY-meta-token-4c2f9e81d7"
META_APP_ID = "100000000000001"
META_APP_SECRET = "CANARY-meta-app-secret-6b1e"


def meta_emulator(faults: FaultConfig | None):
    return MetaAdsEmulator(
        Market(seed=7, today=TODAY),
        faults,
        QuotaConfig(account_calls=100_000, app_calls=1_000_000, user_calls=1_000_000),
        tokens=TokenStore(sandbox_token=META_TOKEN, app_id=META_APP_ID, app_secret=META_APP_SECRET),
        report_steps=2,
    )


def meta_connector(emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None):
    settings = MetaAdsSettings(
        base_url=base_url or "https://graph.facebook.com",
        access_token=SecretStr(META_TOKEN),
        app_id=META_APP_ID,
        app_secret=SecretStr(META_APP_SECRET),
        object_page_size=PAGE_SIZE,
        insights_page_size=25,
        requests_per_second=1000,
        retry=RetryPolicy(max_attempts=8),
        timeout_seconds=5,
    )
    return MetaAdsConnector(
        settings,
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def meta_issued_tokens(emulator) -> list[str]:
    return list(emulator.tokens._issued)


TARGET = ContractTarget(
    platform="meta_ads",
    make_emulator=meta_emulator,
    make_connector=meta_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(META_TOKEN, META_APP_SECRET),
    extra_secrets=meta_issued_tokens,
)
