"""The shared classification ladder and its platform hooks (``classify``, ``check_answer``)."""

import httpx
import pytest

from connectors._base import BaseConnector, ErrorAnswer, Failure
from connectors.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    VersionError,
)
from tests.connectors.fakes import FakeClock, json_response


class Hooked(BaseConnector):
    """Answers every error with the ErrorAnswer a test put in ``answer``."""

    platform = "test"
    answer = ErrorAnswer("said")

    def classify(self, response, body, *, account):
        return self.answer


def classify(response: httpx.Response, answer: ErrorAnswer | None = None) -> APIError:
    clock = FakeClock()
    connector = Hooked(base_url="https://api.example.com", clock=clock, sleep=clock.sleep)
    if answer is not None:
        connector.answer = answer
    with pytest.raises(APIError) as info:
        connector.validate_response(response, account="a1", endpoint="/x")
    return info.value


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (400, BadRequestError),
        (409, BadRequestError),
    ],
)
def test_the_status_decides_when_the_platform_names_nothing(status, error):
    raised = classify(json_response(status, {}))
    assert type(raised) is error
    assert raised.message == "said"
    assert (raised.platform, raised.account, raised.endpoint, raised.status) == (
        "test", "a1", "/x", status
    )


@pytest.mark.parametrize(
    ("failure", "status", "error"),
    [
        (Failure.THROTTLED, 400, RateLimitError),
        (Failure.THROTTLED, 500, RateLimitError),  # the earlier step wins
        (Failure.UNAVAILABLE, 400, ServerError),
        (Failure.UNAVAILABLE, 429, RateLimitError),
        (Failure.UNAUTHENTICATED, 400, AuthenticationError),
        (Failure.DENIED, 400, PermissionDeniedError),
        (Failure.NOT_FOUND, 400, NotFoundError),
        (Failure.NOT_FOUND, 403, PermissionDeniedError),
    ],
)
def test_the_platform_failure_and_the_status_meet_at_the_first_step(failure, status, error):
    assert type(classify(json_response(status, {}), ErrorAnswer("m", failure=failure))) is error


def test_an_expired_token_is_a_token_expired_error_on_the_401_step_only():
    expired = ErrorAnswer("m", expired=True)
    assert type(classify(json_response(401, {}), expired)) is TokenExpiredError
    assert type(classify(json_response(403, {}), expired)) is PermissionDeniedError


def test_the_platform_decision_outranks_the_status_and_keeps_codes():
    answer = ErrorAnswer("gone", error=VersionError, code=2635, subcode=7)
    raised = classify(json_response(429, {}), answer)
    assert type(raised) is VersionError
    assert (raised.code, raised.subcode) == (2635, 7)


def test_a_throttle_carries_retry_after_and_notes_join_only_their_class():
    answer = ErrorAnswer("m", notes={NotFoundError: " (check the id)"})
    throttled = classify(json_response(429, {}, {"Retry-After": "12"}), answer)
    assert isinstance(throttled, RateLimitError) and throttled.retry_after == 12.0
    assert throttled.message == "m"
    assert classify(json_response(404, {}), answer).message == "m (check the id)"


def test_the_default_hook_names_the_status_line():
    clock = FakeClock()
    connector = BaseConnector(base_url="https://api.example.com", clock=clock)
    with pytest.raises(NotFoundError, match="HTTP 404 Not Found"):
        connector.validate_response(json_response(404, "x"), account=None, endpoint="/x")


class Checked(BaseConnector):
    platform = "test"

    def check_answer(self, response, *, account, endpoint):
        if response.json().get("errors"):
            raise BadRequestError("inside a 200", platform=self.platform)


def test_check_answer_sees_successful_answers_only():
    clock = FakeClock()
    connector = Checked(base_url="https://api.example.com", clock=clock)
    connector.validate_response(json_response(200, {"data": 1}), account=None, endpoint="/x")
    with pytest.raises(BadRequestError, match="inside a 200"):
        connector.validate_response(json_response(200, {"errors": [1]}), account=None,
                                    endpoint="/x")
    with pytest.raises(ServerError):
        connector.validate_response(json_response(502, {"errors": [1]}), account=None,
                                    endpoint="/x")
