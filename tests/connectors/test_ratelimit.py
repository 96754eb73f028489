import threading

import pytest

from connectors.errors import BadRequestError, CircuitOpenError, ServerError
from connectors.ratelimit import BreakerState, CircuitBreaker, KeyedPool, TokenBucket
from tests.connectors.fakes import FakeClock


def state(breaker: CircuitBreaker) -> BreakerState:
    # A function call, so that mypy does not narrow the property between assertions.
    return breaker.state


def bucket(clock: FakeClock, rate: float = 10.0, **kw) -> TokenBucket:
    return TokenBucket(rate, clock=clock.monotonic, sleep=clock.sleep, **kw)


def test_bucket_paces_requests_at_the_rate():
    clock = FakeClock()
    b = bucket(clock, rate=5.0)
    start = clock.monotonic()
    for _ in range(11):
        b.acquire()
    # 11 requests at 5/s: the first is free, then 10 intervals of 0.2 s.
    assert clock.monotonic() - start == pytest.approx(2.0)


def test_burst_allows_back_to_back_after_idle():
    clock = FakeClock()
    b = bucket(clock, rate=1.0, burst=3)
    clock.advance(10)
    waits = [b.acquire() for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3] > 0


def test_low_shrinking_headroom_slows_down_and_recovers_slowly():
    clock = FakeClock()
    b = bucket(clock, rate=10.0, threshold=0.2, recovery_step=0.1, decrease_factor=0.5)
    b.observe_headroom(0.15)  # first low reading: cut
    assert b.rate == pytest.approx(5.0)
    b.observe_headroom(0.15)  # low but stable (our own use at the limit): hold
    assert b.rate == pytest.approx(5.0)
    b.observe_headroom(0.12)  # shrinking: someone else spends the quota too
    assert b.rate == pytest.approx(2.5)
    b.observe_headroom(0.05)  # below half the threshold: always cut
    b.observe_headroom(0.05)
    assert b.rate == pytest.approx(0.625)
    b.observe_headroom(0.0)
    assert b.rate == pytest.approx(10.0 * 0.05)  # floor
    for _ in range(3):
        b.observe_headroom(0.9)
    assert b.rate == pytest.approx(0.5 + 3 * 1.0)
    for _ in range(50):
        b.observe_headroom(1.0)
    assert b.rate == pytest.approx(10.0)


def test_slower_rate_spaces_requests_further():
    clock = FakeClock()
    b = bucket(clock, rate=10.0, decrease_factor=0.25)
    b.acquire()
    b.observe_headroom(0.05)
    b.acquire()
    before = clock.monotonic()
    b.acquire()
    assert clock.monotonic() - before >= 1 / 2.5 - 1e-9


def test_pause_holds_every_acquirer():
    clock = FakeClock()
    b = bucket(clock, rate=100.0)
    b.acquire()
    b.pause(30)
    assert b.acquire() == pytest.approx(30.0)


def test_bucket_is_thread_safe():
    clock = FakeClock()
    lock = threading.Lock()

    def sleep(s: float) -> None:
        with lock:
            clock.sleep(0)  # don't move time: just count

    b = TokenBucket(1000.0, clock=clock.monotonic, sleep=sleep)
    threads = [threading.Thread(target=lambda: [b.acquire() for _ in range(100)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 800 reservations, each a distinct 1 ms slot: the last one is 0.799 s after the first.
    assert b.waited_seconds == pytest.approx(sum(i / 1000 for i in range(800)), rel=1e-3)


def test_breaker_opens_after_consecutive_failures_and_half_opens():
    clock = FakeClock()
    br = CircuitBreaker(
        "meta_ads:act_1", failure_threshold=3, reset_timeout=60, clock=clock.monotonic
    )
    for _ in range(2):
        br.before_call()
        br.record_failure(ServerError("boom"))
    assert state(br) is BreakerState.CLOSED
    br.before_call()
    br.record_failure(ServerError("boom"))
    assert state(br) is BreakerState.OPEN
    with pytest.raises(CircuitOpenError) as info:
        br.before_call()
    assert "meta_ads:act_1" in str(info.value)
    assert info.value.retryable
    clock.advance(61)
    assert state(br) is BreakerState.HALF_OPEN
    br.before_call()  # the trial call
    with pytest.raises(CircuitOpenError):
        br.before_call()  # only one trial at a time
    br.record_failure(ServerError("still down"))
    assert state(br) is BreakerState.OPEN
    clock.advance(61)
    br.before_call()
    br.record_success()
    assert state(br) is BreakerState.CLOSED
    assert br.consecutive_failures == 0


def test_breaker_ignores_client_errors_and_successes_reset_the_count():
    clock = FakeClock()
    br = CircuitBreaker("x", failure_threshold=2, clock=clock.monotonic)
    br.record_failure(ServerError("a"))
    br.record_failure(BadRequestError("4xx says nothing about health"))
    br.record_failure(ServerError("b"))
    assert state(br) is BreakerState.CLOSED
    br.record_failure(ServerError("c"))
    assert state(br) is BreakerState.OPEN


def test_keyed_pool_builds_once_per_key():
    built: list[str] = []

    def build(key: str) -> list[str]:
        built.append(key)
        return [key]

    pool: KeyedPool[str, list[str]] = KeyedPool(build)
    assert pool.get("a") is pool.get("a")
    pool.get("b")
    assert built == ["a", "b"]
