"""SqlInbox commits concurrent requests together; each still learns its own outcome."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest

import store
from gateway.inbox import SqlInbox
from tests.gateway.conftest import inbox_rows


def _delivery(delivery_id: str) -> store.NewDelivery:
    return store.NewDelivery(
        source="webform", delivery_id=delivery_id, topic="form.submitted",
        event_name="campaign-ops.lead.received",
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, delivery_id), payload={"id": delivery_id},
        body="{}", received_at=datetime.now(UTC),
    )


def test_concurrent_requests_get_their_own_outcomes(store_url):
    inbox = SqlInbox.from_url(store_url)
    inbox.open()
    barrier = threading.Barrier(30)
    results: dict[int, list[store.AddOutcome]] = {}

    def request(n: int) -> None:
        barrier.wait()
        # Each request: its own delivery, plus one that every request carries.
        results[n] = inbox.add([_delivery(f"own-{n}"), _delivery("shared")])

    threads = [threading.Thread(target=request, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    inbox.close()
    for n, outcomes in results.items():
        assert [o.delivery.delivery_id for o in outcomes] == [f"own-{n}", "shared"]
        assert outcomes[0].inserted
    assert sum(outcomes[1].inserted for outcomes in results.values()) == 1
    assert len(inbox_rows(store_url)) == 31


def test_a_failed_group_commit_fails_every_request_in_it():
    inbox = SqlInbox.from_url("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)

    def request(n: int) -> None:
        barrier.wait()
        try:
            inbox.add([_delivery(f"d-{n}")])
        except store.StoreError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 5
    assert all(isinstance(e, store.StoreUnavailableError) for e in errors)
    with pytest.raises(store.StoreUnavailableError):  # and the inbox still works after
        inbox.add([_delivery("later")])
