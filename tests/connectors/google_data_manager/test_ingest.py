"""Google Data Manager conversions: formatting and hashing, batching, errors, idempotency."""

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
from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    RateLimitError,
)
from connectors.google_data_manager import (
    Consent,
    ConversionEvent,
    Destination,
    GoogleDataManagerConnector,
    GoogleDataManagerSettings,
)
from connectors.google_data_manager.formatting import google_email, google_phone, sha256_hex
from connectors.meta_ads.conversions_api import meta_email, meta_phone
from emulators.faults import FaultConfig
from emulators.google_ads.auth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from emulators.google_data_manager import GoogleDataManagerEmulator
from emulators.market import Market
from tests.connectors.fakes import FakeClock

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
DEST = Destination(account_id="555-000-1001", conversion_action_id="777")


def make(
    faults: FaultConfig | None = None, **settings: Any
) -> tuple[GoogleDataManagerConnector, GoogleDataManagerEmulator]:
    clock = FakeClock(NOW)
    emulator = GoogleDataManagerEmulator(Market(seed=2, clock=clock), faults)
    base: dict[str, Any] = {"client_id": CLIENT_ID, "client_secret": SecretStr(CLIENT_SECRET),
                            "refresh_token": SecretStr(REFRESH_TOKEN),
                            "requests_per_second": 1000}
    connector = GoogleDataManagerConnector(
        GoogleDataManagerSettings(**{**base, **settings}),
        transport=emulator.transport(), recorder=CallRecorder(), sleep=clock.sleep, clock=clock,
    )
    return connector, emulator


def sale(n: int, **over: Any) -> ConversionEvent:
    base: dict[str, Any] = {"transaction_id": f"T-{n}", "occurred_at": NOW - timedelta(days=2),
                            "email": f" Person.{n}+crm@GMail.com ", "value": Decimal("120.00"),
                            "currency": "eur"}
    return ConversionEvent(**{**base, **over})


# ---------------------------------------------------------------- golden vectors

@pytest.mark.parametrize(("raw", "normal"), [
    (" John.Doe+ads@Gmail.com ", "johndoe@gmail.com"),
    ("j.o.h.n@googlemail.com", "john@googlemail.com"),
    ("John.Doe+ads@example.com", "john.doe+ads@example.com"),  # other domains untouched
    ("Jo hn@Example.com", "john@example.com"),  # Google strips all whitespace
    ("\u00a0Zoë@Exämple.DE\u2003", "zoë@exämple.de"),
    ("Zoe\u0308@example.de", "zoë@example.de"),  # NFC
    ("+only@gmail.com", None),
    ("no-at.example.com", None),
])
def test_email_golden_vectors(raw: str, normal: str | None):
    assert google_email(raw) == normal


@pytest.mark.parametrize(("raw", "country", "normal"), [
    ("+1 (650) 253-1234", None, "+16502531234"),
    ("001 650 253 1234", None, "+16502531234"),
    ("030 1234567", "49", "+49301234567"),
    ("\uff0b44 20 7946 0958", None, "+442079460958"),
    ("555", None, None),
])
def test_phone_golden_vectors(raw: str, country: str | None, normal: str | None):
    assert google_phone(raw, country) == normal


def test_hash_golden_vectors_and_they_differ_from_meta():
    assert sha256_hex(google_phone("+1 650-253-1234") or "") == (
        "e101d1333c2310c83a1f96c4e0c12aa18b151ee0baaa2db3998ee3797d74b685")
    assert sha256_hex(google_email("John.Doe+ads@gmail.com") or "") == (
        "06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3")
    assert google_email("John.Doe+ads@gmail.com") != meta_email("John.Doe+ads@gmail.com")
    assert google_phone("+16502531234") == "+" + (meta_phone("+16502531234") or "")


@given(st.emails())
def test_google_email_is_idempotent_and_lowercase(email: str):
    once = google_email(email.upper())
    assert once is not None and google_email(once) == once and once == once.lower()
    local, _, domain = once.partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        assert "." not in local and "+" not in local


@given(st.from_regex(r"\+[1-9][0-9]{7,13}", fullmatch=True),
       st.sampled_from([" ", "-", ".", "(", ")", ""]))
def test_phone_separators_never_change_the_number(e164: str, sep: str):
    assert google_phone("+" + sep.join(e164[1:])) == e164


# ---------------------------------------------------------------- sends

def test_ingest_formats_hashes_and_google_counts_them():
    c, emu = make()
    result = c.ingest_conversions(DEST, [
        sale(1, phone="+1 650 253 1234", gclid="Cj0KCQiA", consent=Consent(True, False)),
    ], consent=Consent(True, True))
    assert (result.sent, result.requests, result.rejected) == (1, 1, [])
    assert len(result.request_ids) == 1
    (got,) = emu.ingest_log.counted_events
    assert (got.account_id, got.product_destination_id, got.transaction_id) == (
        "5550001001", "777", "T-1")
    assert got.identifiers == (
        ("emailAddress", hashlib.sha256(b"person1@gmail.com").hexdigest()),
        ("phoneNumber", hashlib.sha256(b"+16502531234").hexdigest()))
    assert got.gclid == "Cj0KCQiA" and (got.conversion_value, got.currency) == (120.0, "EUR")
    assert got.event_timestamp == "2026-11-18T12:00:00Z"
    assert got.consent == {"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_DENIED"}


