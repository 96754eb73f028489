"""The official google-analytics-data SDK (REST transport) against the GA4 emulator on loopback.

Only the host changes: ``client_options={"api_endpoint": <loopback>}``; the SDK builds the
request, sends the bearer token and parses the answer into its protobuf types.
"""

from __future__ import annotations

from datetime import date

import pytest
from google.analytics.data_v1beta import BetaAnalyticsDataClient
from google.analytics.data_v1beta.types import (
    DateRange,
    Dimension,
    Metric,
    MetricType,
    OrderBy,
    RunReportRequest,
)
from google.api_core import exceptions as core_exceptions
from google.oauth2.credentials import Credentials

from emulators.faults import FaultConfig
from emulators.ga4 import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    Ga4Emulator,
    PropertyQuotaLimits,
)
from emulators.market import Market
from emulators.serve import serve_in_thread

TODAY = date(2026, 11, 20)
PLATFORMS = ("meta_ads", "google_ads", "linkedin_ads")


def sdk(base_url: str, token: str = ACCESS_TOKEN) -> BetaAnalyticsDataClient:
    return BetaAnalyticsDataClient(
        transport="rest",
        client_options={"api_endpoint": base_url},
        credentials=Credentials(token=token),
    )


def emulator(**options) -> Ga4Emulator:
    market = Market(seed=7, today=TODAY, platforms=PLATFORMS)
    return Ga4Emulator(market, population_size=1_000, **options)


def request(**extra) -> RunReportRequest:
    fields = {
        "property": "properties/310000001",
        "dimensions": [Dimension(name="date"), Dimension(name="sessionSource")],
        "metrics": [Metric(name="sessions"), Metric(name="keyEvents"),
                    Metric(name="totalRevenue")],
        "date_ranges": [DateRange(start_date="14daysAgo", end_date="yesterday")],
        "order_bys": [OrderBy(dimension=OrderBy.DimensionOrderBy(dimension_name="date"))],
        "return_property_quota": True,
    }
    return RunReportRequest(**{**fields, **extra})


def test_sdk_runs_a_report_with_paging_and_property_quota():
    with serve_in_thread(emulator()) as server:
        client = sdk(server.base_url)
        whole = client.run_report(request())
        page = client.run_report(request(limit=5, offset=5))
    assert whole.row_count == len(whole.rows) > 10
    assert [h.name for h in whole.dimension_headers] == ["date", "sessionSource"]
    assert [h.type_ for h in whole.metric_headers] == [
        MetricType.TYPE_INTEGER, MetricType.TYPE_INTEGER, MetricType.TYPE_CURRENCY,
    ]
    assert whole.metadata.currency_code == "EUR"
    assert whole.metadata.time_zone == "Europe/Berlin"
    assert whole.kind == "analyticsData#runReport"
    days = [r.dimension_values[0].value for r in whole.rows]
    assert days == sorted(days) and days[-1] == "20261119"
    assert page.row_count == whole.row_count
    assert list(page.rows) == list(whole.rows[5:10])
    quota = whole.property_quota
    assert quota.tokens_per_hour.consumed >= 1
    assert quota.tokens_per_day.remaining == 200_000 - quota.tokens_per_day.consumed
    assert page.property_quota.tokens_per_day.remaining == (
        quota.tokens_per_day.remaining - page.property_quota.tokens_per_day.consumed
    )
    assert quota.concurrent_requests.remaining == 10


def test_sdk_sees_google_errors():
    limits = PropertyQuotaLimits(tokens_per_hour=3)
    with serve_in_thread(emulator(limits=limits)) as server:
        client = sdk(server.base_url)
        with pytest.raises(core_exceptions.BadRequest, match="sessionSorce"):
            client.run_report(request(dimensions=[Dimension(name="sessionSorce")]))
        with pytest.raises(core_exceptions.Forbidden):
            client.run_report(request(property="properties/999"))
        client.run_report(request())  # 2 tokens: 14 days, < 5,000 rows
        client.run_report(request())
        with pytest.raises(core_exceptions.TooManyRequests, match="tokens per hour"):
            client.run_report(request())


def test_sdk_retries_nothing_on_its_own_and_sees_injected_faults():
    faults = FaultConfig(rate=1.0, kinds=("http_503",), max_faults=1)
    with serve_in_thread(emulator(faults=faults)) as server:
        client = sdk(server.base_url)
        with pytest.raises(core_exceptions.ServiceUnavailable):
            client.run_report(request(), retry=None)
        assert client.run_report(request(), retry=None).row_count > 0


def test_sdk_refreshes_a_refused_token_at_the_emulators_token_endpoint():
    ga4 = emulator()
    with serve_in_thread(ga4) as server:
        credentials = Credentials(
            token="ya29.stale-token", refresh_token=REFRESH_TOKEN,
            token_uri=f"{server.base_url}/token", client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        client = BetaAnalyticsDataClient(
            transport="rest", client_options={"api_endpoint": server.base_url},
            credentials=credentials,
        )
        assert client.run_report(request()).row_count > 0
    assert credentials.token in ga4.tokens.issued
    statuses = [(r.path, r.status) for r in ga4.request_log]
    assert statuses[0][1] == 401 and statuses[1] == ("/token", 200) and statuses[2][1] == 200
