"""sync_leads and update_lifecycle_stages on a real Prefect server against the HubSpot sandbox.

The CRM is an in-process HubSpot emulator over a seeded market and population; what the flows
wrote is read from its mutation log and its records, and the runs from the Prefect API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from emulators.hubspot import hubspot
from emulators.market import Market
from emulators.population import Population
from resources.sandbox import use_sandbox_emulator

pytestmark = pytest.mark.xdist_group("prefect-flows")

NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def crm(tmp_path, monkeypatch, prefect_server):
    """A fresh warehouse and an in-process HubSpot sandbox the flows talk to."""
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / "data"))
    for key in list(__import__("os").environ):
        if key.startswith("CAMPAIGN_OPS_SANDBOX_URL_"):
            monkeypatch.delenv(key)
    market = Market(seed=5, today=NOW, platforms=("meta_ads", "google_ads", "linkedin_ads"))
    emulator = hubspot(market=market, population=Population(market, size=400))
    with use_sandbox_emulator("hubspot", emulator):
        yield emulator


def _contact(emulator, email: str) -> dict:
    from emulators.hubspot.crm import CONTACTS

    cid = emulator.crm.contact_by_email(email)
    assert cid is not None, email
    return dict(emulator.crm.properties(CONTACTS, cid))


def test_a_new_web_lead_is_created_once_and_a_rerun_changes_nothing(crm):
    from flows.sync_leads import sync_leads
    from marketing.leads import Lead

    lead = Lead(email="  New.Person@Example.org ", first_name="New", phone="030 1234567",
                gclid="gclid-test-1", utm_source="google", source="web_form",
                marketing_consent=True)
    first = sync_leads(lead=lead, default_country_code="49")
    assert (first.action, first.stage_after) == ("create", "lead")
    props = _contact(crm, "new.person@example.org")
    assert props["phone"] == "+49301234567" and props["gclid"] == "gclid-test-1"
    assert props["lifecyclestage"] == "lead" and props["marketing_consent"] == "true"
    writes = len(crm.mutation_log)
    assert writes > 0

    again = sync_leads(lead=lead, default_country_code="49")
    assert again.action == "unchanged" and again.crm_contact_id == first.crm_contact_id
    assert len(crm.mutation_log) == writes  # nothing written twice


def test_an_existing_contact_keeps_its_stage_and_first_touch(crm):
    from flows.sync_leads import sync_leads
    from marketing.leads import Lead

    now = crm.market.now()
    person = next(p for p in crm.population.visible(now)
                  if p.lifecycle_stage(now) == "customer")
    before = _contact(crm, person.email)
    result = sync_leads(lead=Lead(email=person.email.upper(), last_name="Renamed",
                                  utm_source="linkedin", source="web_form"))
    assert result.action == "update" and result.stage_after == "customer"
    after = _contact(crm, person.email)
    assert after["lastname"] == "Renamed" and after["lifecyclestage"] == "customer"
    assert after["utm_source"] == (before.get("utm_source") or "linkedin")  # first touch kept
    changed = {m.field for m in crm.mutation_log}
    assert "lifecyclestage" not in changed and "lastname" in changed


def test_a_lead_the_crm_announced_by_id_moves_to_lead(crm):
    from flows.sync_leads import sync_leads
    from marketing.leads import Lead

    now = crm.market.now()
    person = next(p for p in crm.population.visible(now)
                  if p.lifecycle_stage(now) == "subscriber")
    contact_id = str(crm.crm.contact_by_email(person.email))
    result = sync_leads(lead=Lead(crm_contact_id=contact_id, source="hubspot"))
    assert (result.stage_before, result.stage_after) == ("subscriber", "lead")
    assert _contact(crm, person.email)["lifecyclestage"] == "lead"


def test_a_bad_lead_fails_the_run_with_the_field_named_and_writes_nothing(crm):
    from prefect.client.orchestration import get_client

    from flows.sync_leads import LeadRejected, sync_leads
    from marketing.leads import Lead

    state = sync_leads(lead=Lead(email="x@example.com", phone="12"), return_state=True)
    assert state.is_failed()
    with pytest.raises(LeadRejected, match=r"phone '12' .*nothing was written"):
        state.result()
    unknown = sync_leads(lead=Lead(crm_contact_id="999999999"), return_state=True)
    with pytest.raises(LeadRejected, match="999999999 does not exist"):
        unknown.result()
    assert crm.mutation_log == []
    with get_client(sync_client=True) as client:
        assert state.state_details.flow_run_id is not None
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.state is not None and run.state.is_failed()


def test_lifecycle_moves_contacts_forward_from_warehouse_facts(crm, tmp_path):
    from flows.extract_sources import extract_sources
    from flows.lifecycle import TooManyStageChanges, update_lifecycle_stages

    extract_sources(platforms=["hubspot"])
    # Leads the CRM still holds as subscribers (a person moved them back, or an import)
    # and customers marked as leads: the flow moves them forward, never back.
    now = crm.market.now()
    people = list(crm.population.visible(now))
    # customers by a deal the CRM itself closed (orders would come from the shop extract)
    won = [p for p in people if any(c.kind == "deal" for c in p.visible_conversions(now))][:5]
    assert len(won) == 5
    from connectors.hubspot import ContactUpsert
    from resources.environment import current

    connector: Any = current().connector("hubspot")
    portal = connector.list_accounts()[0]
    connector.upsert_contacts(portal, [ContactUpsert(p.email, {"lifecyclestage": "lead"})
                                       for p in won])
    with pytest.raises(TooManyStageChanges, match="nothing written"):
        update_lifecycle_stages(max_changes=1)
    writes = len(crm.mutation_log)
    dry = update_lifecycle_stages(dry_run=True)
    assert len(crm.mutation_log) == writes and dry.planned >= 5
    result = update_lifecycle_stages()
    assert result.written == result.planned == result.confirmed == dry.planned
    assert result.moves.get("lead -> customer", 0) >= 5
    for p in won:
        assert _contact(crm, p.email)["lifecyclestage"] == "customer"
    stages = [m for m in crm.mutation_log[writes:] if m.field == "lifecyclestage"]
    order = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
             "opportunity", "customer", "evangelist")
    assert stages and all(order.index(m.after) > order.index(m.before or "subscriber")
                          for m in stages if m.before)
    assert update_lifecycle_stages().planned == 0  # nothing left to move
