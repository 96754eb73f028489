from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from emulators.meta_ads import SERVED_VERSIONS

from .conftest import GRAPH, TODAY, graph_client

V = "/v26.0"
AD_FIELDS = (
    "account_id,account_currency,campaign_id,adset_id,ad_id,spend,impressions,clicks,"
    "actions,action_values"
)


def insights_params(since: date, until: date, **extra: str) -> dict[str, str]:
    return {
        "level": "ad", "fields": AD_FIELDS, "time_increment": "1",
        "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        "action_attribution_windows": json.dumps(["7d_click", "1d_view"]), "limit": "500",
        **extra,
    }


def read_all(
    client: httpx.Client, url: str, params: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    pages = 0
    body = client.get(url, params=params).json()
    while True:
        pages += 1
        rows.extend(body["data"])
        nxt = body.get("paging", {}).get("next")
        if not nxt:
            return rows, pages
        body = client.get(nxt).json()


def test_adaccounts_shape(client):
    fields = "id,account_id,name,currency,timezone_name,account_status"
    r = client.get(f"{V}/me/adaccounts", params={"fields": fields})
    assert r.status_code == 200
    data = r.json()["data"]
    assert [(a["id"], a["account_id"], a["currency"]) for a in data] == [
        ("act_1001", "1001", "USD"), ("act_1002", "1002", "EUR"), ("act_1003", "1003", "GBP")]
    assert set(data[0]) == set(fields.split(","))
    assert "next" not in r.json()["paging"]


def test_get_single_account_and_default_fields(client):
    assert client.get(f"{V}/act_1003").json() == {"id": "act_1003"}
    body = client.get(f"{V}/act_1003", params={"fields": "name,timezone_name"}).json()
    assert body == {"id": "act_1003", "name": "Northwind GBP 3", "timezone_name": "Europe/London"}


def test_paging_next_is_absolute_and_absent_on_last_page(client, market):
    expected = [a.id for a in market.ads("meta_ads", "act_1002")]
    first = client.get(f"{V}/act_1002/ads", params={"fields": "id,name,adset_id", "limit": 2})
    paging = first.json()["paging"]
    assert paging["next"].startswith(f"{GRAPH}{V}/act_1002/ads?")
    assert set(paging["cursors"]) == {"before", "after"}
    rows, pages = read_all(client, f"{V}/act_1002/ads", {"fields": "id,name", "limit": "2"})
    assert [r["id"] for r in rows] == expected
    assert pages == (len(expected) + 1) // 2


def test_paging_next_keeps_the_requests_host(emulator):
    with httpx.Client(transport=emulator.transport(), base_url="http://127.0.0.1:9999",
                      params={"access_token": "EAAB-sandbox-token"}) as c:
        nxt = c.get(f"{V}/act_1001/ads", params={"limit": 1}).json()["paging"]["next"]
    assert nxt.startswith("http://127.0.0.1:9999/v26.0/act_1001/ads?")
    assert "access_token=EAAB-sandbox-token" in nxt


def test_object_fields(client, market):
    camps = client.get(f"{V}/act_1001/campaigns",
                       params={"fields": "id,name,status,effective_status,daily_budget,objective"})
    for row in camps.json()["data"]:
        assert row["status"] in ("ACTIVE", "PAUSED")
        assert row["objective"].startswith("OUTCOME_")
        budget = market.budget("meta_ads", row["id"])
        assert row.get("daily_budget") == (None if budget is None else str(budget))
    adsets = client.get(f"{V}/act_1001/adsets", params={"fields": "campaign_id,daily_budget"})
    assert all(r["campaign_id"].isdigit() for r in adsets.json()["data"])


def test_unknown_field_is_graph_error_100(client):
    r = client.get(f"{V}/act_1001/insights", params={"fields": "spend,x"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "(#100) Tried accessing nonexisting field (x) on node type (AdsInsights)")
    assert r.json()["error"]["code"] == 100
    r = client.get(f"{V}/act_1001/campaigns", params={"fields": "id,budget"})
    assert "on node type (Campaign)" in r.json()["error"]["message"]


def test_error_body_shape(emulator):
    with graph_client(emulator, token="not-a-token") as c:
        r = c.get(f"{V}/me/adaccounts")
    assert r.status_code == 400
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "code", "is_transient", "fbtrace_id"}
    assert (err["type"], err["code"], err["is_transient"]) == ("OAuthException", 190, False)
    with graph_client(emulator, token=None) as c:
        assert c.get(f"{V}/me/adaccounts").json()["error"]["code"] == 104


def test_unknown_object_and_path(client):
    r = client.get(f"{V}/99999")
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["error_subcode"]) == (
        400, 100, 33)
    assert client.get(f"{V}/act_1001/nothing").json()["error"]["code"] == 2500
    assert client.get(f"{V}/act_9999/campaigns").json()["error"]["code"] == 100