def test_4500_events_go_in_three_batches_of_at_most_2000():
    c, emu = make()
    result = c.ingest_conversions(DEST, [sale(n) for n in range(4500)])
    assert (result.sent, result.requests) == (4500, 3)
    assert len(emu.request_log) == 4  # one token grant + three ingests
    assert len(emu.ingest_log.counted_events) == 4500


def test_rerunning_an_upload_counts_nothing_twice():
    c, emu = make()
    events = [sale(n) for n in range(5)]
    c.ingest_conversions(DEST, events)
    c.ingest_conversions(DEST, events)
    assert len(emu.ingest_log.received_events) == 10
    assert len(emu.ingest_log.counted_events) == 5


def test_validate_only_sends_but_ingests_nothing():
    c, emu = make()
    result = c.ingest_conversions(DEST, [sale(1)], validate_only=True)
    assert result.validate_only and result.requests == 1 and emu.ingest_log.received_events == []


def test_unsendable_events_are_set_aside_with_reasons():
    c, emu = make()
    result = c.ingest_conversions(DEST, [
        sale(1), sale(2, occurred_at=NOW + timedelta(hours=1)), sale(3, email="nope"),
        sale(4, currency=None), sale(5, transaction_id=" "),
    ])
    reasons = {r.transaction_id: r.reason for r in result.rejected}
    assert set(reasons) == {"T-2", "T-3", "T-4", " "}
    assert "future" in reasons["T-2"] and "identifier" in reasons["T-3"]
    assert "currency" in reasons["T-4"] and "transaction_id" in reasons[" "]
    assert [e.transaction_id for e in emu.ingest_log.counted_events] == ["T-1"]


def test_bad_ids_and_batch_size_are_configuration_errors():
    c, emu = make()
    with pytest.raises(ConfigurationError):
        c.ingest_conversions(Destination("acme", "777"), [sale(1)])
    with pytest.raises(ConfigurationError):
        c.ingest_conversions(DEST, [sale(1)], batch_size=2001)
    assert emu.request_log == []


def test_google_refusal_is_a_bad_request_naming_the_field():
    c, _ = make()
    bad_dest = Destination("5550001001", "777", login_account_id="1")
    # An event Google refuses though it passes local checks: a negative value.
    with pytest.raises(BadRequestError) as info:
        c.ingest_conversions(bad_dest, [sale(1, value=Decimal("-5"))])
    assert "INVALID_ARGUMENT" in str(info.value) and "events[0].conversionValue" in str(
        info.value)
    assert not info.value.retryable


def test_wrong_refresh_token_is_an_authentication_error():
    c, emu = make(refresh_token=SecretStr("1//stolen"))
    with pytest.raises(AuthenticationError):
        c.ingest_conversions(DEST, [sale(1)])
    assert emu.ingest_log.received_events == []


def test_expired_access_token_is_refreshed_once_and_the_send_succeeds():
    form = {"grant_type": "refresh_token", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
    issuer = GoogleDataManagerEmulator(Market(seed=2, clock=FakeClock(NOW)))
    old, _ = issuer.tokens.grant(form, NOW - timedelta(hours=2))  # expired an hour ago
    clock = FakeClock(NOW)
    emu = GoogleDataManagerEmulator(Market(seed=2, clock=clock), tokens=issuer.tokens)
    c = GoogleDataManagerConnector(
        GoogleDataManagerSettings(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET),
                                  refresh_token=SecretStr(REFRESH_TOKEN),
                                  access_token=SecretStr(old), requests_per_second=1000),
        transport=emu.transport(), recorder=CallRecorder(), sleep=clock.sleep, clock=clock)
    result = c.ingest_conversions(DEST, [sale(1)])
    assert result.requests == 1 and len(emu.ingest_log.counted_events) == 1
    assert [r.status for r in emu.request_log] == [401, 200, 200]  # refused, grant, ingest


@pytest.mark.parametrize("kind", ["http_500", "http_503", "http_429"])
def test_transient_failures_are_retried_and_land_once(kind: str):
    c, emu = make(FaultConfig(rate=1.0, kinds=(kind,), max_faults=1))
    assert c.ingest_conversions(DEST, [sale(1)]).requests == 1
    assert len(emu.ingest_log.counted_events) == 1


def test_quota_exhaustion_beyond_retries_is_a_rate_limit_error():
    c, emu = make(FaultConfig(rate=1.0, kinds=("http_429",)))
    with pytest.raises(RateLimitError):
        c.ingest_conversions(DEST, [sale(1)])
    assert emu.ingest_log.received_events == []
