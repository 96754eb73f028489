"""The GA4 emulator's wire format and behaviour, through plain httpx in process."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.ga4 import ACCESS_TOKEN, Ga4Emulator, PropertyQuotaLimits, ga4, report_tokens
from emulators.market import Market
from emulators.population import Population

from .conftest import MovableClock

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PLATFORMS = ("meta_ads", "google_ads", "linkedin_ads")
DATA = "https://analyticsdata.googleapis.com/v1beta/properties"
ADMIN = "https://analyticsadmin.googleapis.com/v1beta/properties"


def build(clock: MovableClock | None = None, **options) -> Ga4Emulator:
    market = Market(seed=7, clock=clock or MovableClock(NOW), platforms=PLATFORMS)
    return Ga4Emulator(market, population_size=1_500, **options)


def client(emulator: Ga4Emulator, token: str | None = ACCESS_TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(transport=emulator.transport(), headers=headers)


def report(c: httpx.Client, prop: str = "310000001", **body) -> httpx.Response:
    payload = {
        "dateRanges": [{"startDate": "7daysAgo", "endDate": "yesterday"}],
        "dimensions": [{"name": "date"}, {"name": "sessionSource"}, {"name": "sessionMedium"}],
        "metrics": [{"name": "sessions"}, {"name": "keyEvents"}, {"name": "totalRevenue"}],
        **body,
    }
    return c.post(f"{DATA}/{prop}:runReport", json=payload)


SHARED = build()


def table(body: dict) -> list[tuple[list[str], list[str]]]:
    return [
        ([v["value"] for v in r["dimensionValues"]], [v["value"] for v in r["metricValues"]])
        for r in body.get("rows", [])
    ]


def test_report_wire_format_strings_dates_and_metadata():
    with client(SHARED) as c:
        body = report(c, returnPropertyQuota=True).json()
    assert body["dimensionHeaders"] == [
        {"name": "date"}, {"name": "sessionSource"}, {"name": "sessionMedium"}
    ]
    assert body["metricHeaders"] == [
        {"name": "sessions", "type": "TYPE_INTEGER"},
        {"name": "keyEvents", "type": "TYPE_INTEGER"},
        {"name": "totalRevenue", "type": "TYPE_CURRENCY"},
    ]
    rows = table(body)
    assert body["rowCount"] == len(rows) > 10
    days = {d[0] for d, _ in rows}
    assert days == {(NOW.date() - timedelta(days=n)).strftime("%Y%m%d") for n in range(1, 8)}
    for _, metrics in rows:
        assert all(isinstance(m, str) for m in metrics)
        int(metrics[0]), int(metrics[1]), Decimal(metrics[2])
    assert body["metadata"] == {"currencyCode": "EUR", "timeZone": "Europe/Berlin"}
    assert body["kind"] == "analyticsData#runReport" and list(body)[-1] == "kind"
    assert set(body["propertyQuota"]) == {
        "tokensPerDay", "tokensPerHour", "concurrentRequests", "serverErrorsPerProjectPerHour",
        "potentiallyThresholdedRequestsPerHour", "tokensPerProjectPerHour",
    }


def test_sessions_carry_client_ids_click_ids_key_events_and_revenue():
    dims = ["customEvent:ga_client_id", "dateHourMinute", "sessionSource", "sessionMedium",
            "sessionCampaignName", "landingPagePlusQueryString"]
    with client(SHARED) as c:
        body = report(c, dimensions=[{"name": d} for d in dims],
                      dateRanges=[{"startDate": "30daysAgo", "endDate": "yesterday"}]).json()
    rows = table(body)
    people = {p.client_id: p for p in SHARED.population}
    clicks: Counter[str] = Counter()
    for (client_id, minute, source, medium, _, landing), _ in rows:
        assert client_id in people and len(minute) == 12
        for param in ("gclid", "fbclid", "li_fat_id"):
            if f"{param}=" in landing:
                clicks[param] += 1
                ids = {t.click_id for t in people[client_id].touches}
                assert landing.split(f"{param}=")[1].split("&")[0] in ids
        if source == "google" and medium == "cpc":
            assert "gclid=" in landing
    assert set(clicks) == {"gclid", "fbclid", "li_fat_id"}
    key_events = sum(int(m[1]) for _, m in rows)
    revenue = sum(Decimal(m[2]) for _, m in rows)
    assert key_events > 0 and revenue > 0


def test_unknown_names_and_fields_are_refused_naming_them():
    with client(SHARED) as c:
        bad_dim = report(c, dimensions=[{"name": "sessionSorce"}])
        bad_metric = report(c, metrics=[{"name": "conversions"}])
        bad_field = report(c, pageSize=10)
        backwards = report(c, dateRanges=[{"startDate": "2026-11-10", "endDate": "2026-11-01"}])
        not_a_date = report(c, dateRanges=[{"startDate": "last week", "endDate": "today"}])
        metric_filter = report(c, metricFilter={"filter": {"fieldName": "sessions"}})
        unknown_custom = report(c, dimensions=[{"name": "customEvent:not_registered"}])
    for response, needle in (
        (bad_dim, "Field sessionSorce is not a valid dimension"),
        (bad_metric, "Field conversions is not a valid metric"),
        (bad_field, 'Unknown name "pageSize"'),
        (backwards, "dateRanges[0]: startDate 2026-11-10 is after endDate 2026-11-01"),
        (not_a_date, "dateRanges[0].startDate 'last week' is not a date"),
        (metric_filter, "metricFilter is not supported by the campaign-ops GA4 emulator"),
        (unknown_custom, "Field customEvent:not_registered is not a valid dimension"),
    ):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
        assert needle in error["message"]


def test_access_is_checked_per_token_and_property():
    with client(SHARED, token=None) as anonymous, client(SHARED) as c:
        missing = report(anonymous)
        stranger = report(c, prop="999999")
        admin = c.get(f"{ADMIN}/999999")
    assert missing.status_code == 401
    assert missing.json()["error"]["status"] == "UNAUTHENTICATED"
    for response in (stranger, admin):
        assert response.status_code == 403
        assert response.json()["error"]["status"] == "PERMISSION_DENIED"
        assert "properties/999999" in response.json()["error"]["message"]


def test_relative_dates_are_days_of_the_property_time_zone():
    early = MovableClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # 22:00 on the 19th in NY
    emulator = build(early)
    with client(emulator) as c:
        eu = report(c, dateRanges=[{"startDate": "yesterday", "endDate": "yesterday"}]).json()
        us = report(c, prop="310000002",
                    dateRanges=[{"startDate": "yesterday", "endDate": "yesterday"}]).json()
    assert {d[0] for d, _ in table(eu)} == {"20261119"}
    assert {d[0] for d, _ in table(us)} == {"20261118"}
    assert us["metadata"] == {"currencyCode": "USD", "timeZone": "America/New_York"}


def test_filters_order_aggregations_and_date_ranges():
    with client(SHARED) as c:
        paid = report(c, dimensionFilter={"andGroup": {"expressions": [
            {"filter": {"fieldName": "sessionMedium",
                        "inListFilter": {"values": ["cpc", "paid_social"]}}},
            {"notExpression": {"filter": {"fieldName": "sessionSource",
                                          "stringFilter": {"matchType": "BEGINS_WITH",
                                                           "value": "LINKED"}}}},
        ]}}, orderBys=[{"metric": {"metricName": "sessions"}, "desc": True}],
            metricAggregations=["TOTAL"]).json()
        ranges = report(c, dimensions=[{"name": "sessionMedium"}], metrics=[{"name": "sessions"}],
                        dateRanges=[{"startDate": "7daysAgo", "endDate": "yesterday"},
                                    {"startDate": "14daysAgo", "endDate": "8daysAgo",
                                     "name": "before"}]).json()
    rows = table(paid)
    assert {d[2] for d, _ in rows} == {"cpc", "paid_social"}
    assert "linkedin" not in {d[1] for d, _ in rows}
    sessions = [int(m[0]) for _, m in rows]
    assert sessions == sorted(sessions, reverse=True)
    total = paid["totals"][0]
    assert total["dimensionValues"][0] == {"value": "RESERVED_TOTAL"}
    assert int(total["metricValues"][0]["value"]) == sum(sessions)
    assert [h["name"] for h in ranges["dimensionHeaders"]] == ["sessionMedium", "dateRange"]
    assert {d[1] for d, _ in table(ranges)} == {"date_range_0", "before"}


def test_an_empty_report_omits_rows_and_row_count():
    with client(SHARED) as c:
        body = report(c, dimensionFilter={"filter": {
            "fieldName": "sessionSource", "stringFilter": {"value": "nobody"}}}).json()
    assert "rows" not in body and "rowCount" not in body
    assert body["metadata"]["currencyCode"] == "EUR"


@settings(max_examples=25, deadline=None)
@given(limit=st.integers(1, 60), offset=st.integers(0, 80))
def test_offset_pages_are_slices_of_the_whole_report(limit: int, offset: int):
    with client(SHARED) as c:
        whole = report(c).json()
        page = report(c, limit=str(limit), offset=str(offset)).json()
    assert page.get("rowCount", 0) == whole["rowCount"]
    assert table(page) == table(whole)[offset : offset + limit]


def test_limit_is_capped_at_250000_and_defaults_to_10000():
    with client(SHARED) as c:
        huge = report(c, limit="300000").json()
        default = report(c).json()
        negative = report(c, limit="-1")
    assert len(table(huge)) == huge["rowCount"] == len(table(default))
    assert negative.status_code == 400 and "limit" in negative.json()["error"]["message"]


def test_recent_days_restate_as_processing_catches_up():
    clock = MovableClock(NOW)
    emulator = build(clock)
    body: dict[str, Any] = {"dimensions": [{"name": "date"}],
            "dateRanges": [{"startDate": "2026-11-05", "endDate": "2026-11-19"}]}
    with client(emulator) as c:
        first = dict((d[0], m) for d, m in table(report(c, **body).json()))
        clock.now += timedelta(days=3)
        later = dict((d[0], m) for d, m in table(report(c, **body).json()))
    changed = sorted(day for day in first if first[day] != later[day])
    assert changed and min(changed) >= "20261117"  # within ~2 days of processing
    assert all(int(later[d][0]) >= int(first[d][0]) for d in changed)
    assert all(first[d] == later[d] for d in first if d < "20261117")


def test_tokens_are_charged_reported_and_exhausted_as_google_does():
    seconds = [0.0]
    emulator = build(limits=PropertyQuotaLimits(tokens_per_hour=10, tokens_per_day=12),
                     quota_clock=lambda: seconds[0])
    with client(emulator) as c:
        first = report(c, returnPropertyQuota=True,
                       dateRanges=[{"startDate": "60daysAgo", "endDate": "yesterday"}]).json()
        cost = report_tokens(60, first["rowCount"])
        quota = first["propertyQuota"]
        assert quota["tokensPerHour"] == {"consumed": cost, "remaining": 10 - cost}
        while True:
            answer = report(c, returnPropertyQuota=True)
            if answer.status_code != 200:
                break
        assert answer.status_code == 429
        assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert "tokens per hour" in answer.json()["error"]["message"]
        seconds[0] += 3601  # the hour passes; the day's bucket does not
        while (answer := report(c)).status_code == 200:
            pass
        assert "tokens per day" in answer.json()["error"]["message"]
        other = report(c, prop="310000002")
    assert other.status_code == 200  # quotas are per property


def test_custom_dimensions_page_with_tokens():
    with client(SHARED) as c:
        names, token, pages = [], None, 0
        while True:
            params = {"pageSize": 3, **({"pageToken": token} if token else {})}
            body = c.get(f"{ADMIN}/310000001/customDimensions", params=params).json()
            names += [d["parameterName"] for d in body["customDimensions"]]
            pages += 1
            token = body.get("nextPageToken")
            if not token:
                break
        forged = c.get(f"{ADMIN}/310000001/customDimensions", params={"pageToken": "bm9wZQ"})
        prop = c.get(f"{ADMIN}/310000002").json()
    assert pages == 3 and names[0] == "ga_client_id" and len(names) == len(set(names)) == 7
    assert forged.status_code == 400
    assert prop["timeZone"] == "America/New_York" and prop["currencyCode"] == "USD"
    assert prop["name"] == "properties/310000002" and prop["displayName"]


def test_population_is_split_over_properties_and_key_events_are_leads():
    for prop, sessions in SHARED.sessions.items():
        people = {s.person_id for s in sessions}
        indexes = {int(p[1:]) % 2 for p in people}
        assert indexes == {0 if prop == "310000001" else 1}
    leads = sum(
        1 for p in SHARED.population for c in p.conversions
        if c.kind == "lead" and p.touches[c.touch_index].kind != "view"
    )
    key_events = sum(e.key_event for ss in SHARED.sessions.values() for s in ss for e in s.events)
    assert key_events == leads
    assert date(2026, 1, 1) < min(s.start for ss in SHARED.sessions.values() for s in ss).date()


def test_a_shared_population_is_rendered_and_must_match_the_market():
    market = Market(seed=7, clock=MovableClock(NOW), platforms=PLATFORMS)
    people = Population(market, size=300)
    emulator = ga4(market=market, population=people)
    assert isinstance(emulator, Ga4Emulator) and emulator.population is people
    assert ga4(population=people).market is market
    clients = {s.client_id for ss in emulator.sessions.values() for s in ss}
    assert clients <= {p.client_id for p in people}
    other = Market(seed=8, clock=MovableClock(NOW), platforms=PLATFORMS)
    with pytest.raises(ValueError, match="population must render the emulator's market"):
        ga4(market=other, population=people)
