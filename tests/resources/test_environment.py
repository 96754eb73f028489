"""Environment selection: one place decides sandbox or live, and says clearly what is wrong."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from resources import EnvironmentConfigError, current


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
        ({"CAMPAIGN_OPS_ENV": "prod"}, "CAMPAIGN_OPS_ENV: Input should be 'sandbox' or 'live'"),
        ({"CAMPAIGN_OPS_REPORTING_CURRENCY": "dollars"},
         "CAMPAIGN_OPS_REPORTING_CURRENCY: 'DOLLARS' is not a three-letter"),
        ({"CAMPAIGN_OPS_REPORTING_CURRENCY": "XYZ"}, "'XYZ' is not an ISO 4217 code"),
        ({"CAMPAIGN_OPS_META_PIXEL_ID": "pixel-1"},
         "CAMPAIGN_OPS_META_PIXEL_ID: is not a numeric id"),
        ({"CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID": "12-3"},
         "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID: is not a numeric id"),
        ({"CAMPAIGN_OPS_WAREHOSUE": "x.duckdb"},
         "CAMPAIGN_OPS_WAREHOSUE is not a campaign-ops setting; did you mean "
         "CAMPAIGN_OPS_WAREHOUSE"),
        ({"CAMPAIGN_OPS_META_AD_BLOCK": "meta"},
         "did you mean CAMPAIGN_OPS_META_ADS_BLOCK"),
        ({"CAMPAIGN_OPS_SANDBOX_URL_TIKTOK": "http://x"}, "CAMPAIGN_OPS_SANDBOX_URL_TIKTOK is not"),
    ],
)
def test_bad_settings_are_named(environ, message):
    with pytest.raises(EnvironmentConfigError, match=message):
        current(environ)


def test_moving_the_data_dir_moves_warehouse_store_and_drop_folder(tmp_path):
    env = current({"CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "d")})
    data = (tmp_path / "d").resolve()
    assert env.warehouse_path == data / "warehouse.duckdb"
    assert env.store_url == f"sqlite:///{data / 'store.sqlite'}"
    assert env.offline_conversions_dir == data / "offline_conversions"
    assert env.landing_root == data / "landing"


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

    from resources.sandbox import sandbox_emulator, sandbox_market, sandbox_population

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


# ---------------------------------------------------------------- store and destinations


def test_the_store_defaults_to_the_gateways_file_under_the_data_dir(tmp_path):
    from sqlalchemy.engine import make_url

    from store import DEFAULT_STORE_URL

    default = current({})
    assert default.store_url == f"sqlite:///{Path('data').resolve()}/store.sqlite"
    # The gateway's default (relative to the working directory) is the same file.
    assert Path(make_url(default.store_url).database or "") == Path(
        make_url(DEFAULT_STORE_URL).database or "").resolve()
    moved = current({"CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "d")})
    assert moved.store_url == f"sqlite:///{tmp_path / 'd'}/store.sqlite"
    pg = "postgresql+psycopg://app@db:5432/campaign_ops"
    assert current({"CAMPAIGN_OPS_STORE_URL": pg}).store_url == pg


def test_sandbox_destinations_are_the_in_process_emulators_with_their_ids():
    from connectors.google_data_manager.destination import GoogleDataManagerDestination
    from connectors.meta_ads.capi_destination import MetaCapiDestination
    from resources.environment import (
        SANDBOX_GOOGLE_CONVERSION_ACTION_ID,
        SANDBOX_GOOGLE_CONVERSIONS_ACCOUNT_ID,
        SANDBOX_META_PIXEL_ID,
    )
    from resources.sandbox import sandbox_emulator

    env = current({})
    google = env.conversion_destination("google_data_manager")
    meta = env.conversion_destination("meta_capi")
    try:
        assert isinstance(google, GoogleDataManagerDestination)
        assert isinstance(meta, MetaCapiDestination)
        assert google.destination.account_id == SANDBOX_GOOGLE_CONVERSIONS_ACCOUNT_ID
        assert google.destination.conversion_action_id == SANDBOX_GOOGLE_CONVERSION_ACTION_ID
        assert meta.pixel_id == SANDBOX_META_PIXEL_ID and meta.test_event_code is None
        emulator: Any = sandbox_emulator("google_data_manager")
        assert type(emulator).__name__ == "GoogleDataManagerEmulator"
        assert emulator is sandbox_emulator("google_data_manager")  # one per process
        # The destinations measure event ages on the emulators' market clocks.
        ticking = dt.timedelta(seconds=5)  # the market clock runs
        assert abs(google.now() - emulator.market.now()) < ticking
        assert abs(meta.now() - sandbox_emulator("meta_ads").market.now()) < ticking
    finally:
        google.close()
        meta.close()


def test_an_unknown_conversion_destination_names_the_known_ones():
    with pytest.raises(EnvironmentConfigError,
                       match=r"no conversion destination 'linkedin' \(known: "
                             r"google_data_manager, meta_capi\)"):
        current({}).conversion_destination("linkedin")


def test_destination_ids_come_from_the_environment():
    env = current({
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID": "123-456-7890",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID": "555",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_LOGIN_ACCOUNT_ID": "999-000-1111",
        "CAMPAIGN_OPS_META_PIXEL_ID": "1234567890",
        "CAMPAIGN_OPS_META_TEST_EVENT_CODE": "TEST123",
        "CAMPAIGN_OPS_GOOGLE_DATA_MANAGER_BLOCK": "dm-prod",
    })
    assert (env.google_conversions_account_id, env.google_conversion_action_id,
            env.google_conversions_login_account_id) == ("1234567890", "555", "9990001111")
    assert (env.meta_pixel_id, env.meta_test_event_code) == ("1234567890", "TEST123")
    assert env.credential_blocks == {"google_data_manager": "dm-prod"}
    google: Any = env.conversion_destination("google_data_manager")
    meta: Any = env.conversion_destination("meta_capi")
    try:
        assert google.destination.login_account_id == "9990001111"
        assert (meta.pixel_id, meta.test_event_code) == ("1234567890", "TEST123")
    finally:
        google.close()
        meta.close()


@pytest.mark.parametrize(("name", "message"), [
    ("google_data_manager", "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID and "
                            "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID"),
    ("meta_capi", "CAMPAIGN_OPS_META_PIXEL_ID"),
])
def test_live_destinations_need_their_ids(name, message):
    env = current({"CAMPAIGN_OPS_ENV": "live"})
    with pytest.raises(EnvironmentConfigError, match=message):
        env.conversion_destination(name)


def test_live_data_manager_reads_its_credentials_block(prefect_server):
    from connectors.blocks import GoogleDataManagerCredentials

    GoogleDataManagerCredentials(
        client_id="cid.apps.googleusercontent.com",
        client_secret=SecretStr("canary-dm-secret"),
        refresh_token=SecretStr("1//canary-dm-refresh"),
    ).save("dm-live-test", overwrite=True)
    env = current({
        "CAMPAIGN_OPS_ENV": "live", "CAMPAIGN_OPS_GOOGLE_DATA_MANAGER_BLOCK": "dm-live-test",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID": "1234567890",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID": "555",
    })
    google: Any = env.conversion_destination("google_data_manager")
    try:
        settings: Any = google.connector.settings
        assert settings.base_url == "https://datamanager.googleapis.com"
        assert "canary-dm" not in repr(settings)
    finally:
        google.close()
    missing = current({
        "CAMPAIGN_OPS_ENV": "live", "CAMPAIGN_OPS_GOOGLE_DATA_MANAGER_BLOCK": "no-such-dm",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACCOUNT_ID": "1",
        "CAMPAIGN_OPS_GOOGLE_CONVERSIONS_ACTION_ID": "2",
    })
    with pytest.raises(EnvironmentConfigError,
                       match="GoogleDataManagerCredentials block named 'no-such-dm'"):
        missing.conversion_destination("google_data_manager")


def test_settings_handed_over_as_an_object_win_inside_the_block_only(tmp_path, monkeypatch):
    from config import load_settings
    from resources.environment import use_settings

    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "from-env.duckdb"))
    settings = load_settings({}, warehouse=tmp_path / "handed-over.duckdb")
    with use_settings(settings) as inside:
        assert current().warehouse_path == tmp_path / "handed-over.duckdb"
        assert inside.warehouse_path == current().warehouse_path
        # An explicit mapping is still read as given.
        assert current({}).warehouse_path == Path("data/warehouse.duckdb").resolve()
    assert current().warehouse_path == tmp_path / "from-env.duckdb"
