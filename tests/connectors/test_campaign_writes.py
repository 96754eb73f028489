"""The campaign-writing contract, run against each platform's in-process emulator.

One budget change and one pause through each writer must reach the emulator as the same
neutral ``Mutation`` (Decimal major units, ACTIVE/PAUSED) and read back the same through
``current()``; amounts the platform would refuse never leave the process; rounding is
reported; a change the platform refuses leaves the others of its batch applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.campaign_writes import (
    CampaignChange,
    ChangeRefusedError,
    PlatformCampaignWriter,
    writer_class,
    writer_platforms,
)
from connectors.errors import ConfigurationError
from connectors.google_ads.campaign_writer import GoogleCampaignWriter
from connectors.linkedin_ads.campaign_writer import LinkedInCampaignWriter
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.meta_ads.campaign_writer import MetaCampaignWriter
from connectors.retry import RetryPolicy
from emulators._base import Emulator
from emulators.faults import FaultConfig
from emulators.google_ads import resources as R
from emulators.market import Market
from emulators.meta_ads import SANDBOX_TOKEN as META_TOKEN
from emulators.meta_ads import MetaAdsEmulator
from tests.connectors.fakes import FakeClock
from tests.connectors.google_ads.contract_target import google_connector, google_emulator
from tests.connectors.linkedin_ads.contract_target import linkedin_connector, linkedin_emulator

TODAY_NOON = FakeClock().now
NEW_BUDGET = Decimal("123.45")


@dataclass
class Target:
    """One platform's writer against its emulator, and the entities the contract touches."""

    emulator: Emulator
    writer: PlatformCampaignWriter[Any]
    account: str
    currency: str
    budget: tuple[str, str]  # (level, id) of an entity that holds a daily budget
    pause: tuple[str, str]  # (level, id) of an active entity
    unknown: str  # an id the platform does not know, at the budget's level
    below_minimum: Decimal
    minimum: Decimal

    def change(self, **values: Any) -> CampaignChange:
        level, entity = self.budget if "daily_budget" in values else self.pause
        values.setdefault("currency", self.currency if "daily_budget" in values else None)
        return CampaignChange(self.account, values.pop("entity_id", entity), level, **values)


def _active(market: Market, platform: str, entities: list[Any]) -> Any:
    return next(e for e in entities if market.status(platform, e.id) == "ACTIVE")


def _meta(faults: FaultConfig | None = None) -> Target:
    market = Market(seed=7, today=TODAY_NOON.date(), platforms=("meta_ads",))
    emulator = MetaAdsEmulator(market, faults)
    fake = FakeClock(TODAY_NOON)
    connector = MetaAdsConnector(
        MetaAdsSettings(access_token=SecretStr(META_TOKEN), retry=RetryPolicy(max_attempts=2)),
        transport=emulator.transport(), sleep=fake.sleep, clock=fake,
    )
    account = market.accounts("meta_ads")[0]
    ad_set = next(g for g in market.ad_groups("meta_ads", account.id)
                  if market.budget("meta_ads", g.id) is not None)
    campaign = _active(market, "meta_ads", market.campaigns("meta_ads", account.id))
    return Target(emulator, MetaCampaignWriter(connector), account.id, account.currency,
                  ("ad_set", ad_set.id), ("campaign", campaign.id), "999999999999",
                  Decimal("0.99"), Decimal("1.00"))


def _google(faults: FaultConfig | None = None) -> Target:
    emulator = google_emulator(faults)
    market = emulator.market
    connector = google_connector(emulator, FakeClock(TODAY_NOON), CallRecorder(), None)
    account = market.accounts("google_ads")[0]
    campaign = market.campaigns("google_ads", account.id)[0]
    group = _active(market, "google_ads", market.ad_groups("google_ads", account.id))
    return Target(emulator, GoogleCampaignWriter(connector), account.id, account.currency,
                  ("campaign_budget", R.budget_id(campaign.id)), ("ad_group", group.id),
                  "7999999999", Decimal("0.009"), Decimal("0.01"))


