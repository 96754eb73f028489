"""One budget change and one pause through each platform's connector: the mutation log
records each in the platform's own terms and, identically across platforms, in the market's.

The budget, creative and audience flows will be judged by this log, so a change of 12.34 in
the account's currency must read as ``Decimal("12.34")`` whether Meta took minor units,
Google micros or LinkedIn a decimal string.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.linkedin_ads import LinkedInAdsConnector, LinkedInAdsSettings
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from emulators._base import Emulator
from emulators.google_ads import GoogleAdsEmulator
from emulators.google_ads import resources as R
from emulators.linkedin_ads import SANDBOX_TOKEN as LINKEDIN_TOKEN
from emulators.linkedin_ads import LinkedInAdsEmulator
from emulators.market import AdGroup, Campaign, Market
from emulators.meta_ads import SANDBOX_TOKEN as META_TOKEN
from emulators.meta_ads import MetaAdsEmulator
from tests.connectors.fakes import FakeClock
from tests.connectors.google_ads.contract_target import google_connector, google_tokens
from tests.emulators.conftest import MovableClock

AMOUNT = Decimal("123.45")
Written = tuple[Emulator, str, str, int]  # emulator, budget holder, paused entity, old minor


def _meta(market: Market, fake: FakeClock) -> Written:
    emulator = MetaAdsEmulator(market)
    connector = MetaAdsConnector(
        MetaAdsSettings(access_token=SecretStr(META_TOKEN)),
        transport=emulator.transport(),
        sleep=fake.sleep,
        clock=fake,
    )
    holder = next(
        c
        for c in market.campaigns("meta_ads", "act_1001")
        if market.budget("meta_ads", c.id) is not None
    )
    before = market.budget("meta_ads", holder.id) or 0
    connector.set_daily_budget("1001", holder.id, 12345)
    ad = market.ads("meta_ads", "act_1001")[0]
    connector.set_status("act_1001", ad.id, "PAUSED")
    return emulator, holder.id, ad.id, before


def _google(market: Market, fake: FakeClock) -> Written:
    emulator = GoogleAdsEmulator(market, tokens=google_tokens())
    connector = google_connector(emulator, fake, CallRecorder(), None)
    account = market.accounts("google_ads")[0].id
    campaign = market.campaigns("google_ads", account)[0]
    before = R.budget_micros(market, campaign) // R.MICROS_PER_MINOR
    connector.set_campaign_budget(account, R.budget_id(campaign.id), 123_450_000)
    ad = market.ads("google_ads", account)[0]
    connector.set_status(account, "ad", ad.id, "PAUSED", ad_group_id=ad.ad_group_id)
    return emulator, campaign.id, ad.id, before


def _linkedin(market: Market, fake: FakeClock) -> Written:
    emulator = LinkedInAdsEmulator(market)
    connector = LinkedInAdsConnector(
        LinkedInAdsSettings(access_token=SecretStr(LINKEDIN_TOKEN)),
        transport=emulator.transport(),
        sleep=fake.sleep,
        clock=fake,
    )
    account = market.accounts("linkedin_ads")[0]
    group = next(
        x
        for x in market.ad_groups("linkedin_ads", account.id)
        if market.budget("linkedin_ads", x.id) is not None
    )
    before = market.budget("linkedin_ads", group.id) or 0
    connector.set_campaign_daily_budget(account.id, group.id, AMOUNT, account.currency)
    connector.set_campaign_status(account.id, group.id, "PAUSED")
    return emulator, group.id, group.id, before


@pytest.mark.parametrize("write", [_meta, _google, _linkedin], ids=["meta", "google", "linkedin"])
def test_every_platform_logs_the_same_change_the_same_way(write, clock: MovableClock):
    market = Market(seed=7, clock=clock, platforms=("meta_ads", "google_ads", "linkedin_ads"))
    emulator, holder, paused, before = write(market, FakeClock(clock.now))
    budget, status = emulator.mutation_log
    subject = market.entity(emulator.platform, holder)
    assert isinstance(subject, Campaign | AdGroup)
    account = market.account(emulator.platform, subject.account_id)
    assert account is not None
    assert (budget.subject_id, budget.attribute, budget.old, budget.new, budget.currency) == (
        holder,
        "daily_budget",
        Decimal(before).scaleb(-2),
        AMOUNT,
        account.currency,
    )
    assert (status.subject_id, status.attribute, status.old, status.new) == (
        paused,
        "status",
        "ACTIVE",
        "PAUSED",
    )
    assert market.status(emulator.platform, paused) == "PAUSED"
    # The platform's own terms stay on the record, in its wire representation.
    assert (
        budget.after
        == {"meta_ads": "12345", "google_ads": "123450000", "linkedin_ads": "123.45"}[
            emulator.platform
        ]
    )
    assert isinstance(budget.before, str)
