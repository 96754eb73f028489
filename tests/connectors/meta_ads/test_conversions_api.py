"""Meta Conversions API sends: normalisation and hashing, batching, errors, deduplication."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.errors import AuthenticationError, BadRequestError, ConfigurationError
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.meta_ads.conversions_api import (
    CapiEvent,
    fbc_from_fbclid,
    meta_email,
    meta_phone,
    sha256_hex,
)
from emulators.faults import FaultConfig
from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator
from emulators.meta_ads.auth import SANDBOX_TOKEN
from tests.connectors.fakes import FakeClock

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PIXEL = "987654321"


def make(
    token: str = SANDBOX_TOKEN, faults: FaultConfig | None = None
) -> tuple[MetaAdsConnector, MetaAdsEmulator]:
    clock = FakeClock(NOW)
    emulator = MetaAdsEmulator(Market(seed=2, clock=clock), faults)
    connector = MetaAdsConnector(
        MetaAdsSettings(access_token=SecretStr(token), requests_per_second=1000),
        transport=emulator.transport(), recorder=CallRecorder(), sleep=clock.sleep, clock=clock,
    )
    return connector, emulator


def purchase(n: int, **over: Any) -> CapiEvent:
    base: dict[str, Any] = {
        "event_name": "Purchase", "event_time": NOW - timedelta(hours=2), "event_id": f"o-{n}",
        "email": f"  Person{n}@Example.COM ", "value": Decimal("49.90"), "currency": "eur",
    }
    return CapiEvent(**{**base, **over})


# ---------------------------------------------------------------- golden vectors

@pytest.mark.parametrize(("raw", "normal"), [
    ("  John.Doe+ads@Gmail.com ", "john.doe+ads@gmail.com"),  # Meta: no gmail rule
    ("ADA@EXAMPLE.COM", "ada@example.com"),
    ("\u00a0\u2003zoë@exämple.de\t", "zoë@exämple.de"),  # Unicode spaces trimmed, NFC kept
    ("Zoe\u0308@example.de", "zoë@example.de"),  # decomposed umlaut composed (NFC)
    ("no-at-sign.example.com", None),
    ("two words@example.com", None),
    ("", None),
])
def test_email_golden_vectors(raw: str, normal: str | None):
    assert meta_email(raw) == normal


def test_email_hash_golden_vector():
    # sha256("john.doe+ads@gmail.com"), computed independently of the connector.
    assert sha256_hex(meta_email(" John.Doe+ads@Gmail.com") or "") == hashlib.sha256(
        b"john.doe+ads@gmail.com").hexdigest()
    assert sha256_hex("ada@example.com") == (
        "b5fc85e55755f9e0d030a10ab4429b6b2944855f9a0d60077fe832becbc41d72")
    assert sha256_hex(meta_phone("+1 (650) 253-1234") or "") == (
        "bd7b52a0fffc6680469135b69d575132a985a745c9c5bb754c0a00b4cd0c73fe")


@pytest.mark.parametrize(("raw", "country", "normal"), [
    ("+1 (650) 253-1234", None, "16502531234"),
    ("001-650-253-1234", None, "16502531234"),
    ("16502531234", None, "16502531234"),
    ("030 1234567", "49", "49301234567"),  # national trunk zero dropped
    ("(030) 123-4567", "+49", "49301234567"),
    ("+49 (0)30 1234567", None, "490301234567"),  # as written: only leading zeros go
    ("\uff0b\uff14\uff14 20 7946 0958", None, "442079460958"),  # full-width digits (NFKC)
    ("12", None, None),
    ("", None, None),
])
def test_phone_golden_vectors(raw: str, country: str | None, normal: str | None):
    assert meta_phone(raw, country) == normal


def test_fbc_is_built_from_the_click_id_and_click_time():
    clicked = datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    assert fbc_from_fbclid("IwAR0abc", clicked) == "fb.1.1795077000000.IwAR0abc"


@given(st.emails())
def test_any_valid_email_normalises_idempotently_and_hashes_to_64_hex(email: str):
    once = meta_email(f"  {email.upper()} ")
    assert once is not None and once == meta_email(once) and once == once.strip().lower()
    digest = sha256_hex(once)
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


@given(st.from_regex(r"\+[1-9][0-9]{7,13}", fullmatch=True),
       st.sampled_from([" ", "-", ".", "(", ")", ""]))
def test_phone_separators_never_change_the_number(e164: str, sep: str):
    spaced = "+" + sep.join(e164[1:])
    assert meta_phone(spaced) == meta_phone(e164) == e164[1:]


# ---------------------------------------------------------------- sends

def test_send_hashes_identifiers_and_meta_receives_them():
    c, emu = make()
    result = c.send_conversions(PIXEL, [
        purchase(1, phone="+1 650 253 1234", fbclid="IwAR0xyz",
                 clicked_at=NOW - timedelta(days=1)),
    ])
    assert (result.sent, result.received, result.requests, result.rejected) == (1, 1, 1, [])
    (got,) = emu.capi.counted_events
    assert got.pixel_id == PIXEL and got.event_id == "o-1" and got.event_name == "Purchase"
    assert got.user_data["em"] == [hashlib.sha256(b"person1@example.com").hexdigest()]
    assert got.user_data["ph"] == [hashlib.sha256(b"16502531234").hexdigest()]
    clicked_ms = int((NOW - timedelta(days=1)).timestamp()) * 1000
    assert got.user_data["fbc"] == f"fb.1.{clicked_ms}.IwAR0xyz"
    assert got.custom_data == {"value": 49.9, "currency": "EUR"}
    assert got.event_time == int((NOW - timedelta(hours=2)).timestamp())


def test_2500_events_go_in_three_batches_of_at_most_1000():
    c, emu = make()
    result = c.send_conversions(PIXEL, [purchase(n) for n in range(2500)])
    assert (result.sent, result.received, result.requests) == (2500, 2500, 3)
    posts = [r for r in emu.request_log if r.path.endswith("/events")]
    assert len(posts) == 3 and len(emu.capi.counted_events) == 2500


def test_rerunning_an_upload_counts_nothing_twice():
    c, emu = make()
    events = [purchase(n) for n in range(5)]
    c.send_conversions(PIXEL, events)
    again = c.send_conversions(PIXEL, events)
    assert again.received == 5  # Meta says it received them...
    assert len(emu.capi.received_events) == 10 and len(emu.capi.counted_events) == 5  # ...once


def test_unsendable_events_are_set_aside_with_reasons_and_the_rest_sent():
    c, emu = make()
    result = c.send_conversions(PIXEL, [
        purchase(1),
        purchase(2, event_time=NOW - timedelta(days=8)),
        purchase(3, event_time=NOW + timedelta(hours=1)),
        purchase(4, email="not an email"),
        purchase(5, currency=None),
    ])
    reasons = {r.event_id: r.reason for r in result.rejected}
    assert set(reasons) == {"o-2", "o-3", "o-4", "o-5"}
    assert "older than 7 days" in reasons["o-2"] and "future" in reasons["o-3"]
    assert "no usable identifier" in reasons["o-4"] and "currency" in reasons["o-5"]
    assert result.sent == 1 and [e.event_id for e in emu.capi.counted_events] == ["o-1"]


def test_nothing_to_send_makes_no_request():
    c, emu = make()
    assert c.send_conversions(PIXEL, []).requests == 0 and emu.request_log == []


def test_test_event_code_is_forwarded():
    c, emu = make()
    c.send_conversions(PIXEL, [purchase(1)], test_event_code="TEST42")
    assert emu.capi.received_events[0].test_event_code == "TEST42"
    assert emu.capi.counted_events == []


def test_bad_token_is_an_authentication_error():
    c, emu = make(token="EAAB-not-a-token")
    with pytest.raises(AuthenticationError) as info:
        c.send_conversions(PIXEL, [purchase(1)])
    assert info.value.code == 190 and emu.capi.received_events == []


def test_an_invalid_event_meta_refuses_is_a_bad_request_naming_the_field():
    c, _ = make()
    with pytest.raises(BadRequestError) as info:
        c.send_conversions(PIXEL, [purchase(1, action_source="carrier_pigeon")])
    assert info.value.code == 100 and "data[0].action_source" in str(info.value)
    assert not info.value.retryable


def test_server_errors_are_retried_and_the_events_land_once():
    c, emu = make(faults=FaultConfig(rate=1.0, kinds=("http_500",), max_faults=1))
    result = c.send_conversions(PIXEL, [purchase(1)])
    assert result.received == 1 and len(emu.capi.counted_events) == 1
    assert [r.status for r in emu.request_log] == [500, 200]


def test_bad_pixel_id_or_batch_size_is_a_configuration_error():
    c, _ = make()
    with pytest.raises(ConfigurationError):
        c.send_conversions("pixel-1", [purchase(1)])
    from connectors.meta_ads.conversions_api import send_events
    with pytest.raises(ConfigurationError):
        send_events(c, PIXEL, [purchase(1)], batch_size=1001)
