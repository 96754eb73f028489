"""Pushing offline conversions to the in-process Google Data Manager and Meta CAPI emulators.

A real DuckDB warehouse holds the core rows, the store is a SQLite file, the platforms are
the emulators (their logs say what was received and what was counted), and the push runs
inside a Prefect flow on a real Prefect server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from decimal import Decimal

import pytest

import store
import warehouse
from emulators.google_data_manager import GoogleDataManagerEmulator
from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator
from resources.environment import (
    SANDBOX_GOOGLE_CONVERSION_ACTION_ID,
    SANDBOX_META_PIXEL_ID,
    current,
)
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
START, END = NOW - 60 * DAY, NOW + dt.timedelta(minutes=1)
GOOGLE = {"D-1", "D-2", "9003", "S-4", "D-5"}
META = {"D-1", "D-2", "9003", "S-4"}

CONVERSIONS = [
    # platform, conversion_id, occurred_at, kind, person_key, anonymous_id, click type, click id
    ("offline_conversions", "D-1", NOW - 2 * DAY, "deal", "em:1", None, None, None, "1200"),
    ("offline_conversions", "D-2", NOW - 1 * DAY, "deal", "em:2", None, "fbclid", "fb-2", "80"),
    ("hubspot", "9003", NOW - 1 * DAY, "deal", "em:3", None, None, None, "450"),
    ("offline_conversions", "S-4", NOW - 3 * DAY, "store_sale", None, "ga-4", None, None, "35"),
    ("offline_conversions", "D-5", NOW - 30 * DAY, "deal", None, None, "gclid", "Cj0-5", "99"),
    ("offline_conversions", "D-6", NOW - 1 * DAY, "deal", None, None, None, None, "10"),
    ("hubspot", "L-7", NOW - 1 * DAY, "lead", "em:1", None, None, None, "0"),
    ("offline_conversions", "D-8", NOW - 90 * DAY, "deal", "em:1", None, None, None, "5"),
]
LINKS = [
    # person_key, id_type, id_value, first_seen_at
    ("em:1", "email", "ada@example.com", NOW - 40 * DAY),
    ("em:1", "phone", "+49 30 1234567", NOW - 40 * DAY),
    ("em:1", "gclid", "Cj0-1", NOW - 20 * DAY),
    ("em:2", "email", "Bob.Smith@Example.org", NOW - 10 * DAY),
    ("em:3", "email", "carla@example.com", NOW - 10 * DAY),
    ("em:4", "phone", "+1 650 253 1234", NOW - 10 * DAY),
    ("em:4", "client_id", "ga-4", NOW - 10 * DAY),
]
FB2_CLICK = NOW - 5 * DAY


def build_warehouse(path) -> None:
    with warehouse.connect(path, landing_root=path.parent / "landing",
                           quarantine_root=path.parent / "quarantine") as wh:
        for platform, cid, at, kind, person, anon, ctype, cval, value in CONVERSIONS:
            wh.execute(
                "INSERT INTO core.conversions (platform, account_id, conversion_id, occurred_at,"
                " kind, person_key, anonymous_id, click_id_type, click_id, value, currency)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'EUR')",
                [platform, f"{platform}:acct", cid, at, kind, person, anon, ctype, cval,
                 Decimal(value)])
        for person, id_type, value, seen in LINKS:
            wh.execute(
                "INSERT INTO core.identity_links (platform, account_id, person_key, id_type,"
                " id_value, first_seen_at) VALUES ('hubspot', 'hubspot:acct', ?, ?, ?, ?)",
                [person, id_type, value, seen])
        wh.execute(
            "INSERT INTO core.touchpoints (platform, account_id, touchpoint_id, occurred_at,"
            " person_key, kind, channel, ad_platform, click_id_type, click_id)"
            " VALUES ('ga4', 'ga4:p', 't-1', ?, 'em:2', 'session', 'meta_ads', 'meta_ads',"
            " 'fbclid', 'fb-2')", [FB2_CLICK])


@pytest.fixture
def sandbox(tmp_path, monkeypatch, prefect_server):
    """A warehouse with offline conversions, a store file, and both destination emulators."""
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / "data"))
    for key in list(os.environ):
        if key.startswith(("CAMPAIGN_OPS_SANDBOX_URL_", "CAMPAIGN_OPS_STORE_URL",
                           "CAMPAIGN_OPS_META_", "CAMPAIGN_OPS_GOOGLE_")):
            monkeypatch.delenv(key)
    build_warehouse(tmp_path / "warehouse.duckdb")
    market = Market(seed=3, today=NOW)
    meta, google = MetaAdsEmulator(market), GoogleDataManagerEmulator(market)
    with use_sandbox_emulator("meta_ads", meta), \
            use_sandbox_emulator("google_data_manager", google):
        yield google, meta


def push(**kw):
    from prefect import flow

    from tasks.push_conversions import push_offline_conversions

    @flow(name="push-offline-conversions-test")
    def run(dry_run: bool = False):
        return push_offline_conversions(current(), period_start=START, period_end=END,
                                        dry_run=dry_run)

    return run(**kw)


def ledger():
    engine = store.create_store_engine(current().store_url)
    try:
        return store.list_uploads(engine)
    finally:
        engine.dispose()


def counts(google, meta):
    return (len(google.ingest_log.received_events), len(google.ingest_log.counted_events),
            len(meta.capi.received_events), len(meta.capi.counted_events))


def test_first_push_sends_each_conversion_once_and_a_rerun_sends_nothing(sandbox):
    google, meta = sandbox
    first = push()
    g, m = first.destinations["google_data_manager"], first.destinations["meta_capi"]
    assert first.ok and not first.dry_run and first.conversions == 6  # no lead, no D-8 (too early)
    assert (g.planned, g.already_sent, g.sent, len(g.rejected)) == (5, 0, 5, 0)
    assert (m.planned, m.already_sent, m.sent, len(m.rejected)) == (4, 0, 4, 0)
    assert {s.conversion_id: s.reason for s in g.skipped} == {
        "offline_conversions:D-6": "no identifier Google can use (gclid, email or phone)"}
    assert set(s.conversion_id for s in m.skipped) == {"offline_conversions:D-5",
                                                       "offline_conversions:D-6"}
    assert counts(google, meta) == (5, 5, 4, 4)
    got = {e.transaction_id: e for e in google.ingest_log.counted_events}
    assert set(got) == GOOGLE
    assert {e.product_destination_id for e in got.values()} == {
        SANDBOX_GOOGLE_CONVERSION_ACTION_ID}
    assert got["D-1"].gclid == "Cj0-1"  # the person's click before the deal
    assert got["D-5"].gclid == "Cj0-5"  # the deal's own click id
    assert ("emailAddress", hashlib.sha256(b"ada@example.com").hexdigest()) in (
        got["D-1"].identifiers)
    assert got["D-1"].conversion_value == 1200.0 and got["D-1"].currency == "EUR"
    events = {e.event_id: e for e in meta.capi.counted_events}
    assert set(events) == META
    assert {e.pixel_id for e in events.values()} == {SANDBOX_META_PIXEL_ID}
    assert events["D-2"].user_data["fbc"] == f"fb.1.{int(FB2_CLICK.timestamp() * 1000)}.fb-2"
    assert events["D-2"].user_data["em"] == [hashlib.sha256(b"bob.smith@example.org").hexdigest()]
    assert "ph" in events["S-4"].user_data  # found through the GA client id's person
    rows = ledger()
    assert len(rows) == 9 and {r.status for r in rows} == {"sent"}
    assert all(r.request_id for r in rows)

    second = push()
    g2, m2 = second.destinations["google_data_manager"], second.destinations["meta_capi"]
    assert second.ok
    assert (g2.planned, g2.already_sent, g2.sent) == (5, 5, 0)
    assert (m2.planned, m2.already_sent, m2.sent) == (4, 4, 0)
    assert counts(google, meta) == (5, 5, 4, 4)  # the platforms received nothing more
    assert len(ledger()) == 9


def test_a_crash_after_the_platform_accepted_resends_the_same_ids_counted_once(
    sandbox, monkeypatch
):
    import tasks.push_conversions as push_module

    google, meta = sandbox

    def crash(*args, **kwargs):
        raise store.StoreUnavailableError("store sqlite:///... failed: disk I/O error")

    with monkeypatch.context() as patch:  # not monkeypatch.undo(): it drops the env too
        patch.setattr(push_module, "mark_sent", crash)
        broken = push()
    assert not broken.ok
    assert all("the next run re-sends it with the same ids" in e for e in broken.errors)
    assert counts(google, meta) == (5, 5, 4, 4)  # accepted by the platforms...
    assert {r.status for r in ledger()} == {"planned"}  # ...but never marked sent

    rerun = push()
    assert rerun.ok
    assert rerun.destinations["google_data_manager"].sent == 5
    assert rerun.destinations["meta_capi"].sent == 4
    assert counts(google, meta) == (10, 5, 8, 4)  # received twice, counted once
    assert sorted(e.transaction_id for e in google.ingest_log.received_events) == sorted(
        2 * list(GOOGLE))
    assert sorted(e.event_id for e in meta.capi.received_events) == sorted(2 * list(META))
    assert {r.status for r in ledger()} == {"sent"}


def test_a_failing_destination_does_not_lose_the_others_work(sandbox, monkeypatch):
    from connectors.errors import ServerError
    from connectors.meta_ads import MetaAdsConnector

    google, meta = sandbox

    def down(self, *args, **kwargs):
        raise ServerError("HTTP 503: service unavailable", platform="meta_ads",
                          endpoint=f"/v26.0/{SANDBOX_META_PIXEL_ID}/events", status=503)

    with monkeypatch.context() as patch:
        patch.setattr(MetaAdsConnector, "send_conversions", down)
        summary = push()
    assert not summary.ok
    [error] = summary.errors
    assert error.startswith("meta_capi: sending batch 1 to sandbox Meta Conversions API pixel")
    assert "ServerError" in error and "503" in error
    assert summary.destinations["google_data_manager"].sent == 5
    assert counts(google, meta) == (5, 5, 0, 0)
    statuses = {(r.destination, r.status) for r in ledger()}
    assert statuses == {("google_data_manager", "sent"), ("meta_capi", "planned")}
    with pytest.raises(Exception, match="meta_capi: sending batch 1"):
        summary.raise_for_errors()

    later = push()
    assert later.ok and later.destinations["meta_capi"].sent == 4
    assert later.destinations["google_data_manager"].already_sent == 5
    assert counts(google, meta) == (5, 5, 4, 4)


def test_a_dry_run_sends_nothing_and_records_nothing(sandbox):
    google, meta = sandbox
    summary = push(dry_run=True)
    assert summary.dry_run and summary.ok
    g, m = summary.destinations["google_data_manager"], summary.destinations["meta_capi"]
    assert (g.planned, g.sent, m.planned, m.sent) == (5, 0, 4, 0)
    assert counts(google, meta) == (0, 0, 0, 0)
    assert ledger() == []


def test_a_refused_batch_is_recorded_rejected_with_the_reason_and_retried_later(
    sandbox, monkeypatch
):
    from connectors.errors import BadRequestError
    from connectors.google_data_manager import GoogleDataManagerConnector

    google, meta = sandbox

    def refuse(self, *args, **kwargs):
        raise BadRequestError("INVALID_ARGUMENT: Request contains an invalid argument.",
                              platform="google_data_manager", endpoint="/v1/events:ingest",
                              status=400)

    with monkeypatch.context() as patch:
        patch.setattr(GoogleDataManagerConnector, "ingest_conversions", refuse)
        summary = push()
    g = summary.destinations["google_data_manager"]
    assert summary.ok and g.sent == 0 and len(g.rejected) == 5
    assert "refused by sandbox Google Data Manager account 5550001001" in g.rejected[0].reason
    rows = {r.status for r in ledger() if r.destination == "google_data_manager"}
    assert rows == {"rejected"}
    assert counts(google, meta) == (0, 0, 4, 4)

    later = push()
    assert later.destinations["google_data_manager"].sent == 5
    assert later.destinations["meta_capi"].already_sent == 4
    assert counts(google, meta) == (5, 5, 4, 4)
