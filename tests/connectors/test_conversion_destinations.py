"""Every conversion destination against its in-process emulator, through the one interface.

The same neutral planned conversions go to Google Data Manager and to Meta's Conversions API;
each case says how to read its emulator's log, and the assertions are the interface's
contract: what was accepted or rejected (with reasons) is what the platform received, each
event as ``wire_event`` builds it, identifiers formatted and hashed by the platform's own
rules, a re-send counted once, and a refusal or a bad credential raised as connector errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.calllog import CallRecorder
from connectors.conversion_destinations import ConversionDestination, PlannedConversion
from connectors.errors import AuthenticationError, BadRequestError
from connectors.google_data_manager import (
    Destination,
    GoogleDataManagerConnector,
    GoogleDataManagerSettings,
)
from connectors.google_data_manager.destination import GoogleDataManagerDestination
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from connectors.meta_ads.capi_destination import MetaCapiDestination
from emulators.google_ads.auth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from emulators.google_data_manager import GoogleDataManagerEmulator
from emulators.market import Market
from emulators.meta_ads import MetaAdsEmulator
from emulators.meta_ads.auth import SANDBOX_TOKEN
from marketing.conversion_uploads import OfflineConversion, plan_uploads
from tests.connectors.fakes import FakeClock

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CLICKED = NOW - timedelta(days=2)


@dataclass(frozen=True)
class Conversion:
    """A planned conversion with only the fields the interface reads."""

    event_id: str
    kind: str = "deal"
    occurred_at: datetime = NOW - timedelta(days=1)
    value: Decimal | None = Decimal("120.50")
    currency: str | None = "EUR"
    email: str | None = None
    phone: str | None = None
    click_id: str | None = None
    clicked_at: datetime | None = None


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Case:
    """One destination: how to build it on its emulator and how to read what it received."""

    name: str
    build: Callable[[bool], tuple[ConversionDestination, Any]]  # (good credentials?)
    received: Callable[[Any], list[dict[str, Any]]]  # every event, in the order received
    counted: Callable[[Any], list[str]]  # event ids the platform counts
    from_wire: Callable[[dict[str, Any]], dict[str, Any]]  # a wire event, read the same way
    email: str  # what " Ada.Lovelace+crm@GMail.com " becomes before hashing
    phone: str  # what "+49 (30) 1234-567" becomes before hashing
    refused: Conversion  # passes the local checks, the platform refuses it


def _google(good: bool) -> tuple[ConversionDestination, GoogleDataManagerEmulator]:
    clock = FakeClock(NOW)
    emulator = GoogleDataManagerEmulator(Market(seed=2, clock=clock))
    token = REFRESH_TOKEN if good else "1//stolen"
    connector = GoogleDataManagerConnector(
        GoogleDataManagerSettings(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET),
                                  refresh_token=SecretStr(token), requests_per_second=1000),
        transport=emulator.transport(), recorder=CallRecorder(), sleep=clock.sleep, clock=clock)
    return GoogleDataManagerDestination(connector, Destination("555-000-1001", "777")), emulator


def _google_view(wire: dict[str, Any]) -> dict[str, Any]:
    ids = wire.get("userData", {}).get("userIdentifiers", [])
    return {"event_id": wire["transactionId"],
            "email": [i["emailAddress"] for i in ids if "emailAddress" in i],
            "phone": [i["phoneNumber"] for i in ids if "phoneNumber" in i],
            "click": wire.get("adIdentifiers", {}).get("gclid"),
            "value": wire.get("conversionValue"), "currency": wire.get("currency"),
            "time": int(datetime.fromisoformat(wire["eventTimestamp"]).timestamp())}


def _google_received(emulator: GoogleDataManagerEmulator) -> list[dict[str, Any]]:
    return [{"event_id": e.transaction_id,
             "email": [v for k, v in e.identifiers if k == "emailAddress"],
             "phone": [v for k, v in e.identifiers if k == "phoneNumber"],
             "click": e.gclid, "value": e.conversion_value, "currency": e.currency,
             "time": int(datetime.fromisoformat(e.event_timestamp).timestamp())}
            for e in emulator.ingest_log.received_events]


def _meta(
    good: bool, test_event_code: str | None = None
) -> tuple[ConversionDestination, MetaAdsEmulator]:
    clock = FakeClock(NOW)
    emulator = MetaAdsEmulator(Market(seed=2, clock=clock))
    token = SANDBOX_TOKEN if good else "EAAB-not-a-token"
    connector = MetaAdsConnector(
        MetaAdsSettings(access_token=SecretStr(token), requests_per_second=1000),
        transport=emulator.transport(), recorder=CallRecorder(), sleep=clock.sleep, clock=clock)
    destination = MetaCapiDestination(connector, "987654321", test_event_code=test_event_code)
    return destination, emulator


def _meta_view(wire: dict[str, Any]) -> dict[str, Any]:
    user, custom = wire["user_data"], wire.get("custom_data") or {}
    return {"event_id": wire["event_id"], "email": user.get("em", []),
            "phone": user.get("ph", []), "click": user.get("fbc"),
            "value": custom.get("value"), "currency": custom.get("currency"),
            "time": wire["event_time"]}


def _meta_received(emulator: MetaAdsEmulator) -> list[dict[str, Any]]:
    return [_meta_view({"event_id": e.event_id, "user_data": e.user_data,
                        "custom_data": e.custom_data, "event_time": e.event_time})
            for e in emulator.capi.received_events]


CASES = [
    Case("google_data_manager", _google, _google_received,
         lambda emu: [e.transaction_id for e in emu.ingest_log.counted_events], _google_view,
         email="adalovelace@gmail.com", phone="+49301234567",
         refused=Conversion("R-1", email="r@example.com", value=Decimal("-5"))),
    Case("meta_capi", _meta, _meta_received,
         lambda emu: [e.event_id for e in emu.capi.counted_events], _meta_view,
         email="ada.lovelace+crm@gmail.com", phone="49301234567",
         refused=Conversion("R-1", click_id="Iw AR", clicked_at=CLICKED)),
]


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def batch() -> list[Conversion]:
    return [
        Conversion("D-1", email=" Ada.Lovelace+crm@GMail.com ", phone="+49 (30) 1234-567",
                   click_id="click-1", clicked_at=CLICKED),
        Conversion("S-2", kind="store_sale", email="bob@example.org", value=None,
                   currency=None),
        Conversion("D-3", email="not-an-email", phone="12"),  # nothing usable
        Conversion("D-4", email="carla@example.com",
                   occurred_at=NOW + timedelta(hours=1)),  # in the future
    ]


def test_the_destination_sends_what_it_accepts_and_says_why_it_rejects_the_rest(case: Case):
    destination, emulator = case.build(True)
    with destination:
        assert destination.name == destination.rules.name == case.name
        assert destination.now() == NOW
        result = destination.send(batch())
        assert result.accepted == ["D-1", "S-2"] and not result.test
        reasons = {r.event_id: r.reason for r in result.rejected}
        assert set(reasons) == {"D-3", "D-4"}
        assert "identifier" in reasons["D-3"] and "future" in reasons["D-4"]
        assert len(result.request_ids) == 1 and all(result.request_ids)
        received = case.received(emulator)
        assert received == [case.from_wire(destination.wire_event(c)) for c in batch()[:2]]
    first = received[0]
    assert first["email"] == [sha(case.email)] and first["phone"] == [sha(case.phone)]
    assert first["value"] == 120.5 and first["currency"] == "EUR"
    assert first["time"] == int((NOW - timedelta(days=1)).timestamp())
    assert "click-1" in first["click"]
    assert received[1]["value"] is None and received[1]["phone"] == []
    assert case.counted(emulator) == ["D-1", "S-2"]


def test_the_platforms_format_one_person_differently(case: Case):
    # Google drops gmail dots and +suffixes and keeps the phone's +; Meta does neither.
    destination, _ = case.build(True)
    with destination:
        view = case.from_wire(destination.wire_event(batch()[0]))
    assert view["email"] == [sha(case.email)] and view["phone"] == [sha(case.phone)]
    assert destination.rules.email(" Ada.Lovelace+crm@GMail.com ") == case.email
    assert destination.rules.phone("030 1234-567", "49") == case.phone


def test_a_resend_is_received_again_and_counted_once(case: Case):
    destination, emulator = case.build(True)
    with destination:
        destination.send(batch())
        again = destination.send(batch())
    assert again.accepted == ["D-1", "S-2"]
    assert len(case.received(emulator)) == 4 and case.counted(emulator) == ["D-1", "S-2"]


def test_a_batch_larger_than_one_request_goes_in_several(case: Case):
    destination, emulator = case.build(True)
    many = [Conversion(f"D-{n}", email=f"p{n}@example.com")
            for n in range(destination.batch_size + 1)]
    with destination:
        result = destination.send(many)
    assert len(result.accepted) == len(many) and len(result.request_ids) == 2
    assert len(case.counted(emulator)) == len(many)


def test_a_refused_batch_and_a_bad_credential_raise_connector_errors(case: Case):
    destination, emulator = case.build(True)
    with destination, pytest.raises(BadRequestError):
        destination.send([case.refused])
    assert case.counted(emulator) == []
    destination, emulator = case.build(False)
    with destination, pytest.raises(AuthenticationError):
        destination.send(batch())
    assert case.received(emulator) == []


def test_the_planners_uploads_go_as_they_are(case: Case):
    """The planner's neutral uploads are planned conversions: no copy in between."""
    destination, emulator = case.build(True)
    conversions = [OfflineConversion(
        conversion_id="offline_conversions:D-9", kind="deal", occurred_at=NOW - timedelta(days=1),
        value=Decimal("80"), currency="eur", gclid="click-9", fbclid="click-9",
        fbclid_clicked_at=CLICKED, email="dora@example.com")]
    with destination:
        plan = plan_uploads(conversions, [destination.rules], now=destination.now())
        items: list[PlannedConversion] = list(plan.for_destination(case.name))
        result = destination.send(items)
    assert result.accepted == ["D-9"] and case.counted(emulator) == ["D-9"]
    [got] = case.received(emulator)
    assert got["currency"] == "EUR" and "click-9" in got["click"]


def test_test_events_are_flagged_so_they_are_not_recorded_as_sent():
    destination, emulator = _meta(True, test_event_code="TEST42")
    with destination:
        result = destination.send(batch()[:1])
    assert result.test and result.accepted == ["D-1"]
    assert emulator.capi.received_events[0].test_event_code == "TEST42"
    assert emulator.capi.counted_events == []
