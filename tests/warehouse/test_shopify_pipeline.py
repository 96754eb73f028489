"""Shopify batches read from the emulator land, stage, pass quality and fill core; re-reads
after refunds and fulfilments merge into the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import warehouse
import warehouse.platforms as registry
from connectors.calllog import CallRecorder
from connectors.streams import DateWindow
from emulators.entities import LAYOUTS
from emulators.market import Market
from tests.connectors.fakes import FakeClock
from tests.connectors.shopify.contract_target import shopify_connector, shopify_emulator
from warehouse import LoadBatch, Warehouse
from warehouse.platforms import shopify as shopify_tables
from warehouse.quality.report import QualityContext

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SHOP = "northwind-shop.myshopify.com"
SLICE = f"shopify:{SHOP}"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    """Make sure shopify's tables are in the registry (auto-discovered once wired)."""
    added = {s.table: s for s in shopify_tables.TABLES if s.table not in registry.TABLES}
    registry.TABLES.update(added)
    yield
    for table in added:
        registry.TABLES.pop(table, None)


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    w = warehouse.connect(tmp_path / "wh.duckdb", reporting_currency="USD")
    yield w
    w.close()


class Shop:
    """An emulator whose market clock is the connector's fake clock, so time can move."""

    def __init__(self) -> None:
        self.clock = FakeClock(T0)
        market = Market(seed=7, clock=self.clock, platforms=tuple(LAYOUTS))
        self.emulator = shopify_emulator(None, market=market)
        self.connector = shopify_connector(
            self.emulator, self.clock, CallRecorder(), None, orders_page_size=50,
            customers_page_size=100,
        )
        self.account = self.connector.list_accounts()[0]

    def read(self, start: date) -> dict[str, Any]:
        window = DateWindow(start, self.clock().date())
        return {
            s.name: self.connector.read(s.name, self.account, window if s.is_report else None)
            for s in self.connector.streams()
        }

    def publish(self, wh: Warehouse, run_id: str, results: dict[str, Any]):
        files = tuple(
            warehouse.write_landing(
                wh.landing_root, platform="shopify", stream=name, account_id=SHOP,
                run_id=run_id, rows=result.rows, rejects=result.rejects,
                table=f"shopify.{name}",
            )
            for name, result in results.items()
        )
        batch = LoadBatch("shopify", SHOP, run_id, files, window_end=self.clock().date())
        return warehouse.load_batch(
            wh, batch, ctx=QualityContext(window_end=self.clock().date(), engine="duckdb")
        )


@pytest.fixture(scope="module")
def first_read() -> tuple[Shop, dict[str, Any]]:
    shop = Shop()
    return shop, shop.read(T0.date() - timedelta(days=45))


