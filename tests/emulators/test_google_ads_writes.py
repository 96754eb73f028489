"""Mutates on the Google Ads emulator: budgets and statuses, validate-only, partial failure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from emulators.google_ads import (
    DEVELOPER_TOKEN,
    MANAGER_ID,
    SANDBOX_ACCESS_TOKEN,
    GoogleAdsEmulator,
)
from emulators.google_ads import resources as R
from emulators.market import Market

CID = "5550001001"
HEADERS = {"Authorization": f"Bearer {SANDBOX_ACCESS_TOKEN}", "developer-token": DEVELOPER_TOKEN,
           "login-customer-id": MANAGER_ID}


@pytest.fixture
def emu() -> GoogleAdsEmulator:
    market = Market(seed=7, today=datetime(2026, 11, 26, 12, tzinfo=UTC), platforms=("google_ads",))
    return GoogleAdsEmulator(market)


def mutate(emu: GoogleAdsEmulator, service: str, operations: list, **flags) -> httpx.Response:
    with httpx.Client(transport=emu.transport(), base_url="https://googleads.googleapis.com",
                      headers=HEADERS) as c:
        return c.post(f"/v26/customers/{CID}/{service}:mutate",
                      json={"operations": operations, **flags})


def budget_op(budget: str, micros: int | str) -> dict:
    return {"updateMask": "amountMicros",
            "update": {"resourceName": f"customers/{CID}/campaignBudgets/{budget}",
                       "amountMicros": str(micros)}}


def campaigns(emu):
    return emu.market.campaigns("google_ads", CID)


def test_budget_update_changes_the_market_and_is_logged(emu):
    by_level = {c.budget_level: c for c in campaigns(emu)}
    for campaign in by_level.values():  # one campaign-held budget, one held by its ad groups
        budget = R.budget_id(campaign.id)
        before = R.budget_micros(emu.market, campaign)
        r = mutate(emu, "campaignBudgets", [budget_op(budget, 123_450_000)])
        assert r.status_code == 200
        assert r.json() == {"results": [
            {"resourceName": f"customers/{CID}/campaignBudgets/{budget}"}]}
        assert R.budget_micros(emu.market, campaign) == 123_450_000
        last = emu.mutation_log[-1]
        assert (last.entity_type, last.entity_id, last.field) == (
            "campaign_budget", budget, "amount_micros")
        assert (last.before, last.after) == (str(before), "123450000")
        assert (last.subject_id, last.attribute, last.new) == (
            campaign.id, "daily_budget", Decimal("123.45"))
        assert last.platform == "google_ads" and last.who.startswith("oauth:")
    assert len(emu.mutation_log) == len(by_level)


def test_amount_must_be_a_multiple_of_the_minimum_unit(emu):
    budget = R.budget_id(campaigns(emu)[0].id)
    r = mutate(emu, "campaignBudgets", [budget_op(budget, 50_005_000)])
    assert r.status_code == 400
    entry = r.json()["error"]["details"][0]["errors"][0]
    assert entry["errorCode"] == {"campaignBudgetError": "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT"}
    assert entry["location"]["fieldPathElements"] == [{"fieldName": "operations", "index": 0}]
    assert emu.mutation_log == []


def test_validate_only_changes_nothing(emu):
    campaign = campaigns(emu)[0]
    before = R.budget_micros(emu.market, campaign)
    version = emu.market.version
    r = mutate(emu, "campaignBudgets", [budget_op(R.budget_id(campaign.id), 99_990_000)],
               validateOnly=True)
    assert r.status_code == 200 and r.json() == {}
    assert R.budget_micros(emu.market, campaign) == before
    assert emu.market.version == version and emu.mutation_log == []


def test_partial_failure_applies_the_valid_operations(emu):
    first, second = campaigns(emu)[:2]
    ops = [budget_op(R.budget_id(first.id), 70_000_000),
           budget_op("79999999999999999", 70_000_000),
           budget_op(R.budget_id(second.id), 1)]
    whole = mutate(emu, "campaignBudgets", ops)
    assert whole.status_code == 400 and emu.mutation_log == []
    r = mutate(emu, "campaignBudgets", ops, partialFailure=True)
    body = r.json()
    assert r.status_code == 200
    assert body["results"][0] == {"resourceName": ops[0]["update"]["resourceName"]}
    assert body["results"][1:] == [{}, {}]
    errors = body["partialFailureError"]["details"][0]["errors"]
    assert [e["location"]["fieldPathElements"][0]["index"] for e in errors] == [1, 2]
    assert errors[0]["errorCode"] == {"mutateError": "RESOURCE_NOT_FOUND"}
    assert [m.entity_id for m in emu.mutation_log] == [R.budget_id(first.id)]


def test_status_updates_of_ad_groups_and_ads(emu):
    ad = emu.market.ads("google_ads", CID)[0]
    group = ad.ad_group_id
    r1 = mutate(emu, "adGroupAds", [{"updateMask": "status", "update": {
        "resourceName": f"customers/{CID}/adGroupAds/{group}~{ad.id}", "status": "PAUSED"}}])
    r2 = mutate(emu, "adGroups", [{"updateMask": "status", "update": {
        "resourceName": f"customers/{CID}/adGroups/{group}", "status": "PAUSED"}}])
    wrong = mutate(emu, "adGroupAds", [{"updateMask": "status", "update": {
        "resourceName": f"customers/{CID}/adGroupAds/1~{ad.id}", "status": "PAUSED"}}])
    removed = mutate(emu, "adGroups", [{"updateMask": "status", "update": {
        "resourceName": f"customers/{CID}/adGroups/{group}", "status": "REMOVED"}}])
    assert (r1.status_code, r2.status_code, wrong.status_code, removed.status_code) == (
        200, 200, 400, 400)
    assert emu.market.status("google_ads", ad.id) == "PAUSED"
    assert emu.market.status("google_ads", group) == "PAUSED"
    assert [(m.entity_type, m.field, m.before, m.after) for m in emu.mutation_log] == [
        ("ad_group_ad", "status", "ENABLED", "PAUSED"), ("ad_group", "status", "ENABLED", "PAUSED")]


def test_update_mask_must_name_the_field(emu):
    budget = R.budget_id(campaigns(emu)[0].id)
    op = budget_op(budget, 10_000_000)
    op["updateMask"] = "name"
    r = mutate(emu, "campaignBudgets", [op])
    assert r.json()["error"]["details"][0]["errors"][0]["errorCode"] == {
        "fieldMaskError": "FIELD_NOT_FOUND"}
