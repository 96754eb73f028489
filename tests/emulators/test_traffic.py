"""The market's channels come from the ad platforms' own declarations (issue 11).

Each ad platform's emulator package declares its traffic once (``TRAFFIC``, an
``emulators.traffic.AdChannel``, in ``emulators/<platform>/sandbox.py``); the population, the
entities and the Shopify, GA4 and HubSpot emulators derive their per-channel maps from those
declarations plus the non-ad channels. These tests pin the derived maps to the literal maps
they replaced (the seeded sandbox must not move) and show that an ad platform declared only in
its own package, here a test fixture, reaches every derived map and every shared emulator.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import emulators
from emulators import registry
from emulators.entities import LAYOUTS, PlatformLayout, declared_layouts, layouts
from emulators.ga4 import sessions as ga4_sessions
from emulators.ga4.properties import DEFAULT_PROPERTIES
from emulators.ga4.sessions import ChannelViews, build_sessions, channel_group
from emulators.hubspot import crm as hubspot_crm
from emulators.hubspot.crm import Crm, click_params
from emulators.market import Market
from emulators.population import (
    CHANNEL_LIFT,
    CHANNELS,
    NON_AD_CHANNELS,
    ChannelMaps,
    Population,
    declared_channels,
    declared_maps,
    market_channels,
)
from emulators.shopify import store as shopify_store
from emulators.shopify.store import ShopConfig, ShopData, VisitMaps
from emulators.traffic import AdChannel, Channel, declared_ad_channels, in_market_order

TODAY = date(2026, 11, 26)

# The literal maps the declarations replaced, as they were (issue 11).
OLD_CHANNELS = {
    "google_ads": ("google_ads", "google", "cpc"),
    "meta_ads": ("meta_ads", "facebook", "paid_social"),
    "linkedin_ads": ("linkedin_ads", "linkedin", "paid_social"),
    "organic_search": (None, "google", "organic"),
    "email": (None, "newsletter", "email"),
    "direct": (None, "(direct)", "(none)"),
}
OLD_LIFT = {"google_ads": 1.2, "meta_ads": 0.8, "linkedin_ads": 0.5, "email": 0.6,
            "organic_search": 0.3, "direct": 0.0}
OLD_WEIGHTS = {"google_ads": 0.26, "meta_ads": 0.24, "linkedin_ads": 0.1, "organic_search": 0.18,
               "email": 0.08, "direct": 0.14}
OLD_CLICK_ID_PARAM = {"google_ads": "gclid", "meta_ads": "fbclid", "linkedin_ads": "li_fat_id"}
OLD_LAYOUTS = {
    "meta_ads": PlatformLayout(account_prefix="act_", first_account=1001, id_prefix="238"),
    "google_ads": PlatformLayout(account_prefix="", first_account=5550001001, id_prefix="8"),
    "linkedin_ads": PlatformLayout(account_prefix="", first_account=508001001, id_prefix="6",
                                   timezone="UTC"),
}
OLD_REFERRERS = {
    "google_ads": "https://www.google.com/",
    "organic_search": "https://www.google.com/",
    "meta_ads": "https://l.facebook.com/",
    "linkedin_ads": "https://www.linkedin.com/",
}
OLD_SOURCE = {
    "google_ads": ("google", "AD", "Google Ads"),
    "meta_ads": ("facebook", "AD", "Facebook Ads"),
    "linkedin_ads": ("linkedin", "AD", "LinkedIn Ads"),
    "organic_search": ("google", "SEO", "Google search"),
    "email": ("newsletter", "NEWSLETTER", "Email"),
    "direct": ("direct", "DIRECT", "Direct"),
}
OLD_SHOP_UTM = {"google_ads", "meta_ads", "linkedin_ads", "email"}
OLD_GA4_GROUPS = {
    "google_ads": "Paid Search",
    "meta_ads": "Paid Social",
    "linkedin_ads": "Paid Social",
    "organic_search": "Organic Search",
    "email": "Email",
    "direct": "Direct",
}
OLD_GA4_UTM = {"meta_ads", "linkedin_ads", "email"}
OLD_CLICK_PARAMS = ("gclid", "fbclid", "li_fat_id")


# ---------------------------------------------------------------- the declared market
def _known(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of the channels these pins knew, in their order (a later ad platform adds
    its own entries, which the tests of the fixture channel below cover)."""
    return {key: value for key, value in mapping.items() if key in OLD_CHANNELS}


