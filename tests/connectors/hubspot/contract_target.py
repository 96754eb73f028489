"""The HubSpot ContractTarget (found by ``tests/connectors/contract.py:discover_targets``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.hubspot import HubSpotConnector, HubSpotSettings
from connectors.retry import RetryPolicy
from emulators.entities import LAYOUTS
from emulators.faults import FaultConfig
from emulators.hubspot import TokenStore, hubspot
from emulators.market import Market
from emulators.quota import QuotaConfig
from tests.connectors.contract import ContractTarget
from tests.connectors.fakes import FakeClock

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PAGE_SIZE = 3

HS_TOKEN = "CANARY-hubspot-pat-na1-7c1d93e0"
HS_CLIENT_ID = "canary-hubspot-client"
HS_CLIENT_SECRET = "CANARY-hubspot-client-secret-4e2a"
HS_REFRESH_TOKEN = "CANARY-hubspot-refresh-91bd"
ROOMY = QuotaConfig(account_calls=1_000_000, app_calls=10_000_000, user_calls=1_000_000,
                    window_seconds=10.0)


def hubspot_emulator(faults: FaultConfig | None, **options):
    values = {"size": 1_500, "quota": ROOMY, **options}
    return hubspot(
        market=Market(seed=7, today=TODAY, platforms=tuple(LAYOUTS)),
        faults=faults,
        tokens=TokenStore(
            private_app_token=HS_TOKEN,
            client_id=HS_CLIENT_ID,
            client_secret=HS_CLIENT_SECRET,
            refresh_token=HS_REFRESH_TOKEN,
        ),
        **values,
    )


def hubspot_connector(
    emulator, clock: FakeClock, recorder: CallRecorder, base_url: str | None, **overrides
):
    values = {
        "base_url": base_url or "https://api.hubapi.com",
        "access_token": SecretStr(HS_TOKEN),
        "client_id": HS_CLIENT_ID,
        "client_secret": SecretStr(HS_CLIENT_SECRET),
        "refresh_token": SecretStr(HS_REFRESH_TOKEN),
        "object_page_size": PAGE_SIZE,
        "search_page_size": 50,
        "submission_page_size": 20,
        "requests_per_second": 1000,
        "search_requests_per_second": 1000,
        "retry": RetryPolicy(max_attempts=8),
        "timeout_seconds": 5,
        **overrides,
    }
    return HubSpotConnector(
        HubSpotSettings(**values),
        transport=None if base_url else emulator.transport(),
        recorder=recorder,
        sleep=clock.sleep,
        clock=clock,
    )


def hubspot_issued_tokens(emulator) -> list[str]:
    return list(emulator.tokens.issued)


TARGET = ContractTarget(
    platform="hubspot",
    make_emulator=hubspot_emulator,
    make_connector=hubspot_connector,
    now=NOW,
    page_size=PAGE_SIZE,
    secrets=(HS_TOKEN, HS_CLIENT_SECRET, HS_REFRESH_TOKEN),
    extra_secrets=hubspot_issued_tokens,
)
