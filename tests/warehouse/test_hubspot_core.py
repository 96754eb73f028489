"""A HubSpot batch read from the emulator lands, stages, passes quality and fills core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

import warehouse
from connectors.calllog import CallRecorder
from connectors.streams import DateWindow
from tests.connectors.fakes import FakeClock
from tests.connectors.hubspot.contract_target import NOW, hubspot_connector, hubspot_emulator
from warehouse import LoadBatch, Warehouse
from warehouse.quality.report import QualityContext

PORTAL = "24681357"


@pytest.fixture(scope="module")
def extract() -> dict[str, Any]:
    emulator = hubspot_emulator(None, size=1_200)
    clock = FakeClock(NOW)
    connector = hubspot_connector(emulator, clock, CallRecorder(), None,
                                  object_page_size=100, search_page_size=200)
    try:
        account = connector.list_accounts()[0]
        window = DateWindow(NOW.date() - timedelta(days=200), NOW.date())
        results = {s.name: connector.read(s.name, account, None if not s.is_report else window)
                   for s in connector.streams()}
    finally:
        connector.close()
    return {"account": account, "results": results, "emulator": emulator}


def _publish(wh: Warehouse, extract: dict[str, Any], run_id: str,
             overrides: dict[str, list[dict[str, Any]]] | None = None) -> warehouse.PublishResult:
    files = []
    for name, result in extract["results"].items():
        files.append(warehouse.write_landing(
            wh.landing_root, platform="hubspot", stream=name, account_id=PORTAL, run_id=run_id,
            rows=(overrides or {}).get(name, result.rows), rejects=result.rejects,
            table=f"hubspot.{name}"))
    batch = LoadBatch("hubspot", PORTAL, run_id, tuple(files), window_end=NOW.date())
    return warehouse.load_batch(wh, batch, ctx=QualityContext(window_end=NOW.date(),
                                                              engine="duckdb"))


def _rows(wh: Warehouse, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return wh.con.execute(sql, list(params)).fetchall()


def test_core_rows_follow_the_crm(wh: Warehouse, extract: dict[str, Any]):
    published = _publish(wh, extract, "run-1")
    results = extract["results"]
    assert published.table("hubspot.contacts").inserted == len(results["contacts"].rows)
    emulator = extract["emulator"]

    # Leads: one per form submission, value 0, with the hidden click id of the form.
    subs = results["form_submissions"].rows
    leads = _rows(wh, "SELECT conversion_id, value, click_id FROM core.conversions "
                      "WHERE platform = 'hubspot' AND kind = 'lead' AND account_id = ?",
                  f"hubspot:{PORTAL}")
    assert len(leads) == len(subs) > 0
    assert {r[0] for r in leads} == {s["submission_id"] for s in subs}
    assert all(r[1] == 0 for r in leads)
    assert {r[2] for r in leads if r[2]} == {s["click_id"] for s in subs if s["click_id"]}

    # Deals: closed-won only, amount converted from EUR at the close day's rate.
    won = [d for d in results["deals"].rows if d["is_won"]]
    assert won and len(won) < len(results["deals"].rows)  # some deals are still open
    truth = {str(k): v for k, v in emulator.crm.deals.items() if v[2] is not None}
    deals = _rows(wh, "SELECT conversion_id, value, currency, value_reporting, person_key "
                      "FROM core.conversions WHERE platform = 'hubspot' AND kind = 'deal'")
    assert {r[0] for r in deals} == set(truth)
    for deal_id, value, currency, reporting, person_key in deals:
        assert value == Decimal(truth[deal_id][3]) and currency == "EUR"
        rate = _rows(wh, "SELECT r.rate_to_usd / u.rate_to_usd FROM core.fx_rates r, "
                         "core.fx_rates u WHERE r.currency = 'EUR' AND u.currency = 'USD' "
                         "ORDER BY r.valid_from DESC, u.valid_from DESC LIMIT 1")[0][0]
        assert reporting is not None and abs(float(reporting) - float(value) * rate) < 1.0
        assert person_key is not None and person_key.startswith("em:")

    # Identity links: each contact's email, id, client id and click ids under one person.
    person = emulator.population.person(int(next(s for s in subs if s["click_id"])["email"]
                                            .split("@")[0].rsplit(".", 1)[1]))
    links = dict(_rows(wh, "SELECT id_type, id_value FROM core.identity_links WHERE "
                           "person_key = core.person_key(?) AND id_type <> 'email'",
                       person.email))
    assert links["crm_id"] == str(person.index + 1)
    assert links["client_id"] == person.client_id
    clicked = [t for t in person.touches if t.click_id]
    assert any(links.get(t.click_id_param) == t.click_id for t in clicked)
    kinds = {r[0] for r in _rows(wh, "SELECT DISTINCT id_type FROM core.identity_links "
                                     "WHERE platform = 'hubspot'")}
    assert {"email", "phone", "crm_id", "client_id", "gclid"} <= kinds

    # Touchpoints: one per submission, channel from the click id.
    touches = _rows(wh, "SELECT touchpoint_id, channel, click_id_type, kind "
                        "FROM core.touchpoints WHERE platform = 'hubspot'")
    assert len(touches) == len(subs)
    assert all(t[3] == "form_submission" for t in touches)
    assert all(t[1] == "google_ads" for t in touches if t[2] == "gclid")


def test_rerun_restates_without_duplicates(wh: Warehouse, extract: dict[str, Any]):
    _publish(wh, extract, "run-1")
    before = _rows(wh, "SELECT kind, count(*) FROM core.conversions GROUP BY kind ORDER BY 1")
    links = _rows(wh, "SELECT count(*) FROM core.identity_links")
    again = _publish(wh, extract, "run-2")
    assert again.table("hubspot.contacts").inserted == 0
    assert _rows(wh, "SELECT kind, count(*) FROM core.conversions GROUP BY kind ORDER BY 1") \
        == before
    assert _rows(wh, "SELECT count(*) FROM core.identity_links") == links


def test_malformed_email_warns_and_publishes(wh: Warehouse, extract: dict[str, Any]):
    contacts = [dict(r) for r in extract["results"]["contacts"].rows]
    contacts[0] = {**contacts[0], "email": "not-an-address", "email_status": "malformed"}
    published = _publish(wh, extract, "run-1", {"contacts": contacts})
    assert any("emails_well_formed" in w for w in published.warnings)
    crm_ids = {r[0] for r in _rows(wh, "SELECT id_value FROM core.identity_links "
                                       "WHERE id_type = 'crm_id'")}
    assert contacts[0]["contact_id"] not in crm_ids  # no person key without a usable email
    assert contacts[1]["contact_id"] in crm_ids


def test_negative_amount_quarantines(wh: Warehouse, extract: dict[str, Any]):
    deals = [dict(r) for r in extract["results"]["deals"].rows]
    deals[0] = {**deals[0], "amount": Decimal("-5")}
    with pytest.raises(warehouse.DataQualityError, match="metrics_non_negative"):
        _publish(wh, extract, "run-1", {"deals": deals})
    assert _rows(wh, "SELECT count(*) FROM core.conversions") == [(0,)]
