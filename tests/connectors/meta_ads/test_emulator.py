"""Meta-specific behaviour against the Meta emulator (the contract suite covers the rest)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.calllog import CallRecorder
from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    TokenExpiredError,
    VersionError,
)
from connectors.meta_ads import API_VERSION, MetaAdsConnector, MetaAdsSettings
from connectors.registry import get_connector
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.meta_ads.auth import APP_ID, APP_SECRET, SANDBOX_TOKEN, TokenStore
from emulators.registry import EMULATORS
from tests.connectors.fakes import FakeClock

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def make(clock: FakeClock, emulator: Any = None, **settings: Any) -> tuple[MetaAdsConnector, Any]:
    emulator = emulator or EMULATORS["meta_ads"](market=Market(seed=2, clock=clock))
    base: dict[str, Any] = {"access_token": SecretStr(SANDBOX_TOKEN), "requests_per_second": 1000}
    connector = MetaAdsConnector(
        MetaAdsSettings(**{**base, **settings}),
        transport=emulator.transport(),
        recorder=CallRecorder(),
        sleep=clock.sleep,
        clock=clock,
    )
    return connector, emulator


def test_version_is_pinned_once():
    assert API_VERSION == "v26.0"
    assert MetaAdsSettings(access_token=SecretStr("x" * 8)).api_version == API_VERSION


@pytest.mark.parametrize("version", ["v19.0", "v99.0"])
def test_sunset_or_unknown_version_is_a_fatal_version_error(version):
    c, _ = make(FakeClock(NOW), api_version=version)
    with pytest.raises(VersionError) as info:
        c.list_accounts()
    assert not info.value.retryable and info.value.code in (2635, 2500)
    assert len(c.recorder) == 1  # fatal: not retried


def test_invalid_token_is_fatal():
    c, _ = make(FakeClock(NOW), access_token=SecretStr("EAAB-not-a-token"))
    with pytest.raises(AuthenticationError) as info:
        c.list_accounts()
    assert type(info.value) is AuthenticationError and info.value.code == 190


def test_expired_token_without_app_credentials_cannot_be_refreshed():
    emulator = EMULATORS["meta_ads"](
        market=Market(seed=2, today=date(2026, 11, 20)),
        faults=FaultConfig(rate=1.0, kinds=("expired_token",), max_faults=1),
    )
    c, _ = make(FakeClock(NOW), emulator)
    with pytest.raises(TokenExpiredError):
        c.list_accounts()
    assert len(c.recorder) == 1


def test_account_filter_and_appsecret_proof():
    c, emulator = make(
        FakeClock(NOW),
        account_ids=("1002",),
        app_id=APP_ID,
        app_secret=SecretStr(APP_SECRET),
    )
    assert [a.id for a in c.list_accounts()] == ["act_1002"]
    # The emulator verifies appsecret_proof when it is sent: the call above passed.
    assert emulator.request_log[-1].status == 200


def test_a_token_with_a_known_expiry_is_exchanged_before_it_expires():
    clock = FakeClock(NOW)
    market = Market(seed=2, clock=clock)
    tokens = TokenStore(ttl=timedelta(hours=2))
    emulator = EMULATORS["meta_ads"](market=market, tokens=tokens)
    issued, ttl = tokens.exchange(APP_ID, APP_SECRET, SANDBOX_TOKEN, market.now())
    c, _ = make(
        clock,
        emulator,
        access_token=SecretStr(issued),
        access_token_expires_at=NOW + timedelta(seconds=ttl),
        token_refresh_skew_seconds=600,
        app_id=APP_ID,
        app_secret=SecretStr(APP_SECRET),
    )
    c.list_accounts()
    assert c.auth.refresh_count == 0
    clock.advance(2 * 3600 - 300)  # inside the skew: exchanged before the next call
    c.list_accounts()
    assert c.auth.refresh_count == 1
    clock.advance(3600)  # the old token has expired now; the new one is used
    assert c.list_accounts()
    assert all(call.error is None for call in c.recorder.calls)


def test_settings_validation():
    with pytest.raises(ValidationError):
        MetaAdsSettings(access_token=SecretStr("x"), app_secret=SecretStr("s"))
    with pytest.raises(ValidationError):
        MetaAdsSettings(access_token=SecretStr("x"), api_version="26")
    with pytest.raises(ValidationError):
        MetaAdsSettings(access_token=SecretStr("x"), access_token_expires_at=datetime(2026, 1, 1))
    s = MetaAdsSettings(access_token=SecretStr("x"), account_ids=("1", "act_2"))
    assert s.account_ids == ("act_1", "act_2")


def test_registry_and_block():
    entry = get_connector("meta_ads")
    assert entry.connector_cls is MetaAdsConnector and entry.settings_cls is MetaAdsSettings
    with pytest.raises(ConfigurationError):
        get_connector("myspace_ads")
    from connectors.blocks import MetaAdsCredentials

    block = MetaAdsCredentials(
        access_token=SecretStr("CANARY-block-token-1"),
        app_id=APP_ID,
        app_secret=SecretStr("CANARY-s-2"),
    )
    settings = block.to_settings(account_ids=("1001",))
    assert settings.access_token.get_secret_value() == "CANARY-block-token-1"
    assert "CANARY" not in repr(block) + repr(settings) + str(block.model_dump())


def test_writes_refused_by_the_connector_or_graph_change_nothing():
    c, emulator = make(FakeClock(NOW))
    market = emulator.market
    ad = market.ads("meta_ads", "act_1001")[0]
    amounts: list[Any] = [0, -5, 12.5, True]
    for amount in amounts:
        with pytest.raises(ConfigurationError, match="minor units"):
            c.set_daily_budget("act_1001", ad.ad_group_id, amount)
    with pytest.raises(ConfigurationError, match="ACTIVE"):
        c.set_status("act_1001", ad.id, "DELETED")
    with pytest.raises(BadRequestError, match="not valid for node type Ad"):
        c.set_daily_budget("act_1001", ad.id, 5000)
    assert emulator.mutation_log == []
    assert [r.status for r in emulator.request_log if r.method == "POST"] == [400]
    c.set_status("1001", ad.id, "PAUSED")
    assert market.status("meta_ads", ad.id) == "PAUSED"
    assert c.recorder.calls[-1].account_id == "act_1001"