def _linkedin(faults: FaultConfig | None = None) -> Target:
    emulator = linkedin_emulator(faults)
    market = emulator.market
    connector = linkedin_connector(emulator, FakeClock(TODAY_NOON), CallRecorder(), None)
    account = market.accounts("linkedin_ads")[0]
    groups = market.ad_groups("linkedin_ads", account.id)
    holder = next(g for g in groups if market.budget("linkedin_ads", g.id) is not None)
    paused = _active(market, "linkedin_ads", [g for g in groups if g.id != holder.id])
    return Target(emulator, LinkedInCampaignWriter(connector), account.id, account.currency,
                  ("campaign", holder.id), ("campaign", paused.id), "999999999",
                  Decimal("9.99"), Decimal("10.00"))


PLATFORMS = {"meta_ads": _meta, "google_ads": _google, "linkedin_ads": _linkedin}


@pytest.fixture(params=sorted(PLATFORMS))
def target(request: pytest.FixtureRequest) -> Target:
    return PLATFORMS[request.param]()


def _new_budget(before: Decimal | None) -> Decimal:
    return NEW_BUDGET if before != NEW_BUDGET else NEW_BUDGET + 1


# ---------------------------------------------------------------------- the contract


def test_a_budget_change_and_a_pause_land_as_the_same_neutral_mutation(target: Target):
    writer = target.writer
    (budget_level, budget_id), (pause_level, pause_id) = target.budget, target.pause
    before = writer.current(target.account, [budget_id], level=budget_level)[budget_id]
    assert before.currency == target.currency and before.daily_budget is not None
    assert writer.current(target.account, [pause_id], level=pause_level)[pause_id].status == (
        "ACTIVE")
    amount = _new_budget(before.daily_budget)

    outcomes = writer.apply([target.change(daily_budget=amount), target.change(status="PAUSED")])

    assert [(o.result, o.applied_fields) for o in outcomes] == [
        ("applied", ("daily_budget",)), ("applied", ("status",))]
    budget, status = target.emulator.mutation_log
    assert (budget.platform, budget.entity_id, budget.attribute) == (
        writer.platform, budget_id, "daily_budget")
    assert (budget.old, budget.new, budget.currency) == (
        before.daily_budget, amount, target.currency)
    assert (status.entity_id, status.attribute, status.old, status.new) == (
        pause_id, "status", "ACTIVE", "PAUSED")
    after = writer.current(target.account, [budget_id], level=budget_level)[budget_id]
    assert (after.daily_budget, after.currency) == (amount, target.currency)
    assert writer.current(target.account, [pause_id], level=pause_level)[pause_id].status == (
        "PAUSED")


def test_below_the_minimum_is_refused_before_any_call(target: Target):
    change = target.change(daily_budget=target.below_minimum)
    with pytest.raises(ChangeRefusedError) as refused:
        target.writer.prepare(change)
    message = str(refused.value)
    assert target.writer.rules.title in message
    assert target.budget[1] in message and target.account in message
    assert str(target.below_minimum) in message and str(target.minimum) in message
    assert refused.value.minimum == target.minimum

    outcome, = target.writer.apply([change])

    assert (outcome.result, outcome.prepared, outcome.reason) == ("refused", None, message)
    assert isinstance(outcome.error, ChangeRefusedError)
    assert target.emulator.request_log == []
    assert target.emulator.mutation_log == []


def test_rounding_is_reported_and_the_rounded_amount_is_what_lands(target: Target):
    change = target.change(daily_budget=Decimal("123.456"))
    prepared = target.writer.prepare(change)
    assert prepared.rounded and prepared.daily_budget == Decimal("123.45")
    assert "123.456" in prepared.note and "rounded down to 123.45" in prepared.note

    outcome, = target.writer.apply([change])

    assert outcome.applied and outcome.reason == prepared.note
    budget, = target.emulator.mutation_log
    assert budget.new == Decimal("123.45")