def test_the_derived_maps_are_the_maps_they_replace():
    maps = declared_maps()
    # Order matters for CHANNELS and the weights: the population walks them to draw a channel.
    assert list(_known(maps.channels).items()) == list(OLD_CHANNELS.items())
    # Weights are relative: a later ad platform scales these down, never their ratios.
    known_weights = _known(maps.weights)
    total = sum(known_weights.values())
    assert list(known_weights) == list(OLD_WEIGHTS)
    assert {k: w / total for k, w in known_weights.items()} == pytest.approx(OLD_WEIGHTS)
    assert _known(maps.lift) == OLD_LIFT and _known(maps.click_id_param) == OLD_CLICK_ID_PARAM
    assert _known(maps.view_share) == {"google_ads": 0.0, "meta_ads": 0.3, "linkedin_ads": 0.0}
    assert _known(CHANNELS) == OLD_CHANNELS and _known(CHANNEL_LIFT) == OLD_LIFT
    assert _known(LAYOUTS) == _known(declared_layouts()) == OLD_LAYOUTS

    visits = shopify_store.declared_visit_maps()
    assert _known(visits.referrers) == OLD_REFERRERS and _known(visits.sources) == OLD_SOURCE
    assert visits.tagged & OLD_CHANNELS.keys() == OLD_SHOP_UTM
    views = ga4_sessions.declared_views()
    assert _known(views.groups) == OLD_GA4_GROUPS
    assert views.utm_tagged & OLD_CHANNELS.keys() == OLD_GA4_UTM
    params = hubspot_crm.declared_click_params()
    assert tuple(p for p in params if p in OLD_CLICK_PARAMS) == OLD_CLICK_PARAMS


def test_the_channel_order_is_declared_not_alphabetical():
    # The registry finds packages alphabetically (google, linkedin, meta); the order field
    # keeps the market's draws as they were.
    assert list(registry.SANDBOXES).index("linkedin_ads") < list(registry.SANDBOXES).index(
        "meta_ads")
    assert [c.name for c in declared_channels() if c.name in OLD_CHANNELS] == [
        "google_ads", "meta_ads", "linkedin_ads", "organic_search", "email", "direct"]


def test_every_ad_platform_and_only_an_ad_platform_declares_its_traffic():
    declared = {c.platform for c in declared_ad_channels()}
    assert declared == {name for name, s in registry.SANDBOXES.items() if s.role == "ads"}


def test_channels_must_not_share_a_name_or_a_position():
    organic = NON_AD_CHANNELS[0]
    with pytest.raises(ValueError, match="order"):
        in_market_order([*NON_AD_CHANNELS, _rename(organic, "seo")])
    with pytest.raises(ValueError, match="name"):
        in_market_order([*NON_AD_CHANNELS, _reorder(organic, 99)])


def _rename(channel: Channel, name: str) -> Channel:
    from dataclasses import replace

    return replace(channel, name=name)


def _reorder(channel: Channel, order: int) -> Channel:
    from dataclasses import replace

    return replace(channel, order=order)


# ---------------------------------------------------------------- a new ad platform
# An ad platform's emulator package, as a new platform would add it: nothing else changes.
FIXTURE_SANDBOX = '''
"""A fixture ad platform: search ads with their own click id, declared only here."""

from typing import Any

from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel, PlatformLayout


def fixture_ads(**options: Any) -> Any:
    raise NotImplementedError("the fixture platform has no emulator")


TRAFFIC = AdChannel(
    name="fixture_ads", order=35, weight=0.2, lift=0.9,
    utm_source="bing", utm_medium="cpc", click_id_param="msclkid",
    referrer="https://www.bing.com/", shopify_source="bing",
    shopify_source_description="Microsoft Ads", ga4_channel_group="Paid Search",
    layout=PlatformLayout(account_prefix="F", first_account=9001, id_prefix="77"),
)

SANDBOX = SandboxPlatform("fixture_ads", ROLE, fixture_ads, lambda url: {"base_url": url})
'''

_DERIVED = (declared_ad_channels, declared_layouts, declared_channels, declared_maps,
            shopify_store.declared_visit_maps, ga4_sessions.declared_views,
            hubspot_crm.declared_click_params)


def _forget_declarations() -> None:
    for derived in _DERIVED:
        derived.cache_clear()


