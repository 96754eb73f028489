from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import warehouse
from warehouse import LoadBatch, Warehouse

ACCOUNT = "act_1001"
DAY0 = date(2026, 3, 1)


def insight_rows(
    n_ads: int = 3,
    days: int = 3,
    start: date = DAY0,
    account: str = "1001",
    currency: str = "EUR",
    spend_scale: Decimal = Decimal("1"),
) -> list[dict[str, Any]]:
    rows = []
    for a in range(n_ads):
        for d in range(days):
            rows.append(
                {
                    "account_id": account,
                    "campaign_id": f"2385{a // 2:04d}",
                    "ad_set_id": f"2386{a:04d}",
                    "ad_id": f"2387{a:04d}",
                    "date": start + timedelta(days=d),
                    "currency": currency,
                    "spend": (Decimal("10.50") + a + d) * spend_scale,
                    "impressions": 1000 + 10 * a + d,
                    "clicks": 20 + a,
                    "conversions": Decimal("2"),
                    "conversion_value": Decimal("40.25"),
                    "attribution_setting": "7d_click_1d_view",
                }
            )
    return rows


def campaign_rows(n: int = 2, account: str = "1001") -> list[dict[str, Any]]:
    ts = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return [
        {
            "account_id": account,
            "campaign_id": f"2385{i:04d}",
            "name": f"Campaign {i}",
            "status": "ACTIVE",
            "effective_status": "ACTIVE",
            "objective": "OUTCOME_SALES",
            "daily_budget": 5000,
            "lifetime_budget": None,
            "created_time": ts,
            "updated_time": ts,
        }
        for i in range(n)
    ]


def land(
    wh: Warehouse,
    run_id: str,
    streams: dict[str, list[dict[str, Any]]],
    rejects: dict[str, list[dict[str, Any]]] | None = None,
    account: str = ACCOUNT,
    window_end: date | None = None,
) -> LoadBatch:
    files = []
    for stream, rows in streams.items():
        files.append(
            warehouse.write_landing(
                wh.landing_root,
                platform="meta_ads",
                stream=stream,
                account_id=account,
                run_id=run_id,
                rows=rows,
                rejects=(rejects or {}).get(stream, []),
            )
        )
    return LoadBatch("meta_ads", account, run_id, tuple(files), window_end=window_end)


def load(
    wh: Warehouse,
    run_id: str,
    streams: dict[str, list[dict[str, Any]]],
    engine: str = "duckdb",
    cursor: date | None = None,
    **kw: Any,
) -> warehouse.PublishResult:
    batch = land(wh, run_id, streams, **kw)
    staged = warehouse.stage_batch(wh, batch)
    report = warehouse.run_quality(
        wh, staged, warehouse.QualityContext(window_end=batch.window_end, engine=engine)
    )
    updates = [warehouse.CursorUpdate(s, cursor) for s in streams] if cursor else []
    return warehouse.publish(wh, staged, report, updates)


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    w = warehouse.connect(tmp_path / "wh.duckdb")
    yield w
    w.close()