@pytest.mark.parametrize("version", SERVED_VERSIONS)
def test_served_versions(client, version):
    assert client.get(f"/{version}/me").status_code == 200


@pytest.mark.parametrize(("version", "code"), [("v24.0", 2635), ("v19.0", 2635),
                                               ("v28.0", 2500), ("v26", 2500)])
def test_version_errors(client, version, code):
    r = client.get(f"/{version}/act_1001/campaigns")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code
    if code == 2635:
        assert "v27.0" in r.json()["error"]["message"]


def test_insight_rows_are_strings_and_equal_market_truth(client, market):
    since, until = TODAY - timedelta(days=10), TODAY - timedelta(days=1)
    rows, _ = read_all(client, f"{V}/act_1002/insights", insights_params(since, until))
    assert rows
    for row in rows:
        for key in ("spend", "impressions", "clicks", "account_id", "ad_id"):
            assert isinstance(row[key], str)
        assert row["account_id"] == "1002" and row["account_currency"] == "EUR"
        assert row["date_start"] == row["date_stop"]
        day = date.fromisoformat(row["date_start"])
        assert since <= day <= until
        truth = market.truth("meta_ads", row["ad_id"], day)
        assert Decimal(row["spend"]) == truth.spend
        assert int(row["impressions"]) == truth.impressions
        assert int(row["clicks"]) == truth.clicks
        purchases = [a for a in row.get("actions", []) if a["action_type"] == "purchase"]
        values = [a for a in row.get("action_values", []) if a["action_type"] == "purchase"]
        if truth.conversions:
            assert purchases[0]["value"] == str(truth.conversions)
            assert purchases[0]["7d_click"] == str(truth.conversions_by_window["7d_click"])
            assert purchases[0]["1d_view"] == str(truth.conversions_by_window["1d_view"])
            assert Decimal(values[0]["value"]) == truth.value
        else:
            assert not purchases
    delivered = {
        (ad.id, since + timedelta(days=k))
        for ad in market.ads("meta_ads", "act_1002") for k in range(10)
        if market.truth("meta_ads", ad.id, since + timedelta(days=k)).delivered
    }
    assert {(r["ad_id"], date.fromisoformat(r["date_start"])) for r in rows} == delivered


