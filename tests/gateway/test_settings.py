"""Settings come from arguments; only the serve edge reads the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.serve import GatewayConfigError, settings_from_environ
from tests.gateway import senders as s


def test_the_environment_edge_builds_settings_with_rotated_secrets():
    settings = settings_from_environ({
        "CAMPAIGN_OPS_STORE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/ops",
        "PREFECT_API_URL": "http://127.0.0.1:4200/api",
        "CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS": f"{s.WEBFORM_SECRET}, {s.WEBFORM_SECRET_NEW}",
        "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": s.SHOPIFY_SECRET,
        "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS": "Demo-Shop.myshopify.com, other.myshopify.com",
        "CAMPAIGN_OPS_GATEWAY_META_VERIFY_TOKEN": "tok",
        "CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN": "admin-token-0123456789",
    })
    assert settings.store_url == "postgresql+psycopg://postgres@127.0.0.1:5432/ops"
    assert settings.prefect_api_url == "http://127.0.0.1:4200/api"
    assert len(settings.webform_secrets) == 2 and len(settings.webform_keys()) == 2
    assert settings.hubspot_client_secrets == ()
    assert s.SHOPIFY_SECRET not in repr(settings)  # SecretStr
    assert settings.shopify_shop_domains == ("demo-shop.myshopify.com", "other.myshopify.com")
    assert "admin-token" not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": "x"},
         "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS: list the shops"),
        ({"CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": "x",
          "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS": "shop.example.com"},
         "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS: shop #1 is not a"),
        ({"CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN": "short"},
         "CAMPAIGN_OPS_GATEWAY_ADMIN_TOKEN: the admin token must hold at least"),
    ],
)
def test_shopify_needs_its_shops_and_an_admin_token_must_be_long(environ, expected):
    with pytest.raises(GatewayConfigError) as caught:
        settings_from_environ(environ)
    assert str(caught.value).startswith(expected), str(caught.value)
    assert "short" not in str(caught.value)


def test_defaults_store_under_data_and_forward_nowhere():
    settings = settings_from_environ({})
    assert settings.store_url == f"sqlite:///{Path('data').resolve() / 'store.sqlite'}"
    assert settings.prefect_api_url is None
    assert settings.max_body_bytes == 1024 * 1024 and settings.tolerance_seconds == 300


def test_the_gateway_and_the_flows_share_one_store_default(tmp_path):
    from resources import current

    environ = {"CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "elsewhere")}
    assert settings_from_environ(environ).store_url == current(environ).store_url
    assert str(tmp_path / "elsewhere" / "store.sqlite") in current(environ).store_url


def test_an_unknown_variable_is_refused_by_name():
    with pytest.raises(GatewayConfigError, match="did you mean CAMPAIGN_OPS_GATEWAY_META_SECRETS"):
        settings_from_environ({"CAMPAIGN_OPS_GATEWAY_META_SECRET": "x"})


def test_cli_options_win_over_the_environment():
    settings = settings_from_environ({"CAMPAIGN_OPS_STORE_URL": "sqlite:///a.sqlite"},
                                     store_url="sqlite:///b.sqlite", max_body_bytes=None)
    assert settings.store_url == "sqlite:///b.sqlite"


def test_a_bad_secret_names_the_variable_not_the_value():
    with pytest.raises(GatewayConfigError) as caught:
        settings_from_environ({"CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS": "whsec_ok,plainsecret99"})
    message = str(caught.value)
    assert "CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS" in message and "#1" in message
    assert "plainsecret99" not in message
    with pytest.raises(GatewayConfigError, match="CAMPAIGN_OPS_GATEWAY_PUBLIC_URL"):
        settings_from_environ({"CAMPAIGN_OPS_GATEWAY_PUBLIC_URL": "hooks.example.com/path"})
