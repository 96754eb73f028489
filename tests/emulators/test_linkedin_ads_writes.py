"""LinkedIn campaign and campaign-group writes: PARTIAL_UPDATE through the connector, the
mutation log, the market."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from connectors.errors import BadRequestError, ConfigurationError, NotFoundError
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from emulators.linkedin_ads import SANDBOX_TOKEN, LinkedInAdsEmulator
from emulators.market import AdGroup, Campaign, Market
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


def campaign_groups(emulator, *, budget: bool) -> list[Campaign]:
    groups = emulator.market.campaigns("linkedin_ads", ACCOUNT)
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


# ---------------------------------------------------------------------- campaign groups


def test_group_daily_budget_update_is_logged_read_back_and_changes_the_market(
    emulator, connector
):
    group = campaign_groups(emulator, budget=True)[0]
    before = emulator.market.budget("linkedin_ads", group.id)
    assert before is not None
    connector.set_campaign_group_daily_budget(ACCOUNT, group.id, Decimal("75.00"), "USD")
    assert emulator.market.budget("linkedin_ads", group.id) == 7500
    [mutation] = emulator.mutation_log
    assert (mutation.platform, mutation.entity_type, mutation.entity_id, mutation.field) == (
        "linkedin_ads", "campaignGroup", group.id, "dailyBudget")
    assert mutation.before == f"{before // 100}.{before % 100:02d}" and mutation.after == "75.00"
    assert (mutation.subject_id, mutation.attribute, mutation.new, mutation.currency) == (
        group.id, "daily_budget", Decimal("75.00"), "USD")
    row = connector.get_campaign_group(ACCOUNT, group.id)
    assert (row["campaign_group_id"], row["daily_budget"], row["currency"]) == (
        group.id, Decimal("75.00"), "USD")
    [post] = [e for e in emulator.request_log if e.method == "POST"]
    assert post.status == 204 and post.path.endswith(f"/adCampaignGroups/{group.id}")


def test_group_status_update(emulator, connector):
    group = campaign_groups(emulator, budget=True)[0]
    connector.set_campaign_group_status(ACCOUNT, group.id, "PAUSED")
    assert emulator.market.status("linkedin_ads", group.id) == "PAUSED"
    last = emulator.mutation_log[-1]
    assert (last.entity_type, last.field, last.before, last.after) == (
        "campaignGroup", "status", "ACTIVE", "PAUSED")
    assert connector.get_campaign_group(ACCOUNT, group.id)["status"] == "PAUSED"


def test_refused_group_writes_change_nothing(emulator, connector):
    holder = campaign_groups(emulator, budget=True)[0]
    with pytest.raises(BadRequestError, match=r"at least 10\.00"):
        connector.set_campaign_group_daily_budget(ACCOUNT, holder.id, Decimal("9.99"), "USD")
    with pytest.raises(BadRequestError, match="currency"):
        connector.set_campaign_group_daily_budget(ACCOUNT, holder.id, Decimal("75.00"), "EUR")
    without = campaign_groups(emulator, budget=False)[0]
    with pytest.raises(BadRequestError, match="holds no budget"):
        connector.set_campaign_group_daily_budget(ACCOUNT, without.id, Decimal("75.00"), "USD")
    with pytest.raises(NotFoundError):
        connector.set_campaign_group_daily_budget(ACCOUNT, "999999999", Decimal("75.00"), "USD")
    with pytest.raises(NotFoundError):
        connector.get_campaign_group(ACCOUNT, "999999999")
    # a campaign of a group that holds the budget still refuses a budget of its own
    member = emulator.market.ad_groups("linkedin_ads", holder.id)[0]
    with pytest.raises(BadRequestError, match="managed by its campaign group"):
        connector.set_campaign_daily_budget(ACCOUNT, member.id, Decimal("75.00"), "USD")
    # a market ad group is a campaign, not a campaign group (and the other way round)
    with pytest.raises(NotFoundError):
        connector.set_campaign_group_daily_budget(ACCOUNT, member.id, Decimal("75.00"), "USD")
    with pytest.raises(NotFoundError):
        connector.get_campaign(ACCOUNT, holder.id)
    assert emulator.mutation_log == []
    assert emulator.market.budget("linkedin_ads", holder.id) is not None


def test_wire_shape_of_a_group_partial_update(emulator):
    group = campaign_groups(emulator, budget=True)[0]
    headers = {"LinkedIn-Version": "202607", "X-Restli-Protocol-Version": "2.0.0",
               "Authorization": f"Bearer {SANDBOX_TOKEN}"}
    url = f"https://api.linkedin.com/rest/adAccounts/{ACCOUNT}/adCampaignGroups/{group.id}"
    partial = {"X-RestLi-Method": "PARTIAL_UPDATE"}
    body = {"patch": {"$set": {"dailyBudget": {"amount": "80.00", "currencyCode": "USD"}}}}
    with httpx.Client(transport=emulator.transport(), headers=headers) as c:
        got = c.get(url)
        no_method = c.post(url, json=body)
        wrong_field = c.post(url, json={"patch": {"$set": {"totalBudget": {}}}}, headers=partial)
        unknown = c.post(url.rsplit("/", 1)[0] + "/999999999", json=body, headers=partial)
        ok = c.post(url, json=body, headers=partial)
        after = c.get(url)
    assert got.status_code == 200 and got.json()["id"] == int(group.id)
    assert no_method.status_code == 400
    assert wrong_field.status_code == 400
    assert wrong_field.json()["code"] == "ILLEGAL_ARGUMENT"
    assert "totalBudget" in wrong_field.json()["message"]
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    assert ok.status_code == 204 and ok.content == b""
    assert after.json()["dailyBudget"] == {"amount": "80.00", "currencyCode": "USD"}
    assert len(emulator.mutation_log) == 1