def test_a_change_the_platform_refuses_leaves_the_rest_of_the_batch_applied(target: Target):
    amount = Decimal("234.56")
    changes = [
        target.change(daily_budget=amount),
        target.change(daily_budget=amount, entity_id=target.unknown),
        target.change(status="PAUSED"),
    ]

    outcomes = target.writer.apply(changes)

    assert [o.result for o in outcomes] == ["applied", "refused", "applied"]
    refused = outcomes[1]
    assert refused.error is not None and refused.reason == str(refused.error)
    assert target.writer.platform in refused.reason  # the platform's own answer, named
    assert {(m.entity_id, m.attribute) for m in target.emulator.mutation_log} == {
        (target.budget[1], "daily_budget"), (target.pause[1], "status")}


def test_a_budget_in_another_currency_than_the_accounts_is_refused(target: Target):
    other = "EUR" if target.currency != "EUR" else "USD"
    outcome, = target.writer.apply([target.change(daily_budget=NEW_BUDGET, currency=other)])

    assert outcome.result == "refused"
    assert target.currency in outcome.reason and other in outcome.reason
    assert target.emulator.mutation_log == []


def test_unknown_entities_are_left_out_of_current(target: Target):
    level, entity = target.budget
    found = target.writer.current(target.account, [entity, target.unknown], level=level)
    assert set(found) == {entity}
    assert target.writer.current(target.account, [], level=level) == {}
    with pytest.raises(ConfigurationError, match="has no level 'galaxy'"):
        target.writer.current(target.account, [entity], level="galaxy")


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_change_that_never_arrives_is_failed_not_refused(platform: str):
    # Every write answers 500 (reads don't): retries run out, the platform never said no.
    writes = r"(:mutate|/adCampaigns/\d+)$|^/\d+$"
    broken = PLATFORMS[platform](FaultConfig(rate=1.0, kinds=("http_500",), paths=writes))
    outcome, = broken.writer.apply([broken.change(status="PAUSED")])

    assert outcome.result == "failed" and outcome.applied_fields == ()
    assert outcome.error is not None and outcome.error.retryable
    assert broken.emulator.mutation_log == []


# ---------------------------------------------------------------------- per platform


def test_meta_sets_budget_and_status_of_one_ad_set_in_one_change():
    target = _meta()
    level, ad_set = target.budget
    change = CampaignChange(target.account, ad_set, level, daily_budget=Decimal("55.00"),
                            status="PAUSED", currency=target.currency)

    outcome, = target.writer.apply([change])

    assert outcome.applied_fields == ("daily_budget", "status")
    state = target.writer.current(target.account, [ad_set], level=level)[ad_set]
    assert (state.daily_budget, state.status) == (Decimal("55.00"), "PAUSED")


def test_meta_refuses_a_budget_on_a_campaign_whose_ad_sets_hold_it():
    target = _meta()
    market = target.emulator.market
    campaign = next(c for c in market.campaigns("meta_ads", target.account)
                    if market.budget("meta_ads", c.id) is None)
    change = CampaignChange(target.account, campaign.id, "campaign",
                            daily_budget=NEW_BUDGET, currency=target.currency)

    outcome, = target.writer.apply([change])

    assert outcome.result == "refused" and "mutually exclusive" in outcome.reason


def test_meta_takes_minor_units_by_the_currency_exponent():
    rules = MetaCampaignWriter.rules
    yen = CampaignChange("act_1", "1", "ad_set", daily_budget=Decimal("1500.7"), currency="JPY")
    dinar = CampaignChange("act_1", "1", "ad_set", daily_budget=Decimal("2.5"), currency="KWD")
    assert (rules.prepare(yen).native_budget, rules.prepare(yen).daily_budget) == (
        1500, Decimal("1500"))
    assert rules.prepare(dinar).native_budget == 2500
    assert rules.minimum("JPY") == Decimal("100") and rules.minimum("KWD") == Decimal("0.100")


