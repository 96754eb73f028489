"""Properties of the Graph surface that must hold for any page size, range or time of day."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.market import Market
from emulators.meta_ads import SANDBOX_TOKEN, MetaAdsEmulator
from emulators.serve import serve_in_thread

from .conftest import GRAPH, TODAY

V = "/v26.0"
EMULATOR = MetaAdsEmulator(Market(seed=21, today=TODAY))
# Bearer, not client-level params: httpx 0.28 replaces a URL's query (the cursor of
# paging.next) with client-level params.
CLIENT = httpx.Client(transport=EMULATOR.transport(), base_url=GRAPH,
                      headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})


def follow(first: httpx.Response) -> list[dict[str, Any]]:
    body = first.json()
    rows = list(body["data"])
    seen_cursors = set()
    while "next" in body.get("paging", {}):
        after = body["paging"]["cursors"]["after"]
        assert after not in seen_cursors
        seen_cursors.add(after)
        body = CLIENT.get(body["paging"]["next"]).json()
        rows.extend(body["data"])
    return rows


@settings(max_examples=25, deadline=None)
@given(limit=st.integers(1, 40), account=st.sampled_from(["act_1001", "act_1002", "act_1003"]))
def test_paging_returns_every_object_once_for_any_limit(limit, account):
    everything = CLIENT.get(f"{V}/{account}/ads", params={"limit": "5000"}).json()["data"]
    paged = follow(CLIENT.get(f"{V}/{account}/ads", params={"limit": str(limit)}))
    assert paged == everything


@settings(max_examples=20, deadline=None)
@given(back=st.integers(1, 300), span=st.integers(1, 20), increment=st.integers(1, 10))
def test_time_increments_partition_the_daily_rows(back, span, increment):
    until = TODAY - timedelta(days=back)
    since = until - timedelta(days=span - 1)
    base = {"level": "campaign", "fields": "campaign_id,spend,impressions", "limit": "5000",
            "time_range": json.dumps({"since": str(since), "until": str(until)})}
    daily = CLIENT.get(f"{V}/act_1002/insights", params={**base, "time_increment": "1"})
    chunks = CLIENT.get(f"{V}/act_1002/insights",
                        params={**base, "time_increment": str(increment)})
    total = CLIENT.get(f"{V}/act_1002/insights", params=base)
    for body in (daily.json(), chunks.json(), total.json()):
        for row in body["data"]:
            assert since <= date.fromisoformat(row["date_start"]) <= date.fromisoformat(
                row["date_stop"]) <= until
    sums = [sum(Decimal(r["spend"]) for r in b.json()["data"]) for b in (daily, chunks, total)]
    assert sums[0] == sums[1] == sums[2]
    for row in chunks.json()["data"]:
        start = date.fromisoformat(row["date_start"])
        assert (start - since).days % increment == 0


def test_days_are_the_accounts_local_days():
    # 02:00 UTC: still yesterday in New York, already today in Berlin and London.
    moment = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    em = MetaAdsEmulator(Market(seed=21, clock=lambda: moment))
    params = {"level": "ad", "fields": "ad_id,spend", "time_increment": "1",
              "date_preset": "today", "limit": "5000"}
    with httpx.Client(transport=em.transport(), base_url=GRAPH,
                      params={"access_token": SANDBOX_TOKEN}) as c:
        ny = {r["date_start"]
              for r in c.get(f"{V}/act_1001/insights", params=params).json()["data"]}
        berlin = {r["date_start"]
                  for r in c.get(f"{V}/act_1002/insights", params=params).json()["data"]}
    assert ny == {"2026-11-25"} and berlin == {"2026-11-26"}


def test_concurrent_clients_on_loopback_are_all_served_and_logged():
    em = MetaAdsEmulator(Market(seed=21, today=TODAY))
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(account: str) -> None:
        with httpx.Client(base_url=server.base_url, params={"access_token": SANDBOX_TOKEN}) as c:
            for _ in range(5):
                r = c.get(f"{V}/{account}/campaigns", params={"fields": "id,name"})
                with lock:
                    statuses.append(r.status_code)

    with serve_in_thread(em) as server:
        threads = [threading.Thread(target=worker, args=(f"act_{1001 + i % 3}",))
                   for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 40
    assert len(em.request_log) == 40
    usage = em.quota.usage("act_1001:ads_management", 1000)
    assert usage is not None and usage.calls == 15
