"""Planning offline-conversion uploads: who goes where, under which ids, and what is skipped."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.google_data_manager import ConversionEvent
from connectors.google_data_manager.destination import RULES as GOOGLE
from connectors.google_data_manager.destination import conversion_event
from connectors.meta_ads.capi_destination import RULES as META
from connectors.meta_ads.capi_destination import capi_event
from connectors.meta_ads.conversions_api import CapiEvent
from marketing.conversion_uploads import (
    OfflineConversion,
    event_id_for,
    idempotency_key,
    plan_uploads,
)

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
BOTH = [GOOGLE, META]


def conv(n: int = 1, **over: Any) -> OfflineConversion:
    base: dict[str, Any] = {
        "conversion_id": f"offline_conversions:D-{n}", "kind": "deal",
        "occurred_at": NOW - timedelta(days=1), "value": Decimal("1200.00"), "currency": "eur",
        "email": f"person{n}@example.com", "phone": "+49 30 1234567",
    }
    return OfflineConversion(**{**base, **over})


def reasons(plan, destination: str) -> dict[str, str]:
    return {s.conversion_id: s.reason for s in plan.skipped_for(destination)}


def test_a_deal_with_an_email_goes_to_both_destinations_with_its_native_id():
    plan = plan_uploads([conv(1, gclid="Cj0-g1", fbclid="fb-1",
                              fbclid_clicked_at=NOW - timedelta(days=3))], BOTH, now=NOW)
    google, = plan.for_destination("google_data_manager")
    meta, = plan.for_destination("meta_capi")
    assert google.event_id == meta.event_id == "D-1"
    google_event, meta_event = conversion_event(google), capi_event(meta)
    assert isinstance(google_event, ConversionEvent) and isinstance(meta_event, CapiEvent)
    assert google_event.transaction_id == "D-1" and google_event.gclid == "Cj0-g1"
    assert google_event.currency == "EUR" and google_event.value == Decimal("1200.00")
    assert meta_event.event_id == "D-1" and meta_event.event_name == "Purchase"
    assert meta_event.fbclid == "fb-1" and meta_event.clicked_at == NOW - timedelta(days=3)
    assert meta_event.action_source == "system_generated"
    assert google.idempotency_key == hashlib.sha256(
        b"google_data_manager\noffline_conversions:D-1").hexdigest()
    assert google.idempotency_key != meta.idempotency_key
    assert plan.skipped == ()


def test_a_store_sale_is_a_physical_store_purchase_for_meta():
    plan = plan_uploads([conv(1, kind="store_sale")], [META], now=NOW)
    [item] = plan.items
    assert capi_event(item).action_source == "physical_store"


def test_only_offline_kinds_go_by_default():
    plan = plan_uploads([conv(1, kind="lead"), conv(2, kind="order"), conv(3)], BOTH, now=NOW)
    assert {i.conversion_id for i in plan.items} == {"offline_conversions:D-3"}
    assert "is not uploaded" in reasons(plan, "meta_capi")["offline_conversions:D-1"]
    wider = plan_uploads([conv(2, kind="order")], BOTH, now=NOW, kinds={"order"})
    assert len(wider.items) == 2


def test_without_any_identifier_nothing_goes_and_each_destination_says_why():
    plan = plan_uploads([conv(1, email=None, phone="12")], BOTH, now=NOW)
    assert plan.items == ()
    assert reasons(plan, "google_data_manager")["offline_conversions:D-1"] == (
        "no identifier Google can use (gclid, email or phone)")
    assert reasons(plan, "meta_capi")["offline_conversions:D-1"] == (
        "no identifier Meta can use (email, phone or fbclid)")


def test_a_click_id_alone_is_enough_for_its_own_platform_only():
    plan = plan_uploads([conv(1, email=None, phone=None, gclid="Cj0-g"),
                         conv(2, email=None, phone=None, fbclid="fb-2")], BOTH, now=NOW)
    assert [i.conversion_id for i in plan.for_destination("google_data_manager")] == [
        "offline_conversions:D-1"]
    assert [i.conversion_id for i in plan.for_destination("meta_capi")] == [
        "offline_conversions:D-2"]


def test_meta_refuses_older_than_seven_days_google_older_than_ninety():
    plan = plan_uploads([conv(1, occurred_at=NOW - timedelta(days=8)),
                         conv(2, occurred_at=NOW - timedelta(days=91))], BOTH, now=NOW)
    assert [i.conversion_id for i in plan.for_destination("google_data_manager")] == [
        "offline_conversions:D-1"]
    assert plan.for_destination("meta_capi") == []
    assert "older than Meta's 7-day" in reasons(plan, "meta_capi")["offline_conversions:D-1"]
    assert "90-day" in reasons(plan, "google_data_manager")["offline_conversions:D-2"]


def test_future_times_values_without_currency_and_negative_values_are_skipped():
    plan = plan_uploads([conv(1, occurred_at=NOW + timedelta(hours=1)),
                         conv(2, currency=None), conv(3, value=Decimal("-5"))],
                        [GOOGLE], now=NOW)
    got = reasons(plan, "google_data_manager")
    assert "in the future" in got["offline_conversions:D-1"]
    assert got["offline_conversions:D-2"] == "value without a currency"
    assert got["offline_conversions:D-3"] == "negative value -5"
    assert plan.items == ()


def test_one_deal_from_the_crm_and_the_offline_export_goes_once():
    crm = conv(1, conversion_id="hubspot:9001", person_key="em:abc")
    export = conv(1, conversion_id="offline_conversions:X-9", person_key="em:abc",
                  occurred_at=crm.occurred_at + timedelta(hours=2))
    plan = plan_uploads([export, crm], [META], now=NOW)
    assert [i.conversion_id for i in plan.items] == ["hubspot:9001"]
    assert reasons(plan, "meta_capi")["offline_conversions:X-9"].startswith(
        "duplicate of hubspot:9001")
    # Once the export's copy went out, it stays the one sent (its ids are the platforms').
    again = plan_uploads([export, crm], [META], now=NOW,
                         recorded={"offline_conversions:X-9"})
    assert [i.conversion_id for i in again.items] == ["offline_conversions:X-9"]


def test_two_sources_sharing_a_native_id_never_send_under_one_id():
    plan = plan_uploads([conv(1, conversion_id="hubspot:77", email="a@example.com"),
                         conv(2, conversion_id="offline_conversions:77", email="b@example.com")],
                        [GOOGLE], now=NOW)
    assert [i.conversion_id for i in plan.items] == ["hubspot:77"]
    assert "already hubspot:77's" in reasons(plan, "google_data_manager")[
        "offline_conversions:77"]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="given twice: meta_capi"):
        plan_uploads([], [META, GOOGLE, META], now=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_uploads([], BOTH, now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        conv(1, occurred_at=datetime(2026, 1, 1))


def test_event_ids_are_the_native_ids():
    assert event_id_for("offline_conversions:D-1") == "D-1"
    assert event_id_for("hubspot:a:b") == "a:b"
    assert event_id_for("plain") == "plain"


ids = st.text(alphabet="abcdefXYZ0123456789-_", min_size=1, max_size=12)
rows = st.lists(
    st.builds(
        lambda i, days, email, gclid, fbclid, value: conv(
            0, conversion_id=f"offline_conversions:{i}",
            occurred_at=NOW - timedelta(days=days), email=email, phone=None,
            gclid=gclid, fbclid=fbclid, value=value),
        ids, st.integers(0, 120),
        st.sampled_from([None, "x@example.com", "not-an-email", " Y@Example.COM "]),
        st.sampled_from([None, "Cj0-a", " "]), st.sampled_from([None, "fb-a"]),
        st.sampled_from([None, Decimal("0"), Decimal("10.5")])),
    max_size=15, unique_by=lambda c: c.conversion_id)


@settings(max_examples=60, deadline=None)
@given(rows)
def test_every_conversion_is_planned_or_skipped_once_per_destination_with_stable_ids(convs):
    plan = plan_uploads(convs, BOTH, now=NOW)
    again = plan_uploads(list(reversed(convs)), BOTH, now=NOW)
    assert plan == again  # order of the input does not matter; ids are deterministic
    for destination in ("google_data_manager", "meta_capi"):
        planned = [i.conversion_id for i in plan.for_destination(destination)]
        skipped = [s.conversion_id for s in plan.skipped_for(destination)]
        assert sorted(planned + skipped) == sorted(c.conversion_id for c in convs)
        keys = [i.idempotency_key for i in plan.for_destination(destination)]
        assert len(set(keys)) == len(keys)
        for item in plan.for_destination(destination):
            assert item.idempotency_key == idempotency_key(destination, item.conversion_id)
            assert item.event_id == event_id_for(item.conversion_id)
    for item in plan.for_destination("meta_capi"):
        assert NOW - capi_event(item).event_time <= timedelta(days=7)
