"""HubSpot connector behaviour a user notices: re-anchoring, writes, throttles, versions."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.calllog import CallRecorder
from connectors.errors import BadRequestError, ConfigurationError, NotFoundError
from connectors.hubspot import ContactUpsert
from connectors.hubspot.search import SearchPaginator
from connectors.pagination import PageRequest
from connectors.streams import DateWindow
from emulators.quota import QuotaConfig
from tests.connectors.fakes import FakeClock
from tests.connectors.hubspot.contract_target import NOW, hubspot_connector, hubspot_emulator

TODAY = NOW.date()


def _run(size=1_500, **emulator_options):
    clock = FakeClock(NOW)
    emulator = hubspot_emulator(None, size=size, **emulator_options)
    connector = hubspot_connector(emulator, clock, CallRecorder(), None,
                                  search_page_size=200, object_page_size=100)
    return emulator, clock, connector


def test_bulk_import_beyond_the_search_cap_is_read_once_each():
    emulator, _, connector = _run(size=12_000, bulk_import=10_500)
    with connector:
        account = connector.list_accounts()[0]
        window = DateWindow(TODAY - timedelta(days=200), TODAY)
        result = connector.read("contacts", account, window)
    visible = len(emulator.crm.contact_ids)
    ids = [r["contact_id"] for r in result.rows]
    assert len(ids) == len(set(ids)) == visible > 10_500
    bodies = [r for r in emulator.request_log if r.path.endswith("/contacts/search")]
    assert all(r.status == 200 for r in bodies)  # never paged into the 10,000 cap
    assert any("hs_object_id" in r.params.get("filterGroups", "") for r in bodies)
    shared = Counter(r["updated_at"] for r in result.rows).most_common(1)[0][1]
    assert shared >= 10_000  # one instant, more records than one query can reach


def test_naive_paging_hits_the_cap_error():
    _emulator, _, connector = _run(size=12_000, bulk_import=10_500)
    with connector:
        connector.list_accounts()
        body = {"limit": 200, "after": "10000"}
        with pytest.raises(BadRequestError, match=r"VALIDATION_ERROR.*10000"):
            connector.request("POST", "/crm/v3/objects/contacts/search", data=body)


@settings(max_examples=25, deadline=None)
@given(anchor_ms=st.integers(1_700_000_000_000, 1_800_000_000_000),
       anchor_id=st.integers(1, 4_000_000))
def test_reanchored_body_continues_after_the_last_record(anchor_ms, anchor_id):
    pager = SearchPaginator(modified_property="lastmodifieddate", start_ms=0,
                            end_ms=1_900_000_000_000, properties=("email",), limit=200, cap=400)
    iso = f"{anchor_ms}"  # digits are accepted as epoch ms
    page = {"results": [{"id": str(anchor_id), "properties": {"lastmodifieddate": iso}}],
            "paging": {"next": {"after": "400"}}}
    pager.update_state(page)
    request = PageRequest("POST", "/search", data=pager.first_body())
    pager.update_request(request)
    assert request.data is not None
    groups = request.data["filterGroups"]
    eq, gt = groups
    assert {f["operator"]: f["value"] for f in eq["filters"]} == {
        "EQ": str(anchor_ms), "GT": str(anchor_id)}
    assert ("GT", str(anchor_ms)) in [(f["operator"], f["value"]) for f in gt["filters"]]
    assert "after" not in request.data and pager.reanchors == 1


def test_upsert_changes_state_and_appears_in_the_next_incremental_read():
    emulator, clock, connector = _run()
    with connector:
        account = connector.list_accounts()[0]
        people = [emulator.population.person(i) for i in range(0, 300, 2)]
        emails = [p.email for p in people if p.first_seen <= NOW][:120]
        clock.advance(3600)
        emulator.market.clock = lambda: clock()
        done = connector.set_lifecycle_stage(account, [*emails, "new.person@example.com"],
                                             "salesqualifiedlead")
        calls = [r for r in emulator.request_log if r.path.endswith("/batch/upsert")]
        assert len(calls) == 2  # 121 inputs: 100 + 21
        assert [d.created for d in done].count(True) == 1
        changed = {m.entity_id for m in emulator.mutation_log if m.field == "lifecyclestage"}
        assert changed == {d.contact_id for d in done}
        today = connector.read("contacts", account, DateWindow(TODAY, TODAY))
    stages = {r["email"]: r["lifecycle_stage"] for r in today.rows}
    assert all(stages[e] == "salesqualifiedlead" for e in emails)
    assert stages["new.person@example.com"] == "salesqualifiedlead"


def test_bad_upsert_input_sends_nothing_and_says_which():
    emulator, _, connector = _run()
    with connector:
        account = connector.list_accounts()[0]
        before = len(emulator.request_log)
        with pytest.raises(ConfigurationError) as info:
            connector.upsert_contacts(account, [
                ContactUpsert("ok@example.com", {"lifecyclestage": "lead"}),
                ContactUpsert("broken-address", {}),
                ContactUpsert("ok@example.com", {}),
                ContactUpsert("x@example.com", {"lifecyclestage": "hot"}),
            ])
        assert len(emulator.request_log) == before
    text = str(info.value)
    assert "#1: email 'broken-address'" in text and "#2: email ok@example.com repeats" in text
    assert "#3: lifecyclestage 'hot'" in text and "#0:" not in text


def test_unknown_property_is_refused_with_hubspots_message():
    emulator, _, connector = _run()
    with connector:
        account = connector.list_accounts()[0]
        with pytest.raises(BadRequestError, match=r"PROPERTY_DOESNT_EXIST|does not exist"):
            connector.upsert_contacts(account, [ContactUpsert("a@example.com", {"shoe": "42"})])
    assert not emulator.mutation_log


def test_list_add_works_for_manual_lists_only():
    emulator, _, connector = _run()
    with connector:
        account = connector.list_accounts()[0]
        change = connector.add_to_list(account, "1002", ["1", "2", "999999"])
        assert change.missing == ("999999",)
        with pytest.raises(BadRequestError, match="DYNAMIC"):
            connector.add_to_list(account, "1003", ["1"])
    members = emulator.crm.lists["1002"].ids
    assert 1 in members and 2 in members


def test_throttled_calls_wait_and_read_the_same_rows():
    clock = FakeClock(NOW)
    tight = QuotaConfig(account_calls=4, app_calls=1_000_000, user_calls=2, window_seconds=10)
    emulator = hubspot_emulator(None, quota=tight, quota_clock=clock.monotonic)
    connector = hubspot_connector(emulator, clock, CallRecorder(), None,
                                  search_requests_per_second=1000)
    with connector:
        account = connector.list_accounts()[0]
        result = connector.read("deals", account, DateWindow(TODAY - timedelta(days=30), TODAY))
    throttled = [c for c in connector.recorder.calls if c.status == 429]
    assert throttled and result.rows and not result.rejects
    assert sum(clock.sleeps) > 0
    heads = [c.throttle_headroom for c in connector.recorder.calls if c.throttle_headroom
             is not None]
    assert heads and min(heads) < 1


def test_date_version_prefix_is_used_and_unknown_versions_fail_clearly():
    emulator = hubspot_emulator(None)
    clock = FakeClock(NOW)
    current = hubspot_connector(emulator, clock, CallRecorder(), None,
                                objects_prefix="/crm/objects/2026-09")
    with current:
        account = current.list_accounts()[0]
        rows = current.read("companies", account, DateWindow(TODAY - timedelta(days=3), TODAY))
    assert rows.rows
    assert any(r.path.startswith("/crm/objects/2026-09/") for r in emulator.request_log)
    old = hubspot_connector(emulator, clock, CallRecorder(), None,
                            objects_prefix="/crm/objects/2024-09")
    with old, pytest.raises(NotFoundError, match="2024-09"):
        old.read("contacts", account, DateWindow(TODAY, TODAY))


def test_batch_read_by_email_returns_known_contacts_and_skips_unknown_ones():
    emulator, _, connector = _run(size=300)
    with connector:
        account = connector.list_accounts()[0]
        people = [p for p in emulator.population.visible()][:3]
        emails = [p.email.upper() for p in people] + ["nobody@example.com"]
        found = connector.read_contacts(account, emails, ["email", "lifecyclestage", "gclid"])
        assert set(found) == {p.email for p in people}
        first = found[people[0].email]
        assert first.contact_id.isdigit()
        assert set(first.properties) >= {"email", "lifecyclestage", "gclid"}
        assert first.properties["lifecyclestage"] == people[0].lifecycle_stage(
            emulator.market.now())
        by_id = connector.read_contacts(account, [first.contact_id], ["email"],
                                        by="hs_object_id")
        assert by_id[first.contact_id].properties["email"] == people[0].email
        with pytest.raises(BadRequestError, match="PROPERTY_DOESNT_EXIST"):
            connector.read_contacts(account, emails, ["no_such_property"])
    reads = [r for r in emulator.request_log if r.path.endswith("/contacts/batch/read")]
    assert [r.status for r in reads] == [207, 200, 400]
