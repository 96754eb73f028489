"""The drop-folder source: declared schema, line-numbered rejects, windows, CSV and Parquet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import ConfigurationError
from connectors.offline_conversions import (
    COLUMNS,
    OfflineConversionsConnector,
    OfflineConversionsSettings,
)
from connectors.streams import DateWindow

HEADER = "conversion_id,occurred_at,kind,value,currency,email,gclid,phone\n"


def connector(folder: Path, **kw) -> OfflineConversionsConnector:
    return OfflineConversionsConnector(
        OfflineConversionsSettings(folder=folder, source_name="crm-exports",
                                   timezone="Europe/Berlin", **kw),
        clock=lambda: datetime(2026, 11, 26, 12, tzinfo=UTC),
    )


class Read:
    """A read's rows (loaded from its row file) and rejects."""

    def __init__(self, result):
        self.rows = result.all_rows()
        self.rejects = result.rejects


def read(c: OfflineConversionsConnector, window: DateWindow | None = None) -> Read:
    [account] = c.list_accounts()
    try:
        return Read(c.read("conversions", account, window))
    finally:
        c.close()


def test_good_rows_land_and_bad_lines_are_rejected_with_file_and_line(tmp_path: Path):
    (tmp_path / "deals.csv").write_text(
        HEADER
        + "D1,2026-11-20T10:00:00,deal,1200.50,eur, Ada@Example.COM ,,\n"
        + "D2,2026-11-21,store_sale,35,USD,,gclid-abc,\n"
        + "D3,2026-11-21,deal,-5,EUR,x@example.com,,\n"  # negative value
        + "D4,2026-11-21,deal,10,EUR,,,\n"  # no identifier
        + "\n"  # blank lines are skipped, line numbers keep counting
        + "D5,yesterday,deal,10,EUR,x@example.com,,\n"
        + "D6,2026-11-21,deal,10,EUR,not-an-email,,\n"
        + "D7,2026-11-21,deal,10\n"  # too few fields
        + ",2026-11-21,deal,10,EUR,x@example.com,,\n"  # no id
        + "D9,2026-11-22T09:00:00Z,deal,99.9,EUR,,,+49 (30) 123-456\n",
        encoding="utf-8",
    )
    result = read(connector(tmp_path))
    assert [r["conversion_id"] for r in result.rows] == ["D1", "D2", "D9"]
    d1 = result.rows[0]
    assert d1["email"] == "ada@example.com" and d1["currency"] == "EUR"
    assert d1["occurred_at"] == datetime(2026, 11, 20, 9, tzinfo=UTC)  # Berlin wall time
    assert d1["value"] == Decimal("1200.50") and d1["source_line"] == 2
    assert result.rows[1]["click_id_type"] == "gclid" and result.rows[1]["click_id"] == "gclid-abc"
    assert result.rows[2]["phone"] == "+4930123456"
    errors = [r.error for r in result.rejects]
    assert errors[0].startswith("file deals.csv line 4: value:")
    assert errors[1].startswith("file deals.csv line 5:") and "no identifier" in errors[1]
    assert errors[2].startswith("file deals.csv line 7: occurred_at 'yesterday'")
    assert errors[3].startswith("file deals.csv line 8: email:")
    assert errors[4] == "file deals.csv line 9: 4 fields where the header has 8"
    assert errors[5] == "file deals.csv line 10: missing value(s) for conversion_id"
    assert len(errors) == 6


def test_a_file_with_an_unknown_column_is_rejected_whole_and_the_others_land(tmp_path: Path):
    (tmp_path / "a.csv").write_text(HEADER + "A1,2026-11-20,deal,1,EUR,a@example.com,,\n")
    (tmp_path / "b.csv").write_text("conversion_id,occurred_at,kind,value,currency,emial\n"
                                    "B1,2026-11-20,deal,1,EUR,b@example.com\n")
    (tmp_path / "notes.txt").write_text("ignored: not a data file")
    result = read(connector(tmp_path))
    assert [r["conversion_id"] for r in result.rows] == ["A1"]
    [reject] = result.rejects
    assert reject.error.startswith("file b.csv: line 1: unknown column(s) 'emial'")
    assert "declared columns: conversion_id" in reject.error


def test_parquet_files_are_read_with_row_numbers(tmp_path: Path):
    table = pa.table({
        "conversion_id": ["P1", "P2"],
        "occurred_at": [datetime(2026, 11, 3, 8, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC)],
        "kind": ["store_sale", "store_sale"],
        "value": [Decimal("12.30"), Decimal("-1")],
        "currency": ["GBP", "GBP"],
        "crm_id": ["C9", "C10"],
    })
    pq.write_table(table, tmp_path / "pos.parquet")
    result = read(connector(tmp_path))
    assert [r["conversion_id"] for r in result.rows] == ["P1"]
    assert result.rows[0]["occurred_date"] == date(2026, 11, 3)
    assert result.rejects[0].error.startswith("file pos.parquet line 2: value:")


def test_the_window_skips_other_days_without_rejecting_them(tmp_path: Path):
    (tmp_path / "d.csv").write_text(
        HEADER + "\n".join(f"W{d},2026-11-{d:02d},deal,1,EUR,w@example.com,," for d in range(1, 21))
    )
    result = read(connector(tmp_path), DateWindow(date(2026, 11, 5), date(2026, 11, 9)))
    assert [r["conversion_id"] for r in result.rows] == ["W5", "W6", "W7", "W8", "W9"]
    assert result.rejects == []


def test_repeated_exports_count_once_and_later_files_correct_earlier_ones(tmp_path: Path):
    (tmp_path / "deals-2026-11-01.csv").write_text(
        HEADER + "X,2026-11-01,deal,100,EUR,a@example.com,,\n"
        + "Y,2026-11-01,deal,50,EUR,b@example.com,,\n")
    (tmp_path / "deals-2026-11-02.csv").write_text(
        HEADER + "X,2026-11-01,deal,120,EUR,a@example.com,,\n"  # corrected amount
        + "Y,2026-11-01,deal,50,EUR,b@example.com,,\n"  # exported again, unchanged
        + "Z,2026-11-02,deal,1,EUR,c@example.com,,\n"
        + "Z,2026-11-02,deal,2,EUR,c@example.com,,\n")  # two answers in one export
    result = read(connector(tmp_path))
    by_id = {r["conversion_id"]: r for r in result.rows}
    assert by_id["X"]["value"] == Decimal("120") and by_id["X"]["source_file"].endswith("02.csv")
    assert by_id["Y"]["source_file"].endswith("01.csv")
    assert by_id["Z"]["value"] == Decimal("1")
    [reject] = result.rejects
    assert reject.error == ("file deals-2026-11-02.csv line 5: conversion_id 'Z' already on "
                            "line 4 with different values")


def test_a_missing_folder_or_wrong_account_is_a_clear_configuration_error(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="does not exist"):
        connector(tmp_path / "nope").list_accounts()
    c = connector(tmp_path)
    [account] = c.list_accounts()
    with pytest.raises(ConfigurationError, match="no stream 'orders'"):
        c.read("orders", account)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.text(max_size=30), min_size=len(COLUMNS), max_size=len(COLUMNS)))
def test_any_cell_text_gives_a_row_or_a_located_reject(tmp_path: Path, cells: list[str]):
    import csv

    path = tmp_path / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerow(cells)
    result = read(connector(tmp_path))
    assert len(result.rows) + len(result.rejects) == (1 if any(c.strip() for c in cells) else 0)
    for reject in result.rejects:
        assert reject.error.startswith("file fuzz.csv")
