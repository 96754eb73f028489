"""The conversion-upload ledger on SQLite and PostgreSQL: one row per key, sent is final."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import store
from store.schema import _UPGRADES, conversion_uploads, inbox, schema_info

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def upload(n: int, destination: str = "meta_capi") -> store.NewUpload:
    return store.NewUpload(destination=destination, idempotency_key=f"{destination}-key-{n}",
                           conversion_id=f"offline_conversions:D-{n}", event_id=f"D-{n}")


def test_a_plan_is_recorded_once_and_a_second_plan_finds_the_rows(engine):
    first = store.record_planned(engine, [upload(1), upload(2)], now=T0, run_id="run-1")
    again = store.record_planned(engine, [upload(2), upload(3)], now=T0 + timedelta(hours=1),
                                 run_id="run-2")
    assert [(o.inserted, o.status) for o in first] == [(True, "planned"), (True, "planned")]
    assert [(o.inserted, o.status) for o in again] == [(False, "planned"), (True, "planned")]
    rows = store.list_uploads(engine)
    assert [(r.conversion_id, r.event_id, r.status, r.run_id) for r in rows] == [
        ("offline_conversions:D-1", "D-1", "planned", "run-1"),
        ("offline_conversions:D-2", "D-2", "planned", "run-1"),
        ("offline_conversions:D-3", "D-3", "planned", "run-2"),
    ]
    assert rows[0].planned_at == T0 and rows[0].planned_at.tzinfo is not None


def test_sent_keys_lists_only_what_the_platform_accepted(engine):
    store.record_planned(engine, [upload(1), upload(2), upload(3)], now=T0)
    assert store.mark_sent(engine, ["meta_capi-key-1"], now=T0, request_id="Atrace") == 1
    assert store.mark_rejected(engine, ["meta_capi-key-2"], reason="bad fbc") == 1
    assert store.sent_keys(engine, [f"meta_capi-key-{n}" for n in (1, 2, 3, 4)]) == {
        "meta_capi-key-1"}
    sent, rejected, planned = store.list_uploads(engine)
    assert (sent.status, sent.sent_at, sent.request_id, sent.attempts) == (
        "sent", T0, "Atrace", 1)
    assert (rejected.status, rejected.reason, rejected.sent_at) == ("rejected", "bad fbc", None)
    assert planned.status == "planned"
    outcome = store.record_planned(engine, [upload(1)], now=T0)
    assert (outcome[0].inserted, outcome[0].status) == (False, "sent")


def test_a_sent_row_is_final(engine):
    store.record_planned(engine, [upload(1)], now=T0)
    store.mark_sent(engine, ["meta_capi-key-1"], now=T0, request_id="first")
    assert store.mark_sent(engine, ["meta_capi-key-1"], now=T0 + timedelta(days=1),
                           request_id="second") == 0
    assert store.mark_rejected(engine, ["meta_capi-key-1"], reason="late refusal") == 0
    [row] = store.list_uploads(engine)
    assert (row.status, row.sent_at, row.request_id, row.reason) == ("sent", T0, "first", None)


def test_a_rejected_upload_can_be_sent_by_a_later_run(engine):
    store.record_planned(engine, [upload(1)], now=T0)
    store.mark_rejected(engine, ["meta_capi-key-1"], reason="503")
    assert store.mark_sent(engine, ["meta_capi-key-1"], now=T0) == 1
    [row] = store.list_uploads(engine, status="sent")
    assert row.attempts == 2 and row.reason is None


def test_ten_concurrent_plans_of_the_same_uploads_store_one_row_each(engine):
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def plan() -> None:
        try:
            barrier.wait()
            store.record_planned(engine, [upload(n) for n in range(5)], now=T0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=plan) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_uploads(engine)) == 5


def test_many_keys_are_read_and_marked_in_chunks(engine):
    many = [upload(n, "google_data_manager") for n in range(1200)]
    store.record_planned(engine, many, now=T0)
    keys = [u.idempotency_key for u in many]
    assert store.mark_sent(engine, keys[:1100], now=T0) == 1100
    assert len(store.sent_keys(engine, keys)) == 1100
    assert len(store.list_uploads(engine, destination="google_data_manager",
                                  status="planned")) == 100


def test_a_version_1_store_is_upgraded_to_hold_the_ledger(store_url):
    engine = store.create_store_engine(store_url)
    try:
        with engine.begin() as con:  # what version-1 code created
            schema_info.create(con)
            inbox.create(con)
            con.execute(sa.insert(schema_info).values(version=1, applied_at=T0))
        assert store.schema_version(engine) == 1
        assert not sa.inspect(engine).has_table("conversion_uploads")
        assert store.create_schema(engine) == store.SCHEMA_VERSION
        assert sa.inspect(engine).has_table("conversion_uploads")
        assert store.schema_version(engine) == store.SCHEMA_VERSION
        store.record_planned(engine, [upload(1)], now=T0)
        assert len(store.list_uploads(engine)) == 1
    finally:
        engine.dispose()


def test_the_upgrade_step_itself_creates_the_ledger_and_can_run_twice(store_url):
    engine = store.create_store_engine(store_url)
    try:
        with engine.begin() as con:
            _UPGRADES[2](con)
            _UPGRADES[2](con)
        assert sa.inspect(engine).has_table(conversion_uploads.name)
        keys = {tuple(u["column_names"]) for u in
                sa.inspect(engine).get_unique_constraints(conversion_uploads.name)}
        indexes = {tuple(i["column_names"]) for i in
                   sa.inspect(engine).get_indexes(conversion_uploads.name)}
        assert ("idempotency_key",) in keys | indexes
    finally:
        engine.dispose()


def test_a_status_outside_the_ledger_states_is_refused(engine):
    store.record_planned(engine, [upload(1)], now=T0)
    try:
        with engine.begin() as con:
            con.execute(sa.update(conversion_uploads).values(status="lost"))
    except sa.exc.IntegrityError:
        pass
    else:  # pragma: no cover - the check constraint must refuse it
        raise AssertionError("status 'lost' was stored")
