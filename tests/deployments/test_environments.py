"""Environment selection: one place decides sandbox or live, and says clearly what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from deployments.environments import EnvironmentConfigError, current


def test_defaults_are_the_sandbox_with_a_local_warehouse():
    env = current({})
    assert env.name == "sandbox"
    assert env.warehouse_path == Path("data/warehouse.duckdb").resolve()
    assert env.landing_root == Path("data/landing").resolve()
    assert env.reporting_currency == "USD"
    assert "in-process" in env.describe()


def test_loopback_emulators_and_blocks_come_from_the_environment(tmp_path):
    env = current(
        {
            "CAMPAIGN_OPS_WAREHOUSE": str(tmp_path / "w.duckdb"),
            "CAMPAIGN_OPS_SANDBOX_URL_META_ADS": "http://127.0.0.1:8701",
            "CAMPAIGN_OPS_META_ADS_BLOCK": "meta-prod",
            "CAMPAIGN_OPS_REPORTING_CURRENCY": "eur",
        }
    )
    assert env.sandbox_urls == {"meta_ads": "http://127.0.0.1:8701"}
    assert env.credential_blocks == {"meta_ads": "meta-prod"}
    assert env.reporting_currency == "EUR"
    assert env.warehouse_path == tmp_path / "w.duckdb"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"CAMPAIGN_OPS_ENV": "prod"}, "CAMPAIGN_OPS_ENV='prod' is not one of sandbox, live"),
        ({"CAMPAIGN_OPS_REPORTING_CURRENCY": "dollars"}, "not an ISO 4217 code"),
        ({"CAMPAIGN_OPS_REPORTING_CURRENCY": "XYZ"}, "'XYZ' is not an ISO 4217 code"),
    ],
)
def test_bad_settings_are_named(environ, message):
    with pytest.raises(EnvironmentConfigError, match=message):
        current(environ)


def test_live_ignores_sandbox_urls():
    env = current({"CAMPAIGN_OPS_ENV": "live", "CAMPAIGN_OPS_SANDBOX_URL_META_ADS": "http://x"})
    assert env.sandbox_urls == {}
    assert "live platform APIs" in env.describe()


def test_live_meta_reads_its_credentials_block(prefect_server):
    from connectors.blocks import MetaAdsCredentials

    MetaAdsCredentials(access_token=SecretStr("EAAB-canary-live-token"), app_id="42").save(
        "meta-live-test", overwrite=True
    )
    env = current({"CAMPAIGN_OPS_ENV": "live", "CAMPAIGN_OPS_META_ADS_BLOCK": "meta-live-test"})
    connector = env.connector("meta_ads")
    try:
        settings: Any = connector.settings  # MetaAdsSettings behind the protocol
        assert settings.base_url == "https://graph.facebook.com"
        assert "EAAB-canary-live-token" not in repr(connector.settings)
    finally:
        connector.close()


def test_live_meta_without_a_block_says_which_block_is_missing(prefect_server):
    env = current({"CAMPAIGN_OPS_ENV": "live", "CAMPAIGN_OPS_META_ADS_BLOCK": "no-such-block"})
    with pytest.raises(
        EnvironmentConfigError, match="MetaAdsCredentials block named 'no-such-block'"
    ):
        env.connector("meta_ads")


def test_connectors_of_a_platform_share_its_rate_limiters():
    """Accounts extracted in parallel pace together under the platform's quota scope."""
    env = current({})
    first: Any = env.connector("linkedin_ads")
    second: Any = env.connector("linkedin_ads")
    meta_a: Any = env.connector("meta_ads")
    meta_b: Any = env.connector("meta_ads")
    try:
        # LinkedIn counts its quota per app: every account draws from one bucket.
        assert first.rate_limiters is second.rate_limiters
        assert first.rate_limiters.get("508001001") is second.rate_limiters.get("508001002")
        # Meta counts per ad account: one bucket per account, shared by every connector.
        assert meta_a.rate_limiters.get("act_1001") is meta_b.rate_limiters.get("act_1001")
        assert meta_a.rate_limiters.get("act_1001") is not meta_a.rate_limiters.get("act_1002")
    finally:
        for connector in (first, second, meta_a, meta_b):
            connector.close()


def test_sandbox_source_emulators_share_one_market_and_one_population():
    import threading

    from deployments.environments import sandbox_emulator, sandbox_market, sandbox_population

    built: dict[str, object] = {}

    def build(platform: str) -> None:
        built[platform] = sandbox_emulator(platform)

    threads = [threading.Thread(target=build, args=(p,)) for p in ("hubspot", "ga4", "shopify")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "building sandbox emulators deadlocked"
    population = sandbox_population()
    for platform in ("hubspot", "ga4", "shopify"):
        emulator = built[platform]
        assert emulator.market is sandbox_market()  # type: ignore[attr-defined]
        assert emulator.population is population  # type: ignore[attr-defined]