def test_first_publish_fills_platform_and_core_tables(wh: Warehouse, first_read) -> None:
    shop, results = first_read
    orders = results["orders"].rows
    assert orders and not any(r.rejects for r in results.values())
    published = shop.publish(wh, "r1", results)
    assert published.table("shopify.orders").inserted == len(orders)
    assert published.report is not None and not published.report.has_errors

    core = wh.fetchall(
        "SELECT order_id, total, currency, total_reporting, line_items, click_id_type, click_id "
        "FROM core.orders WHERE platform = 'shopify' AND account_id = ? ORDER BY order_id",
        [SLICE],
    )
    assert len(core) == len(orders)
    by_id = {row["order_id"]: row for row in orders}
    lines: dict[str, int] = {}
    for line in results["order_line_items"].rows:
        lines[line["order_id"]] = lines.get(line["order_id"], 0) + 1
    rate_eur, rate_usd = (
        wh.fetchall("SELECT rate_to_usd FROM core.fx_rates WHERE currency = ? "
                    "ORDER BY valid_from DESC LIMIT 1", [c])[0][0]
        for c in ("EUR", "USD")
    )
    for order_id, total, currency, reporting, line_count, click_type, click in core:
        row = by_id[order_id]
        assert total == row["current_total_price"] and currency == "EUR"
        assert reporting == (total * rate_eur / rate_usd).quantize(Decimal("0.0001"))
        assert line_count == lines[order_id]
        assert (click_type, click) == (row["click_id_type"], row["click_id"])

    conversions = wh.fetchall(
        "SELECT conversion_id, kind, value, person_key FROM core.conversions "
        "WHERE platform = 'shopify' ORDER BY conversion_id"
    )
    assert [c[0] for c in conversions] == sorted(by_id)
    assert {c[1] for c in conversions} == {"order"}
    assert all(c[3] is not None and c[3].startswith("em:") for c in conversions)

    # One person's identifiers, as the order and the customer record saw them.
    sample = next(r for r in orders if r["click_id"] and r["customer_id"])
    links = set(wh.fetchall(
        "SELECT id_type, id_value FROM core.identity_links "
        "WHERE platform = 'shopify' AND person_key = core.person_key(?)", [sample["email"]],
    ))
    assert ("email", sample["email"]) in links
    assert ("shopify_customer_id", sample["customer_id"]) in links
    assert (sample["click_id_type"], sample["click_id"]) in links
    if sample["first_click_id"]:  # the first visit's click id too (it may be another one)
        assert (sample["first_click_id_type"], sample["first_click_id"]) in links
    people = wh.fetchall(
        "SELECT shopify_customer_id, click_ids FROM core.people WHERE email = ?",
        [sample["email"]],
    )
    assert people and people[0][0] == sample["customer_id"] and people[0][1] >= 1


def test_rereads_after_updates_merge_without_duplicates(wh: Warehouse, first_read) -> None:
    shop, first = first_read
    shop.publish(wh, "r1", first)
    before = {r["order_id"]: r for r in first["orders"].rows}
    again = shop.publish(wh, "r1-again", first)
    assert again.table("shopify.orders").inserted == 0
    assert again.table("shopify.orders").updated == 0

    later = Shop()
    later.clock.advance(timedelta(days=12).total_seconds())
    second = later.read(T0.date() - timedelta(days=2))
    published = later.publish(wh, "r2", second)

    rows = {r["order_id"]: r for r in second["orders"].rows}
    changed = [oid for oid, r in rows.items() if oid in before and r != before[oid]]
    new = [oid for oid in rows if oid not in before]
    refunded = [oid for oid in changed if rows[oid]["total_refunded"] > 0
                and before[oid]["total_refunded"] == 0]
    assert changed and new and refunded, "twelve days bring updates, refunds and new orders"
    load = published.table("shopify.orders")
    assert load.inserted == len(new) and load.updated == len(changed)

    counts = wh.fetchall(
        "SELECT count(*), count(DISTINCT order_id) FROM shopify.orders "
        "UNION ALL SELECT count(*), count(DISTINCT order_id) FROM core.orders "
        "WHERE platform = 'shopify' "
        "UNION ALL SELECT count(*), count(DISTINCT conversion_id) FROM core.conversions "
        "WHERE platform = 'shopify'"
    )
    expected = len(set(before) | set(rows))
    assert counts == [(expected, expected)] * 3
    oid = refunded[0]
    got = wh.fetchall(
        "SELECT o.financial_status, o.total_refunded, c.total FROM shopify.orders o "
        "JOIN core.orders c ON c.order_id = o.order_id WHERE o.order_id = ?", [oid]
    )
    assert got == [(rows[oid]["financial_status"], rows[oid]["total_refunded"],
                    rows[oid]["current_total_price"])]
    assert rows[oid]["current_total_price"] < before[oid]["current_total_price"]
    duplicates = wh.fetchall(
        "SELECT count(*) FROM (SELECT person_key, id_type, id_value FROM core.identity_links "
        "WHERE platform = 'shopify' GROUP BY ALL HAVING count(*) > 1)"
    )
    assert duplicates == [(0,)]
