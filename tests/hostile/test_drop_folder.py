"""The offline-conversions drop folder against a careless partner and an attacker.

Each case puts something into the folder and runs what a scheduled extract runs (read, land,
check, publish): nothing outside the folder is read, and nothing a bad file holds reaches a
stored reject, the quarantine, ``ops.quality_results`` or the log beyond a position and a
bounded, redacted excerpt.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import warehouse
from connectors.offline_conversions import OfflineConversionsConnector, OfflineConversionsSettings

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
HEADER = "conversion_id,occurred_at,kind,value,currency,email\n"
GOOD = HEADER + "G1,2026-11-20,deal,10.00,EUR,good@example.com\n"
CANARY = "whsec_Q0FOQVJZLXNlY3JldC12YWx1ZS0xMjM0NTY3ODk="


def _connector(folder: Path, **settings) -> OfflineConversionsConnector:
    return OfflineConversionsConnector(
        OfflineConversionsSettings(folder=folder, source_name="partner", **settings),
        clock=lambda: NOW)


def _publish(tmp_path: Path, folder: Path, **settings):
    """Read the folder and publish it as the extract does; return rows, rejects, warehouse."""
    c = _connector(folder, **settings)
    [account] = c.list_accounts()
    try:
        result = c.read("conversions", account, None)
        rows = result.all_rows()
        landing = warehouse.write_landing(
            tmp_path / "landing", platform="offline_conversions", stream="conversions",
            account_id=account.id, run_id="run1", rows=result.rows, row_file=result.row_file,
            rejects=result.rejects)
    finally:
        c.close()
    wh = warehouse.connect(tmp_path / "wh.duckdb", landing_root=tmp_path / "landing")
    batch = warehouse.LoadBatch("offline_conversions", account.id, "run1", (landing,))
    warehouse.load_batch(wh, batch, [], warehouse.QualityContext(engine="duckdb"))
    return rows, result.rejects, wh


def _everything_stored(tmp_path: Path, wh, caplog) -> str:
    """All text a run left behind: landing and quarantine files, ops tables, the log."""
    texts = [p.read_text(errors="replace") for p in tmp_path.rglob("*")
             if p.is_file() and p.suffix in {".jsonl", ".json", ".csv"}
             and not {"drop", "outside"} & set(p.parts)]
    for (table,) in wh.fetchall("SELECT table_schema || '.' || table_name "
                                "FROM information_schema.tables WHERE table_schema = 'ops'"):
        texts.append(json.dumps(wh.fetchall(f"SELECT * FROM {table}"), default=str))
    texts.append(caplog.text)
    return "\n".join(texts)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a-good.csv").write_text(GOOD, encoding="utf-8")
    return folder


def test_a_link_to_the_workers_environment_is_refused_and_no_secret_is_stored(
    tmp_path, drop, monkeypatch, caplog
):
    monkeypatch.setenv("CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS", CANARY)
    (drop / "environ.csv").symlink_to("/proc/self/environ")
    caplog.set_level(logging.DEBUG)
    rows, rejects, wh = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    [reject] = rejects
    assert reject.error.startswith("file environ.csv is a symbolic link")
    stored = _everything_stored(tmp_path, wh, caplog)
    assert "environ.csv is a symbolic link" in stored  # the reject did reach the quarantine
    assert CANARY not in stored and "Q0FOQVJZ" not in stored
    assert "CAMPAIGN_OPS_GATEWAY" not in stored and "PATH=" not in stored


def test_links_to_system_files_and_to_exports_elsewhere_are_refused(tmp_path, drop, caplog):
    outside = tmp_path / "outside" / "elsewhere.csv"
    outside.parent.mkdir()
    outside.write_text(HEADER + "X999,2026-11-20,deal,999,USD,x@example.com\n")
    (drop / "passwd.csv").symlink_to("/etc/passwd")
    (drop / "outside.csv").symlink_to(outside)
    (drop / "dir-link.csv").symlink_to(tmp_path)
    rows, rejects, wh = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]  # no 999 USD conversion
    assert sorted(r.error.split(" is ")[0] for r in rejects) == [
        "file dir-link.csv", "file outside.csv", "file passwd.csv"]
    assert all("symbolic link" in r.error for r in rejects)
    stored = _everything_stored(tmp_path, wh, caplog)
    assert "root:" not in stored and "/bin/" not in stored and "X999" not in stored


def test_a_fifo_a_folder_and_a_socket_named_like_exports_are_refused_without_hanging(
    tmp_path, drop
):
    os.mkfifo(drop / "pipe.csv")  # opening a FIFO for reading would block forever
    (drop / "folder.csv").mkdir()
    (drop / "folder.csv" / "inner.csv").write_text(GOOD.replace("G1", "INNER"))
    rows, rejects, _ = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    assert sorted(r.error for r in rejects) == [
        "file folder.csv is a directory, not a regular file",
        "file pipe.csv is a FIFO, not a regular file",
    ]


def test_a_secrets_file_dropped_as_csv_is_refused_without_quoting_it(tmp_path, drop, caplog):
    (drop / "settings.csv").write_text(
        f"CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS={CANARY},DB_PASSWORD=hunter2hunter2\n"
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n")
    rows, rejects, wh = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    [reject] = rejects
    assert reject.error.startswith("file settings.csv: line 1: unknown column(s) <not shown")
    stored = _everything_stored(tmp_path, wh, caplog)
    for secret in (CANARY, "hunter2", "wJalrXUtnFEMIK7MDENG", "WEBFORM_SECRETS"):
        assert secret not in stored


def test_values_of_a_bad_line_are_bounded_and_redacted_in_every_stored_copy(
    tmp_path, drop, caplog
):
    long_junk = "x" * 5000
    (drop / "b-bad.csv").write_text(
        HEADER
        + f"B1,2026-11-20,deal,lots,EUR,api_key=sk_live_{'9' * 40}\n"
        + f"B2,{long_junk},deal,1,EUR,b@example.com\n"
        + f"B3,2026-11-20,deal,1,EUR,b@example.com,{long_junk},TOKEN=abcdefabcdef\n")
    rows, rejects, wh = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    assert [r.error.split(":")[0] for r in rejects] == [
        "file b-bad.csv line 2", "file b-bad.csv line 3", "file b-bad.csv line 4"]
    for reject in rejects:
        assert len(reject.raw_json) < 2000 and len(reject.error) < 500
    stored = _everything_stored(tmp_path, wh, caplog)
    assert "sk_live_9999" not in stored and "abcdefabcdef" not in stored
    assert "x" * 200 not in stored


def test_a_file_over_the_size_limit_or_with_an_endless_line_is_refused_whole(tmp_path, drop):
    (drop / "big.csv").write_text(GOOD.replace("G1", "BIG") * 200)
    (drop / "long.csv").write_text(HEADER + "L1,2026-11-20,deal,1,EUR,l@example.com\n"
                                   + "L2," + "y" * 2000 + "\n")
    rows, rejects, _ = _publish(tmp_path, drop, max_file_bytes=4096, max_line_chars=1024)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    errors = sorted(r.error for r in rejects)
    assert errors[0].startswith("file big.csv: ") and "over the limit of 4096 bytes" in errors[0]
    assert errors[1] == ("file long.csv: line 3 is longer than 1024 characters "
                         "(max_line_chars)")  # L1 of that file did not land either


def test_a_file_that_is_mostly_rejects_is_refused_whole_with_one_reject(tmp_path, drop):
    lines = "".join(f"R{i},not-a-date,deal,1,EUR,r@example.com\n" for i in range(50))
    (drop / "r.csv").write_text(HEADER + "R-ok,2026-11-20,deal,1,EUR,r@example.com\n" + lines)
    rows, rejects, _ = _publish(tmp_path, drop, max_rejected_lines=20)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    [reject] = rejects
    assert reject.error.startswith("file r.csv: more than 20 rejected lines")


def test_bytes_that_are_not_utf8_or_csv_refuse_their_file_and_name_where(tmp_path, drop):
    latin1 = "L1,2026-11-20,deal,1,EUR,m\xfcller@example.com\n".encode("latin-1")
    (drop / "latin1.csv").write_bytes(HEADER.encode() + latin1)
    (drop / "quote.csv").write_text(HEADER + 'Q1,2026-11-20,deal,1,EUR,"q@example.com\n' + "x" * 10)
    (drop / "binary.parquet").write_bytes(b"PAR1" + os.urandom(64))
    rows, rejects, _ = _publish(tmp_path, drop)
    assert [r["conversion_id"] for r in rows] == ["G1"]
    errors = {r.error.split(":")[0]: r.error for r in rejects}
    assert errors["file latin1.csv"].startswith("file latin1.csv: not UTF-8 text")
    assert errors["file binary.parquet"].startswith("file binary.parquet: not a readable Parquet")
    # An unclosed quote runs to the end of the file: one record, whose email is not one.
    assert errors["file quote.csv line 3"].endswith("email: is not an email address")
    assert all(len(e) < 500 for e in errors.values())
