"""The inbox on SQLite and PostgreSQL: one row per delivery, leases, retries, the backlog."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import store
from store.schema import inbox, schema_info

T0 = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=UTC)


def delivery(delivery_id: str = "d-1", source: str = "webform", at: datetime = T0, **kw):
    return store.NewDelivery(
        source=source,
        delivery_id=delivery_id,
        topic=kw.get("topic", "form.submitted"),
        event_name=kw.get("event_name", "campaign-ops.lead.received"),
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"{source}/{delivery_id}"),
        payload=kw.get("payload", {"email": "ada@example.com", "consent": True, "n": None}),
        body=kw.get("body", '{"type":"form.submitted"}'),
        received_at=at,
    )


def rows(engine) -> list[dict]:
    with engine.connect() as con:
        return [dict(r) for r in con.execute(sa.select(inbox).order_by(inbox.c.id)).mappings()]


def test_schema_is_created_once_and_versioned(engine):
    assert store.schema_version(engine) == store.SCHEMA_VERSION
    assert store.create_schema(engine) == store.SCHEMA_VERSION  # again: no error, no new row
    with engine.connect() as con:
        versions = con.execute(sa.select(schema_info.c.version)).scalars().all()
    assert versions == [store.SCHEMA_VERSION]


def test_a_newer_schema_is_refused(engine):
    with engine.begin() as con:
        con.execute(sa.insert(schema_info).values(version=store.SCHEMA_VERSION + 1, applied_at=T0))
    with pytest.raises(store.SchemaVersionError, match="newer than this code"):
        store.create_schema(engine)


def test_a_delivery_is_stored_with_its_values_and_a_second_copy_is_a_duplicate(engine):
    first = store.add_deliveries(engine, [delivery()])
    again = store.add_deliveries(engine, [delivery(body="other body")])
    assert [o.inserted for o in first] == [True]
    assert [o.inserted for o in again] == [False]
    [row] = rows(engine)
    assert row["body"] == '{"type":"form.submitted"}'
    assert row["payload"] == {"email": "ada@example.com", "consent": True, "n": None}
    stored = store.get_delivery(engine, "webform", "d-1")
    assert stored is not None
    assert stored.received_at == T0 and stored.received_at.tzinfo is not None
    assert stored.forwarded_at is None and stored.attempts == 0 and stored.last_error is None
    assert stored.event_id == delivery().event_id


def test_the_same_delivery_id_from_two_sources_is_two_rows(engine):
    outcomes = store.add_deliveries(engine, [delivery("x", "webform"), delivery("x", "meta")])
    assert [o.inserted for o in outcomes] == [True, True]
    assert len(rows(engine)) == 2


def test_ten_concurrent_copies_of_one_delivery_store_one_row(engine):
    barrier = threading.Barrier(10)
    inserted: list[bool] = []
    errors: list[BaseException] = []

    def post():
        barrier.wait()
        try:
            inserted.extend(o.inserted for o in store.add_deliveries(engine, [delivery("dup")]))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(inserted) == [False] * 9 + [True]
    assert len(rows(engine)) == 1


def test_timestamps_in_other_zones_are_stored_as_utc(engine):
    plus_two = T0.astimezone(timezone(timedelta(hours=2)))
    store.add_deliveries(engine, [delivery(at=plus_two)])
    stored = store.get_delivery(engine, "webform", "d-1")
    assert stored is not None and stored.received_at == T0
    assert stored.received_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(engine):
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add_deliveries(engine, [delivery(at=T0.replace(tzinfo=None))])
    assert rows(engine) == []


def test_claim_leases_rows_oldest_first_and_hides_them_until_the_lease_ends(engine):
    store.add_deliveries(
        engine, [delivery(f"d-{i}", at=T0 + timedelta(seconds=i)) for i in range(5)]
    )
    now = T0 + timedelta(minutes=1)
    lease = timedelta(seconds=30)
    first = store.claim_unforwarded(engine, now=now, lease=lease, limit=3)
    assert [r.delivery_id for r in first] == ["d-0", "d-1", "d-2"]
    second = store.claim_unforwarded(engine, now=now, lease=lease, limit=10)
    assert [r.delivery_id for r in second] == ["d-3", "d-4"]
    assert store.claim_unforwarded(engine, now=now + timedelta(seconds=29), lease=lease) == []
    # The forwarder holding d-0..d-4 died: after the lease they are due again.
    back = store.claim_unforwarded(engine, now=now + timedelta(seconds=31), lease=lease)
    assert [r.delivery_id for r in back] == ["d-0", "d-1", "d-2", "d-3", "d-4"]


def test_concurrent_claims_never_hand_out_a_row_twice(engine):
    store.add_deliveries(engine, [delivery(f"d-{i}") for i in range(60)])
    claimed: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def claim():
        barrier.wait()
        while True:
            got = store.claim_unforwarded(
                engine, now=T0, lease=timedelta(minutes=5), limit=7
            )
            if not got:
                return
            with lock:
                claimed.extend(r.delivery_id for r in got)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(f"d-{i}" for i in range(60))


def test_forwarded_rows_leave_the_backlog_and_are_never_claimed_again(engine):
    store.add_deliveries(engine, [delivery("a"), delivery("b")])
    assert store.inbox_backlog(engine) == 2
    [a, _b] = store.claim_unforwarded(engine, now=T0, lease=timedelta(seconds=5))
    done = T0 + timedelta(seconds=1)
    assert store.mark_forwarded(engine, [a.id], now=done) == 1
    assert store.mark_forwarded(engine, [a.id], now=done) == 0  # already forwarded
    assert store.inbox_backlog(engine) == 1
    later = store.claim_unforwarded(engine, now=T0 + timedelta(hours=1), lease=timedelta(seconds=5))
    assert [r.delivery_id for r in later] == ["b"]
    row_a = store.get_delivery(engine, "webform", "a")
    assert row_a is not None and row_a.forwarded_at == done and row_a.attempts == 1


def test_a_failed_attempt_is_counted_keeps_its_error_and_waits_for_its_retry_time(engine):
    store.add_deliveries(engine, [delivery("a")])
    [row] = store.claim_unforwarded(engine, now=T0, lease=timedelta(seconds=5))
    retry_at = T0 + timedelta(seconds=40)
    assert store.mark_failed(engine, [row.id], error="ConnectError: refused", retry_at=retry_at)
    failed = store.get_delivery(engine, "webform", "a")
    assert failed is not None
    assert (failed.attempts, failed.last_error, failed.forwarded_at) == (
        1, "ConnectError: refused", None)
    assert store.claim_unforwarded(engine, now=T0 + timedelta(seconds=39), lease=timedelta(1)) == []
    [again] = store.claim_unforwarded(engine, now=retry_at, lease=timedelta(seconds=5))
    store.mark_failed(engine, [again.id], error="x" * 10_000, retry_at=retry_at)
    twice = store.get_delivery(engine, "webform", "a")
    assert twice is not None and twice.attempts == 2 and len(twice.last_error or "") == 2000
    store.mark_forwarded(engine, [again.id], now=retry_at)
    done = store.get_delivery(engine, "webform", "a")
    assert done is not None and done.attempts == 3 and done.last_error is None
    assert store.inbox_backlog(engine) == 0


def test_a_bad_url_is_a_clear_store_error():
    with pytest.raises(store.StoreError, match="not a SQLAlchemy URL"):
        store.create_store_engine("not a url")
    with pytest.raises(store.StoreError, match="no database driver"):
        store.create_store_engine("nosuchdb+nodriver://host/db")


def test_an_unreachable_database_is_unavailable_and_the_password_is_masked():
    engine = store.create_store_engine("postgresql+psycopg://app:s3cr3t-pw@127.0.0.1:1/nothing")
    with pytest.raises(store.StoreUnavailableError) as caught:
        store.ping(engine)
    assert "s3cr3t-pw" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)
    with pytest.raises(store.StoreUnavailableError):
        store.add_deliveries(engine, [delivery()])


def test_the_default_store_is_a_sqlite_file_under_data():
    assert store.DEFAULT_STORE_URL == "sqlite:///data/store.sqlite"


def test_a_sqlite_store_creates_its_folder_and_survives_a_new_engine(tmp_path):
    url = f"sqlite:///{tmp_path}/nested/dir/store.sqlite"
    first = store.create_store_engine(url)
    store.create_schema(first)
    store.add_deliveries(first, [delivery()])
    first.dispose()
    second = store.create_store_engine(url)
    assert store.schema_version(second) == store.SCHEMA_VERSION
    assert store.inbox_backlog(second) == 1
    assert (tmp_path / "nested" / "dir" / "store.sqlite").exists()