def test_google_budgets_have_no_status_and_ads_are_named_with_their_group():
    rules = GoogleCampaignWriter.rules
    with pytest.raises(ChangeRefusedError, match="cannot set status on a campaign_budget"):
        rules.prepare(CampaignChange("5550001001", "71", "campaign_budget", status="PAUSED"))
    with pytest.raises(ChangeRefusedError, match=r"named \{ad_group_id\}~\{ad_id\}"):
        rules.prepare(CampaignChange("5550001001", "123", "ad", status="PAUSED"))
    prepared = rules.prepare(CampaignChange("5550001001", "12~34", "ad", status="ACTIVE"))
    assert prepared.native_status == "ENABLED"


def test_google_pauses_an_ad_named_with_its_group():
    target = _google()
    market = target.emulator.market
    ad = _active(market, "google_ads", market.ads("google_ads", target.account))
    entity = f"{ad.ad_group_id}~{ad.id}"
    outcome, = target.writer.apply([CampaignChange(target.account, entity, "ad",
                                                   status="PAUSED")])
    assert outcome.applied
    assert target.writer.current(target.account, [entity], level="ad")[entity].status == "PAUSED"


def test_linkedin_refuses_a_budget_its_campaign_group_holds():
    target = _linkedin()
    market = target.emulator.market
    held = next(g for g in market.ad_groups("linkedin_ads", target.account)
                if market.budget("linkedin_ads", g.id) is None)
    outcome, = target.writer.apply([CampaignChange(
        target.account, held.id, "campaign", daily_budget=NEW_BUDGET, currency=target.currency)])
    assert outcome.result == "refused" and "campaign group" in outcome.reason


def _linkedin_group_target() -> tuple[Target, str]:
    """The LinkedIn target, and a campaign group of its account that holds the budget."""
    target = _linkedin()
    market = target.emulator.market
    group = next(c for c in market.campaigns("linkedin_ads", target.account)
                 if market.budget("linkedin_ads", c.id) is not None
                 and market.status("linkedin_ads", c.id) == "ACTIVE")
    return target, group.id


def test_linkedin_writes_and_reads_back_a_campaign_group_budget():
    target, group = _linkedin_group_target()
    writer = target.writer
    before = writer.current(target.account, [group, "999999999"], level="campaign_group")
    assert set(before) == {group}
    assert before[group].daily_budget is not None and before[group].currency == target.currency
    amount = _new_budget(before[group].daily_budget)

    outcome, = writer.apply([CampaignChange(target.account, group, "campaign_group",
                                            daily_budget=amount, currency=target.currency)])

    assert (outcome.result, outcome.applied_fields) == ("applied", ("daily_budget",))
    mutation, = target.emulator.mutation_log
    assert (mutation.entity_type, mutation.entity_id, mutation.field) == (
        "campaignGroup", group, "dailyBudget")
    assert (mutation.attribute, mutation.old, mutation.new, mutation.currency) == (
        "daily_budget", before[group].daily_budget, amount, target.currency)
    after = writer.current(target.account, [group], level="campaign_group")[group]
    assert (after.daily_budget, after.status, after.currency) == (
        amount, "ACTIVE", target.currency)
    assert target.emulator.market.budget("linkedin_ads", group) == int(amount * 100)


def test_linkedin_pauses_a_campaign_group():
    target, group = _linkedin_group_target()
    outcome, = target.writer.apply([CampaignChange(target.account, group, "campaign_group",
                                                   status="PAUSED")])
    assert outcome.applied
    state = target.writer.current(target.account, [group], level="campaign_group")[group]
    assert state.status == "PAUSED"


def test_linkedin_refuses_a_group_budget_below_the_minimum_before_any_call():
    target, group = _linkedin_group_target()
    change = CampaignChange(target.account, group, "campaign_group",
                            daily_budget=Decimal("9.99"), currency=target.currency)

    outcome, = target.writer.apply([change])

    assert outcome.result == "refused" and isinstance(outcome.error, ChangeRefusedError)
    assert outcome.error.minimum == Decimal("10.00")
    assert f"LinkedIn Ads refuses a daily budget of 9.99 {target.currency}" in outcome.reason
    assert group in outcome.reason and f"minimum is 10.00 {target.currency}" in outcome.reason
    assert target.emulator.request_log == [] and target.emulator.mutation_log == []


