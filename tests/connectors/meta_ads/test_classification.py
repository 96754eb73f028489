import json

import httpx
import pytest
from pydantic import SecretStr

from connectors.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    VersionError,
)
from connectors.meta_ads import MetaAdsConnector, MetaAdsSettings
from tests.connectors.fakes import FakeClock, graph_error, json_response


def connector(handler=None) -> MetaAdsConnector:
    clock = FakeClock()
    return MetaAdsConnector(
        MetaAdsSettings(access_token=SecretStr("tok-classify-1")),
        transport=httpx.MockTransport(handler or (lambda r: json_response(200, {}))),
        sleep=clock.sleep,
        clock=clock,
    )


BUC_BLOCKED = {
    "X-Business-Use-Case-Usage": json.dumps(
        {
            "1001": [
                {
                    "type": "ads_insights",
                    "call_count": 100,
                    "total_cputime": 20,
                    "total_time": 20,
                    "estimated_time_to_regain_access": 3,
                }
            ]
        }
    )
}

CASES = [
    # (response, expected error, retry_after)
    (graph_error(190, subcode=463), TokenExpiredError, None),
    (graph_error(190, subcode=467), TokenExpiredError, None),
    (graph_error(190), AuthenticationError, None),
    (graph_error(104), AuthenticationError, None),
    (graph_error(2635), VersionError, None),
    (graph_error(2500), VersionError, None),
    (graph_error(4, transient=True), RateLimitError, None),
    (graph_error(17, subcode=2446079, transient=True), RateLimitError, None),
    (graph_error(32), RateLimitError, None),
    (graph_error(613, subcode=1487742), RateLimitError, None),
    (graph_error(80000, transient=True, headers=BUC_BLOCKED), RateLimitError, 180.0),
    (graph_error(80004, transient=True), RateLimitError, None),
    (graph_error(80014), RateLimitError, None),
    (graph_error(4, status=429, transient=True, headers={"Retry-After": "2"}), RateLimitError, 2.0),
    (graph_error(1, status=500, transient=True), ServerError, None),
    (graph_error(2, status=503, transient=True), ServerError, None),
    (httpx.Response(502, content=b"<html>Bad gateway</html>"), ServerError, None),
    (graph_error(999, transient=True), RateLimitError, None),
    (graph_error(100, subcode=33), NotFoundError, None),
    (graph_error(10), PermissionDeniedError, None),
    (graph_error(200), PermissionDeniedError, None),
    (graph_error(100), BadRequestError, None),
    (httpx.Response(404, content=b"nope"), NotFoundError, None),
]


@pytest.mark.parametrize(("response", "error", "retry_after"), CASES)
def test_graph_errors_are_classified(response, error, retry_after):
    c = connector()
    with pytest.raises(error) as info:
        c.validate_response(response, account="act_1001", endpoint="/v26.0/act_1001/insights")
    exc = info.value
    assert type(exc) is error
    assert exc.platform == "meta_ads" and exc.account == "act_1001"
    assert exc.status == response.status_code
    if isinstance(exc, RateLimitError):
        assert exc.retry_after == retry_after


def test_codes_are_carried():
    with pytest.raises(RateLimitError) as info:
        connector().validate_response(
            graph_error(17, subcode=2446079, transient=True), account=None, endpoint="/x"
        )
    assert (info.value.code, info.value.subcode) == (17, 2446079)
    assert "code=17" in str(info.value)


def test_success_passes():
    connector().validate_response(json_response(200, {"data": []}), account=None, endpoint="/x")


@pytest.mark.parametrize(
    ("headers", "headroom"),
    [
        ({}, None),
        ({"X-App-Usage": '{"call_count": 40, "total_time": 10, "total_cputime": 5}'}, 0.6),
        (
            {
                "X-App-Usage": '{"call_count": 10}',
                "x-fb-ads-insights-throttle": '{"app_id_util_pct": 5, "acc_id_util_pct": 85}',
            },
            0.15,
        ),
        ({"X-Ad-Account-Usage": '{"acc_id_util_pct": 30}'}, 0.7),
        (BUC_BLOCKED, 0.0),
        ({"X-App-Usage": "not json"}, None),
    ],
)
def test_headroom_from_usage_headers(headers, headroom):
    value = connector().throttle_headroom(httpx.Response(200, headers=headers))
    assert value == (pytest.approx(headroom) if headroom is not None else None)
