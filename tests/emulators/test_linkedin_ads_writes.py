"""LinkedIn campaign writes: PARTIAL_UPDATE through the connector, the mutation log, the market."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from connectors.errors import BadRequestError, ConfigurationError
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from emulators.linkedin_ads import SANDBOX_TOKEN, LinkedInAdsEmulator
from emulators.market import AdGroup, Market
from tests.connectors.fakes import FakeClock
from tests.emulators.conftest import MovableClock

ACCOUNT = "508001001"


@pytest.fixture
def emulator(clock: MovableClock) -> LinkedInAdsEmulator:
    return LinkedInAdsEmulator(Market(seed=7, clock=clock, platforms=("linkedin_ads",)))


@pytest.fixture
def connector(emulator, clock) -> LinkedInAdsConnector:
    fake = FakeClock(clock.now)
    return LinkedInAdsConnector(
        LinkedInAdsSettings(access_token=SecretStr(SANDBOX_TOKEN)),
        transport=emulator.transport(), sleep=fake.sleep, clock=fake,
    )


def campaigns(emulator, *, budget: bool) -> list[AdGroup]:
    groups = emulator.market.ad_groups("linkedin_ads", ACCOUNT)
    return [g for g in groups if (emulator.market.budget("linkedin_ads", g.id) is not None)
            == budget]


def test_daily_budget_update_is_logged_and_changes_the_market(emulator, connector):
    campaign = campaigns(emulator, budget=True)[0]
    before = emulator.market.budget("linkedin_ads", campaign.id)
    connector.set_campaign_daily_budget(ACCOUNT, campaign.id, Decimal("75.00"), "USD")
    assert emulator.market.budget("linkedin_ads", campaign.id) == 7500
    [mutation] = emulator.mutation_log
    assert (mutation.platform, mutation.entity_type, mutation.entity_id, mutation.field) == (
        "linkedin_ads", "campaign", campaign.id, "dailyBudget")
    assert mutation.before == f"{before // 100}.{before % 100:02d}" and mutation.after == "75.00"
    assert mutation.who.startswith("app:")
    row = connector.get_campaign(ACCOUNT, campaign.id)
    assert row["daily_budget"] == Decimal("75.00") and row["currency"] == "USD"
    post = [e for e in emulator.request_log if e.method == "POST"]
    assert [e.status for e in post] == [204]
    assert connector.recorder.calls[0].status == 204


def test_status_update(emulator, connector):
    campaign = campaigns(emulator, budget=True)[0]
    connector.set_campaign_status(ACCOUNT, campaign.id, "PAUSED")
    assert emulator.market.status("linkedin_ads", campaign.id) == "PAUSED"
    assert emulator.mutation_log[-1].field == "status"
    assert (emulator.mutation_log[-1].before, emulator.mutation_log[-1].after) == (
        "ACTIVE", "PAUSED")
    assert connector.get_campaign(ACCOUNT, campaign.id)["status"] == "PAUSED"


def test_refused_writes_change_nothing(emulator, connector):
    held = campaigns(emulator, budget=True)[0]
    with pytest.raises(BadRequestError, match="currency"):
        connector.set_campaign_daily_budget(ACCOUNT, held.id, Decimal("75.00"), "EUR")
    with pytest.raises(BadRequestError, match="at least"):
        connector.set_campaign_daily_budget(ACCOUNT, held.id, Decimal("1.00"), "USD")
    group_held = campaigns(emulator, budget=False)
    if group_held:
        with pytest.raises(BadRequestError, match="campaign group"):
            connector.set_campaign_daily_budget(ACCOUNT, group_held[0].id, Decimal("50"), "USD")
    with pytest.raises(ConfigurationError):
        connector.set_campaign_daily_budget(ACCOUNT, held.id, Decimal("75.001"), "USD")
    with pytest.raises(ConfigurationError):
        connector.set_campaign_status(ACCOUNT, held.id, "DELETED")
    assert emulator.mutation_log == []


def test_wire_shape_of_a_partial_update(emulator):
    campaign = campaigns(emulator, budget=True)[0]
    headers = {"LinkedIn-Version": "202607", "X-Restli-Protocol-Version": "2.0.0",
               "Authorization": f"Bearer {SANDBOX_TOKEN}"}
    url = f"https://api.linkedin.com/rest/adAccounts/{ACCOUNT}/adCampaigns/{campaign.id}"
    body = {"patch": {"$set": {"dailyBudget": {"amount": "80.00", "currencyCode": "USD"}}}}
    with httpx.Client(transport=emulator.transport(), headers=headers) as c:
        no_method = c.post(url, json=body)
        ok = c.post(url, json=body, headers={"X-RestLi-Method": "PARTIAL_UPDATE"})
        not_patch = c.post(url, content=json.dumps({"$set": {}}),
                           headers={"X-RestLi-Method": "PARTIAL_UPDATE"})
    assert no_method.status_code == 400
    assert ok.status_code == 204 and ok.content == b""
    assert not_patch.status_code == 400
    assert len(emulator.mutation_log) == 1
