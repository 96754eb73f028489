"""Lead normalisation, the CRM upsert plan, and lifecycle stage decisions."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from marketing.identity import InvalidIdentifier, normalize_email, normalize_phone, person_key
from marketing.leads import Lead, normalize_lead, plan_contact_upsert
from marketing.lifecycle import STAGES, PersonFacts, ScoringRules, plan_stage_changes

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_identifiers_normalise_to_one_person_key():
    assert normalize_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    assert person_key("ADA@example.com") == person_key(" ada@example.com")
    digest = hashlib.sha256(b"ada@example.com").hexdigest()
    assert person_key("ada@example.com") == "em:" + digest[:16]  # same as core.person_key
    assert normalize_phone("+49 (30) 1234-5678") == "+493012345678"
    assert normalize_phone("0030 1234 5678") == "+3012345678"
    assert normalize_phone("030 1234567", "49") == "+49301234567"
    for bad, match in [("ada@", "email"), ("ada example.com", "email")]:
        with pytest.raises(InvalidIdentifier, match=match):
            normalize_email(bad)
    with pytest.raises(InvalidIdentifier, match="no country code"):
        normalize_phone("030 1234567")
    with pytest.raises(InvalidIdentifier, match="8 to 15 digits"):
        normalize_phone("+49 12ab")


def test_a_new_lead_creates_a_contact_at_stage_lead():
    lead = Lead(email=" Ada@Example.com", first_name="  Ada  ", phone="", gclid="gclid-1",
                source="web_form", marketing_consent=True)
    normalized = normalize_lead(lead, NOW)
    assert normalized.submitted_at == NOW and normalized.marketing_consent
    plan = plan_contact_upsert(normalized, None)
    assert plan.action == "create" and plan.stage_after == "lead"
    assert plan.properties == {"email": "ada@example.com", "firstname": "Ada",
                               "gclid": "gclid-1", "lead_source": "web_form",
                               "marketing_consent": "true", "lifecyclestage": "lead"}


def test_an_existing_contact_keeps_its_first_touch_its_values_and_a_later_stage():
    lead = normalize_lead(Lead(email="ada@example.com", first_name="Ada", last_name="Lovelace",
                               utm_source="linkedin", gclid="gclid-new", source="web_form"), NOW)
    existing = {"email": "ada@example.com", "firstname": "Ada", "lastname": None,
                "utm_source": "google", "gclid": None, "lifecyclestage": "salesqualifiedlead",
                "lead_source": "hubspot"}
    plan = plan_contact_upsert(lead, existing, crm_id="501")
    assert plan.action == "update" and plan.crm_id == "501"
    assert plan.properties == {"lastname": "Lovelace", "gclid": "gclid-new"}
    assert plan.stage_after == "salesqualifiedlead"
    subscriber = dict(existing, lifecyclestage="subscriber", lastname="Lovelace",
                      gclid="gclid-old")
    assert plan_contact_upsert(lead, subscriber).properties == {"lifecyclestage": "lead"}
    same = dict(subscriber, lifecyclestage="lead")
    assert plan_contact_upsert(lead, same).action == "unchanged"


def test_bad_leads_are_refused_with_the_field_named():
    with pytest.raises(ValidationError, match="needs an email"):
        Lead(email="")
    with pytest.raises(ValidationError, match="crm_contact_id"):
        Lead(crm_contact_id="12a")
    known = Lead(crm_contact_id="501")
    with pytest.raises(InvalidIdentifier, match="read it from the CRM"):
        normalize_lead(known, NOW)
    assert normalize_lead(known.with_email("B@example.com"), NOW).email == "b@example.com"
    with pytest.raises(ValidationError, match="unexpected"):
        Lead(email="a@example.com", unexpected="x")  # type: ignore[call-arg]
    with pytest.raises(InvalidIdentifier, match="phone"):
        normalize_lead(Lead(email="a@example.com", phone="12"), NOW)


def facts(stage: str | None, **kw: int) -> PersonFacts:
    return PersonFacts(person_key="em:1", crm_id="7", current_stage=stage, **kw)


@pytest.mark.parametrize(
    ("stage", "kw", "expected"),
    [
        (None, {"forms": 1}, ("lead", "1 form submission(s)")),
        ("subscriber", {"forms": 1, "recent_sessions": 5}, ("marketingqualifiedlead",
                                                            "score 25 >= 25")),
        ("lead", {"forms": 1, "recent_sessions": 4}, None),  # score 22: stays a lead
        ("marketingqualifiedlead", {"forms": 1, "open_deals": 1},
         ("salesqualifiedlead", "1 open deal(s)")),
        ("lead", {"won_deals": 1, "orders": 2}, ("customer", "1 won deal(s) and 2 order(s)")),
        ("customer", {"forms": 3}, None),  # never backwards
        ("other", {"orders": 1}, None),  # outside the funnel: left alone
        (None, {"recent_sessions": 50}, None),  # engagement without a form is no lead
    ],
)
def test_stage_moves_by_hand_worked_cases(stage, kw, expected):
    changes = plan_stage_changes([facts(stage, **kw)])
    got = (changes[0].after, changes[0].reason) if changes else None
    assert got == expected


@given(
    stage=st.sampled_from([None, *STAGES]),
    counts=st.tuples(*[st.integers(0, 5)] * 7),
)
def test_stages_only_move_forward_and_a_rerun_plans_nothing(stage, counts):
    forms, sessions, clicks, events, open_deals, won, orders = counts
    person = facts(stage, forms=forms, recent_sessions=sessions, recent_paid_clicks=clicks,
                   key_events=events, open_deals=open_deals, won_deals=won, orders=orders)
    rules = ScoringRules()
    changes = plan_stage_changes([person], rules)
    for change in changes:
        assert STAGES.index(change.after) > (STAGES.index(stage) if stage else -1)
        applied = PersonFacts(**{**person.__dict__, "current_stage": change.after})
        assert plan_stage_changes([applied], rules) == []