def test_linkedin_campaign_in_a_budget_holding_group_still_refuses_its_own_budget():
    target, group = _linkedin_group_target()
    member = target.emulator.market.ad_groups("linkedin_ads", group)[0]
    holder_budget = target.emulator.market.budget("linkedin_ads", group)

    outcome, = target.writer.apply([CampaignChange(
        target.account, member.id, "campaign", daily_budget=NEW_BUDGET,
        currency=target.currency)])

    assert outcome.result == "refused" and "managed by its campaign group" in outcome.reason
    assert target.writer.current(target.account, [member.id], level="campaign")[
        member.id].daily_budget is None
    assert target.emulator.market.budget("linkedin_ads", group) == holder_budget
    assert target.emulator.mutation_log == []


def test_linkedin_spend_today_of_a_campaign_group_sums_its_campaigns():
    target, group = _linkedin_group_target()
    market = target.emulator.market
    local = market.local_now("linkedin_ads", target.account)
    expected = sum((market.truth("linkedin_ads", ad.id, local.date()).spend
                    for ad in market.ads("linkedin_ads", group)), Decimal(0))
    assert expected > 0

    read = target.writer.spend_today(target.account, [group, "999999999"],
                                     level="campaign_group")

    assert read.spend == {group: expected, "999999999": Decimal(0)}


def test_every_ad_platform_writer_is_found_by_its_module():
    assert set(writer_platforms()) == set(PLATFORMS)
    assert writer_class("meta_ads") is MetaCampaignWriter
    with pytest.raises(ConfigurationError, match="google_ads, linkedin_ads, meta_ads"):
        writer_class("hubspot")


def test_a_change_must_say_what_it_changes():
    with pytest.raises(ValueError, match="sets neither budget nor status"):
        CampaignChange("act_1", "1", "ad_set")
    with pytest.raises(ValueError, match="needs the account's currency"):
        CampaignChange("act_1", "1", "ad_set", daily_budget=Decimal(5))
    with pytest.raises(TypeError, match="must be a Decimal"):
        CampaignChange("act_1", "1", "ad_set", daily_budget=5.5, currency="USD")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status must be one of"):
        CampaignChange("act_1", "1", "ad_set", status="ARCHIVED")  # type: ignore[arg-type]
    assert CampaignChange("act_1", "1", "ad_set", daily_budget=Decimal(5),
                          currency="usd").currency == "USD"


def _market_holder(target: Target) -> str:
    level, entity = target.budget
    if level != "campaign_budget":
        return entity
    market = target.emulator.market
    return next(c.id for c in market.campaigns("google_ads", target.account)
                if R.budget_id(c.id) == entity)


def test_spend_today_is_the_platforms_partial_day_summed_per_budget(target: Target) -> None:
    market = target.emulator.market
    platform = target.writer.platform
    level, entity = target.budget
    holder = _market_holder(target)
    local = market.local_now(platform, target.account)
    expected = sum((market.truth(platform, ad.id, local.date()).spend
                    for ad in market.ads(platform, holder)
                    if market.holder_of(platform, ad.id) == holder), Decimal(0))
    full_day = sum((market.delivery(platform, ad.id, local.date()).spend
                    for ad in market.ads(platform, holder)
                    if market.holder_of(platform, ad.id) == holder), Decimal(0))
    assert 0 < expected < full_day  # a partial day of a delivering budget
    read = target.writer.spend_today(target.account, [entity, target.unknown], level=level)
    assert read.day == local.date() and read.currency == target.currency
    assert read.hour == pytest.approx(local.hour + local.minute / 60)
    assert read.spend == {entity: expected, target.unknown: Decimal(0)}


def test_spend_today_refuses_an_account_the_credentials_do_not_reach(target: Target) -> None:
    level, entity = target.budget
    with pytest.raises(ConfigurationError, match="not among the accounts"):
        target.writer.spend_today("1234567890", [entity], level=level)
