"""The environment builds each ad platform's campaign writer the way it builds its connector."""

from __future__ import annotations

import pytest

from resources import EnvironmentConfigError, current


@pytest.mark.parametrize("platform", ["google_ads", "linkedin_ads", "meta_ads"])
def test_the_sandbox_writer_reads_the_in_process_emulator(platform: str):
    from connectors.campaign_writes import PlatformCampaignWriter
    from resources import sandbox

    env = current({})
    market = sandbox.sandbox_market()
    account = market.accounts(platform)[0]
    campaign = market.campaigns(platform, account.id)[0]
    level, entity = {
        "meta_ads": ("campaign", campaign.id),
        "google_ads": ("ad_group", market.ad_groups(platform, campaign.id)[0].id),
        "linkedin_ads": ("campaign", market.ad_groups(platform, account.id)[0].id),
    }[platform]
    with env.campaign_writer(platform) as writer:
        assert isinstance(writer, PlatformCampaignWriter) and writer.platform == platform
        # Reads only: the sandbox's emulators are shared by every test of this process.
        state = writer.current(account.id, [entity], level=level)[entity]
    assert state.currency == account.currency
    assert state.status == market.status(platform, entity)


def test_a_platform_without_a_writer_names_those_with_one():
    with pytest.raises(EnvironmentConfigError) as refused:
        current({}).campaign_writer("hubspot")
    message = str(refused.value)
    assert "no campaign writer for platform 'hubspot'" in message
    assert "google_ads, linkedin_ads, meta_ads" in message
    with pytest.raises(EnvironmentConfigError, match="'tiktok_ads'"):
        current({}).campaign_writer("tiktok_ads")