def _install(root: Path, monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    """Put the fixture platform's package on the ``emulators`` path, as a new folder would."""
    package = root / "fixture_ads"
    package.mkdir()
    (package / "__init__.py").write_text('"""A fixture ad platform."""\n')
    source = textwrap.dedent(FIXTURE_SANDBOX).replace("ROLE", repr(role))
    (package / "sandbox.py").write_text(source)
    monkeypatch.setattr(emulators, "__path__", [*emulators.__path__, str(root)])


@pytest.fixture
def unload_fixture() -> Iterator[None]:
    yield
    for name in ("emulators.fixture_ads.sandbox", "emulators.fixture_ads"):
        sys.modules.pop(name, None)


@pytest.fixture
def fixture_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unload_fixture: None
) -> AdChannel:
    """The fixture ad platform, found by the registry's walk like any other package."""
    _install(tmp_path, monkeypatch, "ads")
    assert registry.discover()["fixture_ads"].role == "ads"
    found = importlib.import_module("emulators.fixture_ads.sandbox").TRAFFIC
    assert isinstance(found, AdChannel)
    return found


def test_only_an_ad_platform_declares_traffic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unload_fixture: None
):
    _install(tmp_path, monkeypatch, "source")
    with pytest.raises(ValueError, match="only an ad platform"):
        registry.discover()


def test_a_new_ad_platform_appears_in_every_derived_map(fixture_package: AdChannel):
    ads = [*declared_ad_channels(), fixture_package]
    channels = market_channels(ads)
    assert [c.name for c in channels if c.name in {*OLD_CHANNELS, "fixture_ads"}] == [
        "google_ads", "meta_ads", "linkedin_ads", "fixture_ads", "organic_search", "email",
        "direct"]

    maps = ChannelMaps.of(channels)
    assert maps.channels["fixture_ads"] == ("fixture_ads", "bing", "cpc")
    assert maps.lift["fixture_ads"] == 0.9 and maps.click_id_param["fixture_ads"] == "msclkid"
    # Weights are relative (the declared ones sum to 1.0 until a later platform adds its own).
    assert maps.weights["fixture_ads"] == pytest.approx(0.2 / sum(c.weight for c in channels))
    assert sum(maps.weights.values()) == pytest.approx(1.0)
    assert layouts(ads)["fixture_ads"] == fixture_package.layout

    visits = VisitMaps.of(channels)
    assert visits.referrers["fixture_ads"] == "https://www.bing.com/"
    assert visits.sources["fixture_ads"] == ("bing", "AD", "Microsoft Ads")
    assert "fixture_ads" in visits.tagged
    views = ChannelViews.of(channels)
    assert views.groups["fixture_ads"] == "Paid Search" and "fixture_ads" in views.utm_tagged
    params = click_params(channels)
    assert params[:3] == OLD_CLICK_PARAMS and params[-1] == "msclkid"


def test_a_new_ad_platform_reaches_every_shared_emulator(fixture_package: AdChannel):
    """With the fixture's package present, the seeded market renders its traffic end to end."""
    _forget_declarations()  # resolve the declarations again, now with the fixture's
    try:
        market = Market(seed=7, today=TODAY, platforms=("google_ads", "fixture_ads"))
        assert market.accounts("fixture_ads")[0].id == "F9001"
        people = Population(market, size=600)
        touches = [t for p in people for t in p.touches if t.channel == "fixture_ads"]
        assert touches and all(t.platform == "fixture_ads" and t.kind == "click"
                               and t.click_id_param == "msclkid" for t in touches)
        assert all(t.ad_id and market.entity("fixture_ads", t.ad_id) for t in touches)

        visit = ShopData(people, ShopConfig("fixture", "Fixture", 1), 0, 1).visit(touches[0])
        assert visit is not None and visit["referrerUrl"] == "https://www.bing.com/"
        assert (visit["source"], visit["sourceType"]) == ("bing", "AD")
        assert "msclkid=" in visit["landingPage"] and "utm_source=bing" in visit["landingPage"]

        assert channel_group("fixture_ads") == "Paid Search"
        ga4 = [s for ss in build_sessions(people, DEFAULT_PROPERTIES).values() for s in ss
               if s.channel == "fixture_ads"]
        assert ga4 and all("utm_medium=cpc" in s.query and "msclkid=" in s.query for s in ga4)

        portal = Crm(people, market.now())
        paid_search = set(portal.lists["1005"].ids)  # "Paid search visitors": utm medium cpc
        assert any(p.index + 1 in paid_search for p in people
                   if all(t.channel != "google_ads" for t in p.touches)
                   and any(t.channel == "fixture_ads" for t in p.touches)
                   and p.first_seen <= market.now())
        captured = [portal.contact_properties(cid).get("msclkid")
                    for cid in list(portal.contact_ids)]
        assert any(value and value.startswith("msclkid-") for value in captured)
    finally:
        _forget_declarations()
