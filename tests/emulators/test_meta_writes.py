from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from emulators.market import AdGroup, Campaign, Market

from .conftest import TODAY

V = "/v26.0"
P = "meta_ads"


def budget_holders(market: Market, level: str) -> Iterator[Campaign | AdGroup]:
    for acc in market.accounts(P):
        items: list[Campaign] | list[AdGroup] = (
            market.campaigns(P, acc.id) if level == "campaign" else market.ad_groups(P, acc.id)
        )
        for item in items:
            if market.budget(P, item.id) is not None:
                yield item


@pytest.mark.parametrize("level", ["campaign", "adset"])
def test_budget_write_changes_state_and_is_logged(client, emulator, market, level):
    holder = next(budget_holders(market, level))
    before = market.budget(P, holder.id)
    r = client.post(f"{V}/{holder.id}", data={"daily_budget": str(before + 1500)})
    assert (r.status_code, r.json()) == (200, {"success": True})
    assert market.budget(P, holder.id) == before + 1500
    assert market.budget(P, holder.id, TODAY - timedelta(days=1)) == before
    read = client.get(f"{V}/{holder.id}", params={"fields": "daily_budget"}).json()
    assert read["daily_budget"] == str(before + 1500)
    (m,) = emulator.mutation_log
    assert (m.entity_id, m.field, m.before, m.after) == (holder.id, "daily_budget",
                                                          str(before), str(before + 1500))
    assert (m.subject_id, m.attribute, m.new - m.old) == (holder.id, "daily_budget",
                                                          Decimal("15.00"))
    assert m.entity_type == ("Campaign" if level == "campaign" else "AdSet")
    assert m.who.startswith("app:") and m.platform == P


def test_status_write_pauses_and_resumes_an_ad(client, emulator, market):
    ad = market.ads(P, "act_1001")[0]
    assert client.post(f"{V}/{ad.id}", data={"status": "PAUSED"}).json() == {"success": True}
    body = client.get(f"{V}/{ad.id}", params={"fields": "status,effective_status"}).json()
    assert body["status"] == "PAUSED" and body["effective_status"] == "PAUSED"
    assert not market.delivering(P, ad.id, TODAY)
    client.post(f"{V}/{ad.id}", data={"status": "ACTIVE"})
    assert [(m.before, m.after) for m in emulator.mutation_log] == [
        ("ACTIVE", "PAUSED"), ("PAUSED", "ACTIVE")]


def test_paused_campaign_shows_on_children(client, market):
    campaign = market.campaigns(P, "act_1002")[0]
    client.post(f"{V}/{campaign.id}", data={"status": "PAUSED"})
    ads = client.get(f"{V}/act_1002/ads", params={"fields": "campaign_id,effective_status",
                                                   "limit": 100}).json()["data"]
    mine = [a for a in ads if a["campaign_id"] == campaign.id]
    assert mine and all(a["effective_status"] == "CAMPAIGN_PAUSED" for a in mine)


def test_invalid_writes_are_rejected_and_not_logged(client, emulator, market):
    cbo = next(budget_holders(market, "campaign"))
    adset_of_cbo = market.ad_groups(P, cbo.id)[0]
    ad = market.ads(P, cbo.id)[0]
    cases = [
        (adset_of_cbo.id, {"daily_budget": "5000"}),  # budget lives on the campaign
        (cbo.id, {"daily_budget": "50"}),  # below the minimum
        (cbo.id, {"daily_budget": "12.50"}),  # not minor units
        (ad.id, {"daily_budget": "5000"}),
        (ad.id, {"status": "DELETED"}),
        (ad.id, {}),
    ]
    for node, form in cases:
        r = client.post(f"{V}/{node}", data=form)
        assert r.status_code == 400 and r.json()["error"]["code"] == 100, (node, form)
    assert client.post(f"{V}/act_1001", data={"status": "PAUSED"}).status_code == 400
    assert emulator.mutation_log == []
