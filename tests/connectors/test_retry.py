import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.retry import RetryPolicy

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 20),
    base=st.floats(0, 10, allow_nan=False),
    cap=st.floats(0, 120, allow_nan=False),
    max_total_seconds=st.floats(0, 600, allow_nan=False),
    max_retry_after=st.floats(0, 120, allow_nan=False),
)


@given(policies, st.integers(0, 200), st.integers(0, 2**32))
def test_full_jitter_delay_within_bounds(policy, n, seed):
    delay = policy.delay(n, None, random.Random(seed))
    assert 0.0 <= delay <= min(policy.cap, policy.base * 2.0 ** min(n, 1023)) + 1e-9


@given(policies, st.integers(0, 50), st.floats(0.001, 10_000, allow_nan=False), st.integers(0, 99))
def test_retry_after_is_honoured_and_clamped(policy, n, retry_after, seed):
    delay = policy.delay(n, retry_after, random.Random(seed))
    assert delay >= min(retry_after, policy.max_retry_after) - 1e-9
    assert delay <= max(min(retry_after, policy.max_retry_after), policy.ceiling(n)) + 1e-9


@given(policies, st.integers(1, 30), st.floats(0, 1000, allow_nan=False), st.floats(0, 100))
def test_allows_respects_attempt_and_total_time_caps(policy, made, elapsed, next_delay):
    allowed = policy.allows(made, elapsed, next_delay)
    if made >= policy.max_attempts or elapsed + next_delay > policy.max_total_seconds:
        assert not allowed
    else:
        assert allowed


def test_ceiling_doubles_then_caps():
    policy = RetryPolicy(base=0.5, cap=4.0)
    assert [policy.ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.ceiling(10_000) == 4.0


def test_jitter_actually_spreads():
    policy = RetryPolicy(base=1.0, cap=8.0)
    rng = random.Random(7)
    delays = {round(policy.delay(3, None, rng), 3) for _ in range(50)}
    assert len(delays) > 40


def test_invalid_policy_rejected():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base=-1)
