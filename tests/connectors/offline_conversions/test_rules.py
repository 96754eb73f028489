"""The bulk (DuckDB) checks of a drop-folder record against two independent statements of them.

* ``reference_parse`` is the row-at-a-time parser the reader used before it streamed (Python
  ``fromisoformat``, ``Decimal`` and the pydantic row model): on values both are meant to
  treat alike, both accept the same records and produce the same rows.
* ``OfflineConversionRow``, the declared model, validates every row the reader produces.

Where the two parsers were meant to differ, a test says so explicitly.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.offline_conversions import (
    COLUMNS,
    OfflineConversionRow,
    OfflineConversionsConnector,
    OfflineConversionsSettings,
)
from connectors.offline_conversions.schema import CLICK_ID_COLUMNS, REQUIRED

ZONE = "Europe/Berlin"
_PHONE_NOISE = re.compile(r"[\s\-().]")


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _timestamp(text: str, zone: ZoneInfo) -> datetime:
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), zone)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def reference_parse(raw: dict[str, str], zone: ZoneInfo, line: int) -> OfflineConversionRow:
    """The former row-at-a-time parser; raises ValueError for a record it rejects."""
    values = {k: _blank_to_none(v) for k, v in raw.items()}
    if any(values.get(c) is None for c in REQUIRED):
        raise ValueError("missing")
    occurred = _timestamp(str(values["occurred_at"]), zone)
    click_type = next((c for c in CLICK_ID_COLUMNS if values.get(c)), None)
    email, phone = values.get("email"), values.get("phone")
    amount = Decimal(str(values["value"]))  # InvalidOperation is an ArithmeticError
    if not amount.is_finite():
        raise ValueError("not finite")
    return OfflineConversionRow.model_validate(dict(
        account_id="crm", conversion_id=str(values["conversion_id"]), occurred_at=occurred,
        occurred_date=occurred.astimezone(zone).date(), kind=str(values["kind"]).lower(),
        value=amount, currency=str(values["currency"]).upper(),
        email=email.lower() if email else None,
        email_sha256=(values.get("email_sha256") or "").lower() or None,
        phone=_PHONE_NOISE.sub("", phone) if phone else None, crm_id=values.get("crm_id"),
        click_id_type=click_type, click_id=values.get(click_type) if click_type else None,
        order_id=values.get("order_id"), source_file="f.csv", source_line=line))


def _padded(values: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(values), st.sampled_from(["", " ", "\t", "\u00a0"]),
                     st.sampled_from(["", "  ", "\u2003"])).map(lambda t: t[1] + t[0] + t[2])


# Per column: values both parsers accept (blank for optional ones), and values they refuse.
VALID = {
    "conversion_id": ["C"],
    "occurred_at": ["2026-11-20", "2026-11-20T10:00:00", "2026-11-20 10:00",
                    "2026-11-20T10:00:00Z", "2026-11-20T23:30:00+05:30",
                    "2026-11-20T10:00:00.250", "2024-02-29"],
    "kind": ["deal", "DEAL", "store_sale", "Store_Sale"],
    "value": ["10", "10.5", "0", "0.0001", "1200.50", ".5", "+7", "99999999999999.9999"],
    "currency": ["EUR", "eur", "gbp"],
    "email": ["a@example.com", "A@Example.COM", ""],
    "email_sha256": ["0" * 64, "A" * 64, ""],
    "phone": ["+49 (30) 123-456", "+4930123456", "030.123.456", ""],
    "crm_id": ["CRM-1", ""],
    "gclid": ["Cj0KCQ", ""],
    "fbclid": ["fb.1.123", ""],
    "li_fat_id": ["li-1", ""],
    "order_id": ["O-1", ""],
}
INVALID = {
    "conversion_id": ["", " "],
    "occurred_at": ["2026-02-29", "2026-11-31", "2026-13-01", "yesterday", "20-11-2026", ""],
    "kind": ["refund", "deals", ""],
    "value": ["-5", "-0.5", "1.23456", "lots", "NaN", "1,5", ""],
    "currency": ["US", "EURO", "E1R", ""],
    "email": ["not-an-email", "a@b", "a b@c.de"],
    "email_sha256": ["xyz", "0" * 63],
    "phone": ["12345", "abc"],
}


@st.composite
def records(draw: st.DrawFn) -> dict[str, str]:
    """A record of valid values, with none, one or two columns made invalid."""
    record = {c: draw(_padded(VALID[c])) for c in COLUMNS}
    for column in draw(st.lists(st.sampled_from(sorted(INVALID)), max_size=2, unique=True)):
        record[column] = draw(_padded(INVALID[column]))
    return record


RECORDS = st.lists(records(), min_size=1, max_size=25)


def _read(folder: Path) -> tuple[list[dict], list]:
    c = OfflineConversionsConnector(OfflineConversionsSettings(
        folder=folder, source_name="crm", timezone=ZONE, scratch_dir=folder.parent / "scratch"))
    try:
        [account] = c.list_accounts()
        result = c.read("conversions", account)
        return result.all_rows(), result.rejects
    finally:
        c.close()


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=RECORDS)
def test_bulk_checks_accept_and_normalise_what_the_row_parser_did(tmp_path: Path, records):
    folder = tmp_path / "drop"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    expected: dict[str, OfflineConversionRow] = {}
    rejected_lines: set[int] = set()
    with (folder / "f.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for number, record in enumerate(records):
            if record["conversion_id"].strip():
                record = {**record, "conversion_id": record["conversion_id"] + str(number)}
            writer.writerow([record[c] for c in COLUMNS])
            if not any(v.strip() for v in record.values()):
                continue  # a blank line: neither a row nor a reject
            try:
                row = reference_parse(record, ZoneInfo(ZONE), number + 2)
            except (ValueError, ArithmeticError):
                rejected_lines.add(number + 2)
            else:
                expected[row.conversion_id] = row
    rows, rejects = _read(folder)
    got_lines = {r.location.index for r in rejects}
    assert got_lines == rejected_lines, [r.error for r in rejects]
    assert {r["conversion_id"] for r in rows} == set(expected)
    for produced in rows:
        want = expected[produced["conversion_id"]].model_dump(exclude={"source_file"})
        assert OfflineConversionRow.model_validate(produced)  # the declared model holds
        got = {k: produced[k] for k in want}
        assert got == want


def test_rows_the_reader_produces_carry_exact_types_and_lineage(tmp_path: Path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "deals.csv").write_text(
        "Conversion_ID,OCCURRED_AT,kind,value,currency,email,phone,gclid\n"
        "A1, 2026-11-20T10:00:00 ,Deal,1200.5,eur,Ada@Example.COM,+49 (30) 123-456,Cj0\n")
    [row], rejects = _read(folder)
    assert rejects == []
    assert row == {
        "account_id": "crm", "conversion_id": "A1",
        "occurred_at": datetime(2026, 11, 20, 9, tzinfo=UTC), "occurred_date": date(2026, 11, 20),
        "kind": "deal", "value": Decimal("1200.5000"), "currency": "EUR",
        "email": "ada@example.com", "email_sha256": None, "phone": "+4930123456",
        "crm_id": None, "click_id_type": "gclid", "click_id": "Cj0", "order_id": None,
        "source_file": "deals.csv", "source_line": 2,
    }


def test_where_the_bulk_checks_are_stricter_than_the_row_parser_was(tmp_path: Path):
    """Exponents, years far away and over-long text were accepted row by row; not any more."""
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "odd.csv").write_text(
        "conversion_id,occurred_at,kind,value,currency,email\n"
        "E1,2026-11-20,deal,1e3,EUR,e@example.com\n"
        "E2,0001-01-01,deal,1,EUR,e@example.com\n"
        "E3,2026-11-20,deal,1,EUR," + "e" * 250 + "@example.com\n")
    rows, rejects = _read(folder)
    assert rows == []
    assert [r.error for r in rejects] == [
        "file odd.csv line 2: value '1e3' is not a decimal number (at most 14 digits, and 4 "
        "after the point)",
        "file odd.csv line 3: occurred_at '0001-01-01' is outside the years 2000 to 2099",
        "file odd.csv line 4: email: at most 254 characters",
    ]


def test_a_read_keeps_its_working_files_until_the_connector_is_closed(tmp_path: Path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.csv").write_text("conversion_id,occurred_at,kind,value,currency,crm_id\n"
                                  "A,2026-11-20,deal,1,EUR,c1\n")
    c = OfflineConversionsConnector(OfflineConversionsSettings(
        folder=folder, source_name="crm", scratch_dir=tmp_path / "scratch"))
    [account] = c.list_accounts()
    result = c.read("conversions", account)
    assert result.row_file is not None and result.row_file.path.exists()
    assert result.row_count == 1 and result.rows == []
    c.close()
    assert not result.row_file.path.exists()
    assert list((tmp_path / "scratch").iterdir()) == []