def test_insights_include_todays_partial_row(client, market):
    rows, _ = read_all(client, f"{V}/act_1001/insights",
                       insights_params(TODAY - timedelta(days=1), TODAY + timedelta(days=3)))
    days = {r["date_start"] for r in rows}
    assert days == {(TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()}
    today_row = next(r for r in rows if r["date_start"] == TODAY.isoformat())
    full = market.delivery("meta_ads", today_row["ad_id"], TODAY)
    assert Decimal(today_row["spend"]) < full.spend


def test_retired_view_windows_are_ignored(client):
    params = insights_params(TODAY - timedelta(days=60), TODAY - timedelta(days=1))
    params["action_attribution_windows"] = json.dumps(["7d_click", "28d_view", "7d_view"])
    rows, _ = read_all(client, f"{V}/act_1002/insights", params)
    actions = [a for r in rows for a in r.get("actions", [])]
    assert actions
    assert all(set(a) == {"action_type", "value", "7d_click"} for a in actions)


def test_levels_aggregate_the_ad_rows(client):
    since, until = TODAY - timedelta(days=5), TODAY - timedelta(days=1)
    ad_rows, _ = read_all(client, f"{V}/act_1003/insights", insights_params(since, until))
    camp = insights_params(since, until, level="campaign", time_increment="all_days",
                           fields="campaign_id,spend,clicks")
    camp_rows, _ = read_all(client, f"{V}/act_1003/insights", camp)
    for row in camp_rows:
        assert (row["date_start"], row["date_stop"]) == (since.isoformat(), until.isoformat())
        mine = [r for r in ad_rows if r["campaign_id"] == row["campaign_id"]]
        assert Decimal(row["spend"]) == sum(Decimal(r["spend"]) for r in mine)
        assert int(row["clicks"]) == sum(int(r["clicks"]) for r in mine)


def test_bad_time_range_is_rejected(client):
    r = client.get(f"{V}/act_1001/insights",
                   params={"time_range": json.dumps({"since": "2026-11-20",
                                                     "until": "2026-11-01"})})
    assert r.json()["error"]["code"] == 100
    r = client.get(f"{V}/act_1001/insights", params={"time_range": '{"since": "x"}'})
    assert r.json()["error"]["code"] == 100


def test_async_report_run_lifecycle(client, market):
    since, until = TODAY - timedelta(days=3), TODAY - timedelta(days=1)
    form = insights_params(since, until)
    start = client.post(f"{V}/act_1001/insights", data=form)
    run_id = start.json()["report_run_id"]
    assert run_id.isdigit()
    assert client.get(f"{V}/{run_id}/insights").status_code == 400  # not ready yet
    seen = []
    for _ in range(10):
        job = client.get(f"{V}/{run_id}").json()
        seen.append((job["async_status"], job["async_percent_completion"]))
        if job["async_status"] == "Job Completed":
            break
    assert seen == [("Job Not Started", 0), ("Job Started", 0), ("Job Running", 50),
                    ("Job Completed", 100)]
    assert (job["date_start"], job["date_stop"], job["account_id"]) == (
        since.isoformat(), until.isoformat(), "1001")
    rows, _ = read_all(client, f"{V}/{run_id}/insights", {"limit": "2"})
    sync, _ = read_all(client, f"{V}/act_1001/insights", form)
    assert rows == sync and rows


def test_report_run_fields_json_list_as_the_sdk_sends_them(client):
    form = {"fields": json.dumps(["spend", "ad_id"]), "level": "ad", "date_preset": "last_7d"}
    run_id = client.post(f"{V}/act_1002/insights", data=form).json()["report_run_id"]
    for _ in range(4):
        client.get(f"{V}/{run_id}")
    rows = client.get(f"{V}/{run_id}/insights").json()["data"]
    assert rows and set(rows[0]) == {"spend", "ad_id", "date_start", "date_stop"}


CONTRACT_FIELDS = {  # docs/contracts.md: fields the Meta connector requests
    "me/adaccounts": "id,account_id,name,currency,timezone_name,account_status",
    "act_1002/campaigns": "id,account_id,name,status,effective_status,objective,daily_budget,"
                          "lifetime_budget,created_time,updated_time",
    "act_1002/adsets": "id,account_id,campaign_id,name,status,effective_status,daily_budget,"
                       "created_time,updated_time",
    "act_1002/ads": "id,account_id,campaign_id,adset_id,name,status,effective_status,creative,"
                    "created_time,updated_time",
}


@pytest.mark.parametrize("edge", sorted(CONTRACT_FIELDS))
def test_contract_fields_are_served(client, edge):
    fields = CONTRACT_FIELDS[edge].split(",")
    r = client.get(f"{V}/{edge}", params={"fields": ",".join(fields), "limit": "100"})
    assert r.status_code == 200, r.text
    for row in r.json()["data"]:
        assert set(row) <= set(fields)
        required = set(fields) - {"daily_budget", "lifetime_budget"}
        assert required <= set(row), required - set(row)
        assert "account_id" not in row or row["account_id"].isdigit()
        for stamp in ("created_time", "updated_time"):
            if stamp in row:
                assert datetime.strptime(row[stamp], "%Y-%m-%dT%H:%M:%S%z")
        if "lifetime_budget" in row:
            assert row["lifetime_budget"] == "0"
        if "creative" in row:
            assert row["creative"]["id"].isdigit()


def test_effective_status_filter_on_edges(client, market):
    ads = client.get(f"{V}/act_1002/ads", params={"fields": "effective_status",
                                                   "limit": "100"}).json()["data"]
    active = client.get(f"{V}/act_1002/ads", params={
        "effective_status": json.dumps(["ACTIVE"]), "limit": "100"}).json()["data"]
    assert [a["id"] for a in active] == [a["id"] for a in ads if a["effective_status"] == "ACTIVE"]
    assert 0 < len(active) < len(ads)


def test_insights_restate_past_days_as_late_conversions_arrive(client, clock, emulator):
    since, until = TODAY - timedelta(days=7), TODAY - timedelta(days=1)
    params = insights_params(since, until, level="account", time_increment="all_days",
                             fields="spend,actions")

    def purchases() -> tuple[str, int]:
        (row,) = client.get(f"{V}/act_1002/insights", params=params).json()["data"]
        found = [a for a in row.get("actions", []) if a["action_type"] == "purchase"]
        return row["spend"], int(found[0]["value"]) if found else 0

    spend_now, now = purchases()
    clock.now += timedelta(days=20)
    spend_later, later = purchases()
    assert spend_later == spend_now  # delivery is final, conversions are not
    assert later > now
