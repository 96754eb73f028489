"""A hand-built warehouse with journeys worked out by hand, for the attribution tests.

Used by the report flow's tests and by the webhook end-to-end test (which seeds the warehouse
of `campaign-ops up` with the same journeys, recent days).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import warehouse

D0 = dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC)
START, END = dt.date(2026, 9, 1), dt.date(2026, 9, 30)


def day(n: int, base: dt.datetime = D0) -> dt.datetime:
    return base + dt.timedelta(days=n)


def _touch(con, tid, at, person, channel, campaign=None, click=None):
    con.execute(
        "INSERT INTO core.touchpoints (platform, account_id, touchpoint_id, occurred_at, "
        "person_key, kind, channel, ad_platform, campaign_name, click_id_type, click_id) "
        "VALUES ('ga4', 'ga4:1', ?, ?, ?, 'session', ?, ?, ?, ?, ?)",
        [tid, at, person, channel, channel if channel.endswith("_ads") else None, campaign,
         click[0] if click else None, click[1] if click else None])


def _conversion(con, platform, cid, at, kind, value, person, click=None):
    con.execute(
        "INSERT INTO core.conversions (platform, account_id, conversion_id, occurred_at, kind, "
        "person_key, click_id_type, click_id, value, currency, value_reporting) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?)",
        [platform, f"{platform}:1", cid, at, kind, person, click[0] if click else None,
         click[1] if click else None, value, value])


def _link(con, person, id_type, value):
    con.execute(
        "INSERT INTO core.identity_links (platform, account_id, person_key, id_type, id_value, "
        "first_seen_at) VALUES ('offline', 'offline:1', ?, ?, ?, ?)",
        [person, id_type, value, D0 - dt.timedelta(days=30)])


def _spend(con, platform, campaign_id, name, date, amount):
    con.execute(
        "INSERT INTO core.ad_performance_daily (date, platform, account_id, campaign_id, "
        "ad_group_id, ad_id, currency, spend, spend_reporting, reporting_currency) "
        "VALUES (?, ?, ?, ?, 'g', ?, 'USD', ?, ?, 'USD')",
        [date, platform, f"{platform}:1", campaign_id, f"{campaign_id}-ad", amount, amount])
    con.execute(
        "INSERT INTO core.campaigns (platform, account_id, campaign_id, native_campaign_id, name) "
        "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM core.campaigns WHERE "
        "campaign_id = ?)",
        [platform, f"{platform}:1", campaign_id, campaign_id.split(":")[1], name, campaign_id])


def build_warehouse(path: Path, base: dt.datetime = D0) -> None:
    """A: google > meta -> deal 1000; B: meta > direct -> deal 500; C: linkedin, never
    converts; D: google -> order 200; E: a deal of 300 with no touch at all. Days count from
    ``base``; spend falls on its first day and 29 days later, and Google and Meta report
    every day in between (spend 0), so their spend covers the 30-day period."""

    def at(n: int) -> dt.datetime:
        return day(n, base)

    first, last = base.date(), base.date() + dt.timedelta(days=29)
    with warehouse.connect(path) as wh, wh.transaction() as con:
        _touch(con, "a1", at(1), "em:a", "google_ads", "Brand", ("gclid", "gclid-a"))
        _touch(con, "a2", at(3), "em:a", "meta_ads", "Retarget")
        _touch(con, "b1", at(2), "em:b", "meta_ads", "Retarget")
        _touch(con, "b2", at(4), "em:b", "direct")
        _touch(con, "c1", at(2), "em:c", "linkedin_ads", "B2B")
        _touch(con, "d1", at(10), "em:d", "google_ads", "Brand")
        _conversion(con, "offline", "deal-a", at(5), "deal", Decimal("1000"), "em:a",
                    ("gclid", "gclid-a"))
        _conversion(con, "offline", "deal-b", at(6), "deal", Decimal("500"), "em:b")
        _conversion(con, "shopify", "order-d", at(11), "order", Decimal("200"), "em:d")
        _conversion(con, "offline", "deal-e", at(12), "deal", Decimal("300"), "em:e")
        for person in "abcde":
            _link(con, f"em:{person}", "email", f"{person}@example.com")
        _link(con, "em:a", "gclid", "gclid-a")
        _spend(con, "google_ads", "google_ads:11", "Brand", first, Decimal("60"))
        _spend(con, "google_ads", "google_ads:11", "Brand", last, Decimal("40"))
        _spend(con, "meta_ads", "meta_ads:22", "Retarget", first, Decimal("300"))
        for n in range(1, 29):  # the days between: reported, nothing spent
            for platform, campaign, name in (("google_ads", "google_ads:11", "Brand"),
                                             ("meta_ads", "meta_ads:22", "Retarget")):
                _spend(con, platform, campaign, name, first + dt.timedelta(days=n), Decimal(0))
        _spend(con, "meta_ads", "meta_ads:22", "Retarget", last, Decimal(0))
        # outside the period: never counted
        _spend(con, "meta_ads", "meta_ads:22", "Retarget", last + dt.timedelta(days=1),
               Decimal("999"))
