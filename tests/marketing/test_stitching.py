"""Stitching touchpoints and conversions from several sources into journeys, by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import warehouse
from marketing.stitching import StitchingError, stitch_journeys

D0 = datetime(2026, 9, 1, 12, tzinfo=UTC)


def day(n: int) -> datetime:
    return D0 + timedelta(days=n)


def _touch(con, platform, tid, at, *, person=None, anon=None, channel, campaign=None,
           click=None, kind="session"):
    con.execute(
        "INSERT INTO core.touchpoints (platform, account_id, touchpoint_id, occurred_at, "
        "person_key, anonymous_id, kind, channel, campaign_name, click_id_type, click_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [platform, f"{platform}:1", tid, at, person, anon, kind, channel, campaign,
         "gclid" if click else None, click])


def _conversion(con, platform, cid, at, kind, value, *, person=None, anon=None):
    con.execute(
        "INSERT INTO core.conversions (platform, account_id, conversion_id, occurred_at, kind, "
        "person_key, anonymous_id, value, currency, value_reporting) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'EUR', ?)",
        [platform, f"{platform}:1", cid, at, kind, person, anon, value, value])


def _link(con, person, id_type, value, at):
    con.execute(
        "INSERT INTO core.identity_links (platform, account_id, person_key, id_type, id_value, "
        "first_seen_at) VALUES ('hubspot', 'hubspot:1', ?, ?, ?, ?)",
        [person, id_type, value, at])


@pytest.fixture
def con(tmp_path: Path):
    wh = warehouse.connect(tmp_path / "wh.duckdb", landing_root=tmp_path / "landing")
    c = wh.con
    # Person A: anonymous GA4 sessions, then a form that linked the client id to her email.
    _touch(c, "ga4", "s0", day(-100), anon="c1", channel="google_ads")  # outside 90 days
    _touch(c, "ga4", "s1", day(1), anon="c1", channel="google_ads", campaign="brand")
    _touch(c, "ga4", "s3", day(3), anon="c1", channel="meta_ads", campaign="retarget")
    _touch(c, "hubspot", "f4", day(4), person="em:a", channel="meta_ads",
           kind="form_submission")  # the lead itself, not a touch of the path
    _touch(c, "ga4", "s8", day(8), anon="c1", channel="email")
    _touch(c, "ga4", "s15", day(15), channel="direct", click="gclid-a")  # found by click id
    _link(c, "em:a", "client_id", "c1", day(4))
    _link(c, "em:a", "gclid", "gclid-a", day(15))
    _conversion(c, "hubspot", "L1", day(4), "lead", 0, person="em:a")
    _conversion(c, "shopify", "O1", day(10), "order", 100, person="em:a")
    _conversion(c, "hubspot", "D1", day(20), "deal", 500, person="em:a")
    _conversion(c, "offline_conversions", "X1", day(20) + timedelta(hours=2), "deal", 500,
                person="em:a")  # the same deal from the offline export
    # Person B: never identified, never converted.
    _touch(c, "ga4", "b1", day(2), anon="c2", channel="organic_search")
    _touch(c, "ga4", "b2", day(5), anon="c2", channel="linkedin_ads")
    # Person C: a deal no touch explains.
    _conversion(c, "hubspot", "D9", day(30), "deal", 50, person="em:c")
    yield c
    wh.close()


def test_journeys_are_cut_per_conversion_and_reach_people_through_identity_links(con):
    got = stitch_journeys(con, period_start=day(0), period_end=day(60))
    paths = {jid: list(g.sort_values("position")["channel"])
             for jid, g in got.touches.groupby("journey_id")}
    assert paths == {
        "c:hubspot:L1": ["google_ads", "meta_ads"],
        "c:shopify:O1": ["google_ads", "meta_ads", "email"],
        "c:hubspot:D1": ["google_ads", "meta_ads", "email", "direct"],
        "n:anon:c2": ["organic_search", "linkedin_ads"],
    }
    outcomes = got.outcomes.set_index("journey_id")
    assert list(outcomes.index) == ["c:hubspot:D1", "c:hubspot:L1", "c:shopify:O1"]
    assert outcomes.loc["c:hubspot:D1", "value"] == 500.0
    assert got.duplicate_conversions == 1 and got.conversions_without_touches == 1
    assert "90-day lookback (30 days for leads)" in got.window


def test_windows_and_kinds_narrow_the_journeys(con):
    got = stitch_journeys(con, period_start=day(0), period_end=day(60), lookback_days=10,
                          acquisition_lookback_days=2, kinds=("lead", "deal"))
    paths = {jid: list(g["channel"]) for jid, g in got.touches.groupby("journey_id")}
    assert paths["c:hubspot:L1"] == ["meta_ads"]  # day 1 is 3 days before the lead
    assert paths["c:hubspot:D1"] == ["direct"]  # day 15 is within 10 days of day 20, day 8 not
    assert "c:shopify:O1" not in paths
    # a second lead of the same person starts after the first: cut at the previous one
    _conversion(con, "hubspot", "L2", day(9), "lead", 0, person="em:a")
    again = stitch_journeys(con, period_start=day(0), period_end=day(60))
    l2 = again.touches[again.touches.journey_id == "c:hubspot:L2"]
    assert list(l2["channel"]) == ["email"]


def test_bad_requests_are_refused_with_the_reason(con):
    with pytest.raises(StitchingError, match="empty"):
        stitch_journeys(con, period_start=day(5), period_end=day(5))
    with pytest.raises(StitchingError, match="timezone-aware"):
        stitch_journeys(con, period_start=datetime(2026, 9, 1), period_end=day(5))
    with pytest.raises(StitchingError, match="at least 1 day"):
        stitch_journeys(con, period_start=day(0), period_end=day(5), lookback_days=0)


def test_the_models_take_stitched_journeys_and_credit_sums_to_the_total(con):
    from marketing.attribution import journeys_from_touches, linear, markov

    got = stitch_journeys(con, period_start=day(0), period_end=day(60), kinds=("order", "deal"))
    journeys = journeys_from_touches(got.touches, got.outcomes)
    for model in (linear(journeys), markov(journeys)):
        assert model.channels["value"].sum() == pytest.approx(600.0)
        assert Decimal(str(model.channels["conversions"].sum())) == Decimal("2")
