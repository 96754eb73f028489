"""Checking drop-folder records in DuckDB, batch by batch, with memory bounded by a setting.

A read may meet files of any size, so records never pile up in Python: each batch of raw
text (a CSV batch as Arrow, or a whole Parquet file streamed by DuckDB) is checked by one
vectorised query (:data:`_CHECK`) into the table ``current`` of a DuckDB database whose
``memory_limit`` is the connector's ``spill_memory_mb``; larger data spills to the scratch
folder. When a file ends, its rows outside the window are dropped, a second row for one
``conversion_id`` with other values is rejected (an export that contradicts itself), and its
good rows move to ``kept``. At the end, one query picks each conversion's answer across files
(the latest file's; its lineage is the earliest file that has said the same since) and
writes the rows to Parquet for the landing file.

The rules here are the declared schema (``schema.py``); ``OfflineConversionRow`` validates
every row this produces (a test holds that).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from connectors.offline_conversions.reader import FileRefused
from connectors.offline_conversions.schema import (
    CLICK_ID_COLUMNS,
    COLUMNS,
    EARLIEST_YEAR,
    IDENTIFIERS,
    LATEST_YEAR,
    MAX_LENGTHS,
    REQUIRED,
)
from connectors.streams import DateWindow

__all__ = ["CheckedFile", "ConversionSpill"]

_ISO = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)? ?(Z|[+-]\d{2}(:?\d{2})?)?"
_DECIMAL = r"\+?(\d{1,14}(\.\d{0,4}0*)?|\.\d{1,4}0*)"
_NEGATIVE = r"-(\d+(\.\d*)?|\.\d+)"
_BUSINESS = ("conversion_id", "occurred_at", "kind", "value", "currency", "email",
             "email_sha256", "phone", "crm_id", "click_id_type", "click_id", "order_id")
# The checked values in _CHECK's output order (the business columns of a row).
_NORMALISED = ("conversion_id", "occurred_ts", "kind_n", "value_n", "currency_n", "email_n",
               "sha_n", "phone_n", "crm_id", "click_type", "click_value", "order_id")
_OUT = ("account_id", "conversion_id", "occurred_at", "occurred_date", "kind", "value",
        "currency", "email", "email_sha256", "phone", "crm_id", "click_id_type", "click_id",
        "order_id", "source_file", "source_line")
_VALUE_LIMIT = 64  # characters of a value quoted in a message


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quoted(column: str) -> str:
    return f"'''' || left({column}, {_VALUE_LIMIT}) || ''''"


def _space_class() -> str:
    """Return an RE2 class of exactly the characters Python's ``str.strip()`` removes."""
    spaces = [i for i in range(0x3001) if chr(i).isspace()]
    ranges: list[list[int]] = []
    for code in spaces:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}"
                         for a, b in ranges) + "]"


_SPACE = _space_class()


def _strip(column: str) -> str:
    # Guarded: most cells have nothing to strip, and the test is much cheaper than the edit.
    value = f'"{column}"'
    return (f"nullif(CASE WHEN regexp_matches({value}, '^{_SPACE}|{_SPACE}$') "
            f"THEN regexp_replace({value}, '^{_SPACE}+|{_SPACE}+$', '', 'g') "
            f"ELSE {value} END, '') AS {column}")


def _too_long(column: str) -> str:
    limit = MAX_LENGTHS[column]
    return f"CASE WHEN length({column}) > {limit} THEN '{column}: at most {limit} characters' END"


_MISSING = "concat_ws(', ', " + ", ".join(
    f"CASE WHEN {c} IS NULL THEN '{c}' END" for c in REQUIRED) + ")"
_PROBLEMS = ", ".join([
    *(_too_long(c) for c in MAX_LENGTHS),
    f"CASE WHEN occurred_ts IS NULL THEN 'occurred_at ' || {_quoted('occurred_at')} || "
    "' is not an ISO 8601 date or timestamp' "
    f"WHEN year(occurred_ts) NOT BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR} THEN 'occurred_at ' || "
    f"{_quoted('occurred_at')} || ' is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}' END",
    "CASE WHEN kind_n NOT IN ('deal', 'store_sale') THEN "
    "'kind: must be deal or store_sale, not ' || " + _quoted("kind") + " END",
    f"CASE WHEN regexp_full_match(value, '{_NEGATIVE}') THEN "
    "'value: must be greater than or equal to 0' "
    f"WHEN NOT regexp_full_match(value, '{_DECIMAL}') THEN 'value ' || {_quoted('value')} || "
    "' is not a decimal number (at most 14 digits, and 4 after the point)' END",
    "CASE WHEN NOT regexp_full_match(currency_n, '[A-Z]{3}') THEN "
    "'currency: must be a three-letter ISO 4217 code' END",
    "CASE WHEN NOT regexp_full_match(email_n, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+') THEN "
    "'email: is not an email address' END",
    "CASE WHEN NOT regexp_full_match(sha_n, '[0-9a-f]{64}') THEN "
    "'email_sha256: must be 64 lower-case hex digits (SHA-256 of the email)' END",
    "CASE WHEN NOT regexp_full_match(phone_n, '\\+?\\d{6,15}') THEN "
    "'phone: must be 6 to 15 digits with an optional leading +' END",
    "CASE WHEN coalesce(" + ", ".join(("email", "email_sha256", "phone", "crm_id",
                                        *CLICK_ID_COLUMNS)) + ") IS NULL THEN "
    f"'no identifier: give at least one of {', '.join(IDENTIFIERS)} to match the conversion "
    "to a person or an ad click' END",
])
_RAW_JSON = "CAST(to_json(struct_pack(" + ", ".join(
    f"{c} := left({c}, {_VALUE_LIMIT})" for c in COLUMNS) + ")) AS VARCHAR)"

# One batch of raw text (relation {source}: line, pre_error, raw and every declared column as
# VARCHAR) checked into `current`: typed values, an error text or NULL, and for a bad record
# a bounded copy of what it held.
_CHECK = f"""
INSERT INTO current
WITH src AS (
    SELECT line, pre_error, raw, {", ".join(_strip(c) for c in COLUMNS)} FROM {{source}}
), norm AS (
    SELECT *,
        CASE WHEN regexp_full_match(occurred_at, '{_ISO}')
             THEN try_cast(occurred_at AS TIMESTAMPTZ) END AS occurred_ts,
        lower(kind) AS kind_n, upper(currency) AS currency_n, lower(email) AS email_n,
        lower(email_sha256) AS sha_n,
        regexp_replace(phone, '[\\s\\-().]', '', 'g') AS phone_n,
        CASE {" ".join(f"WHEN {c} IS NOT NULL THEN '{c}'" for c in CLICK_ID_COLUMNS)}
        END AS click_type,
        coalesce({", ".join(CLICK_ID_COLUMNS)}) AS click_value,
        CASE WHEN regexp_full_match(value, '{_DECIMAL}')
             THEN TRY_CAST(ltrim(value, '+') AS DECIMAL(18, 4)) END AS value_n
    FROM src
    WHERE pre_error IS NOT NULL OR coalesce({", ".join(COLUMNS)}) IS NOT NULL
), checked AS (
    SELECT *, CASE
        WHEN pre_error IS NOT NULL THEN pre_error
        WHEN {_MISSING} <> '' THEN 'missing value(s) for ' || {_MISSING}
        ELSE nullif(concat_ws('; ', {_PROBLEMS}), '') END AS error
    FROM norm
)
SELECT line, error,
    CASE WHEN error IS NULL THEN NULL WHEN pre_error IS NOT NULL THEN raw ELSE {_RAW_JSON} END,
    hash({", ".join(_NORMALISED)}),
    conversion_id, occurred_ts,
    CAST(timezone(current_setting('TimeZone'), occurred_ts) AS DATE), kind_n,
    value_n, currency_n, email_n, sha_n, phone_n, crm_id, click_type, click_value, order_id
FROM checked
"""

_TABLES = """
CREATE TABLE current (
    line BIGINT, error VARCHAR, raw VARCHAR, business UBIGINT, conversion_id VARCHAR,
    occurred_at TIMESTAMPTZ,
    occurred_date DATE, kind VARCHAR, value DECIMAL(18, 4), currency VARCHAR, email VARCHAR,
    email_sha256 VARCHAR, phone VARCHAR, crm_id VARCHAR, click_id_type VARCHAR,
    click_id VARCHAR, order_id VARCHAR);
CREATE TABLE kept AS SELECT 0 AS file_index, ''::VARCHAR AS source_file,
    * EXCLUDE (error, raw) FROM current WHERE false;
"""
# Per conversion_id in the current file: the first row's line and values.
_FIRSTS = """(SELECT conversion_id AS id, min(line) AS first_line,
    arg_min(business, line) AS first_business
    FROM current WHERE error IS NULL GROUP BY conversion_id HAVING count(*) > 1) AS f"""


@dataclass(frozen=True)
class CheckedFile:
    """What one file gave: its good rows (now kept), rows outside the window, its rejects.

    Attributes:
        rows: rows kept from the file.
        skipped: good rows outside the window (not rejects: they were read before, or are
            older than the lookback).
        rejects: ``(line, error, raw JSON)`` of each rejected record, in line order.

    """

    rows: int
    skipped: int
    rejects: list[tuple[int, str, str]]


class ConversionSpill:
    """A scratch DuckDB database that checks, deduplicates and writes one read's records.

    Args:
        directory: an empty scratch folder (removed by the caller).
        timezone: the source's IANA zone (timestamps without offset, and days).
        account_id: the source name every row carries.
        window: keep only rows whose day is in it (None: all).
        memory_mb: DuckDB's memory limit; past it, data spills to ``directory``.

    """

    def __init__(self, directory: Path, *, timezone: str, account_id: str,
                 window: DateWindow | None, memory_mb: int) -> None:
        # In memory, bounded: past memory_limit DuckDB evicts table blocks to the temporary
        # directory (as fast as a database file, without its checkpoint writes).
        self._con = duckdb.connect(":memory:", config={
            "memory_limit": f"{memory_mb}MB", "threads": "1", "preserve_insertion_order": "false",
            "temp_directory": str(directory / "tmp"),
        })
        self._all("SET enable_progress_bar = false")
        # ICU is built in but loads after connect: the zone is set once it is there.
        self._all(f"SET TimeZone = {_q(timezone)}")
        self._con.execute(_TABLES).fetchall()
        self._account = account_id
        self._window = window

    def _all(self, sql: str, parameters: list[Any] | None = None) -> list[Any]:
        # Every statement is read to its end: DuckDB refuses the next one on this connection
        # while a result (an INSERT's count included) is pending.
        return self._con.execute(sql, parameters).fetchall()

    def add_batch(self, batch: pa.Table) -> int:
        """Check one batch of raw records of the current file; return its rejects so far.

        Args:
            batch: ``line`` (int64), ``pre_error`` and ``raw`` (string, set for a record the
                reader already refused) and every declared column as string.

        """
        self._con.register("batch", batch)
        try:
            self._all(_CHECK.replace("{source}", "batch"))
        finally:
            self._con.unregister("batch")
        return self._errors()

    def add_parquet(self, path: str, columns: dict[str, str]) -> int:
        """Check a whole Parquet file as the current file, streamed by DuckDB.

        Args:
            path: a path DuckDB can open (the descriptor's ``/proc/self/fd/N``).
            columns: declared column -> the file's own column name.

        Raises:
            FileRefused: DuckDB cannot read the file.

        """
        select = ", ".join(
            f"CAST({_ident(columns[c])} AS VARCHAR) AS {c}" if c in columns
            else f"NULL::VARCHAR AS {c}" for c in COLUMNS
        )
        source = (f"(SELECT file_row_number + 1 AS line, NULL::VARCHAR AS pre_error, "
                  f"NULL::VARCHAR AS raw, {select} "
                  f"FROM read_parquet({_q(path)}, file_row_number = true))")
        try:
            self._all(_CHECK.replace("{source}", source))
        except duckdb.OutOfMemoryException:
            raise  # the limit, not the file: the caller says so
        except duckdb.Error as exc:
            raise FileRefused(f"not a readable Parquet file: {type(exc).__name__}") from None
        return self._errors()

    def _errors(self) -> int:
        [(count,)] = self._all("SELECT count(*) FROM current WHERE error IS NOT NULL")
        return int(count)

    def discard_file(self) -> None:
        """Forget the current file's records (a file is read whole or not at all)."""
        self._all("DELETE FROM current")

    def finish_file(self, file_index: int, name: str) -> CheckedFile:
        """Close the current file: window, contradictions, rejects; keep its good rows."""
        run = self._all
        skipped = 0
        if self._window is not None:
            skipped = len(run(
                "DELETE FROM current WHERE error IS NULL AND occurred_date NOT BETWEEN ? AND ? "
                "RETURNING 1", [self._window.start, self._window.end]))
        run(f"""UPDATE current SET error = 'conversion_id ' || {_quoted('id')}
            || ' already on line ' || f.first_line || ' with different values'
            FROM {_FIRSTS} WHERE current.error IS NULL AND current.conversion_id = f.id
            AND current.line > f.first_line AND current.business <> f.first_business""")
        run(f"""DELETE FROM current USING {_FIRSTS} WHERE current.error IS NULL
            AND current.conversion_id = f.id AND current.line > f.first_line
            AND current.business = f.first_business""")
        rejects = [
            (int(line), str(error), str(raw))
            for line, error, raw in run(
                "SELECT line, error, coalesce(raw, CAST(to_json(struct_pack("
                + ", ".join(f"{c} := left(CAST({c} AS VARCHAR), {_VALUE_LIMIT})"
                            for c in _BUSINESS)
                + ")) AS VARCHAR)) FROM current WHERE error IS NOT NULL ORDER BY line")
        ]
        [(kept,)] = run(
            "INSERT INTO kept SELECT ?, ?, * EXCLUDE (error, raw) "
            "FROM current WHERE error IS NULL", [file_index, name])
        run("DELETE FROM current")
        return CheckedFile(int(kept), skipped, rejects)

    def write_rows(self, path: Path) -> tuple[int, int]:
        """Write each conversion's chosen row to Parquet; return (rows, conversions replaced).

        A later file's different values for a ``conversion_id`` replace an earlier file's;
        the row keeps the lineage of the earliest file that has given those values since.
        Rows are in the order their ``conversion_id`` first appeared.
        """
        columns = ", ".join(
            f"{_q(self._account)} AS account_id" if c == "account_id"
            else "CAST(line AS INTEGER) AS source_line" if c == "source_line" else c
            for c in _OUT)
        # Most ids are in one file only: they are taken as they are, and only ids several
        # files gave go through the window functions.
        chosen = f"""
            WITH repeated AS (
                SELECT conversion_id FROM kept GROUP BY conversion_id HAVING count(*) > 1
            ), single AS (
                SELECT *, file_index * 4294967296 + line AS first_seen
                FROM kept ANTI JOIN repeated USING (conversion_id)
            ), answers AS (
                SELECT *,
                    arg_max(business, file_index) OVER byid AS final,
                    min(file_index * 4294967296 + line) OVER byid AS first_seen
                FROM kept SEMI JOIN repeated USING (conversion_id)
                WINDOW byid AS (PARTITION BY conversion_id)
            ), marked AS (
                SELECT *, max(CASE WHEN business <> final THEN file_index END)
                    OVER (PARTITION BY conversion_id) AS last_other
                FROM answers
            ), several AS (
                SELECT * EXCLUDE (final, last_other) FROM marked
                WHERE business = final AND file_index > coalesce(last_other, -1)
                QUALIFY row_number() OVER (PARTITION BY conversion_id ORDER BY file_index) = 1
            )
            SELECT {columns} FROM (
                SELECT * FROM single UNION ALL BY NAME SELECT * FROM several
            ) ORDER BY first_seen"""
        [(rows,)] = self._all(f"COPY ({chosen}) TO {_q(str(path))} (FORMAT parquet)")
        [(replaced,)] = self._all(
            "SELECT count(*) FROM (SELECT conversion_id FROM kept GROUP BY conversion_id "
            "HAVING count(DISTINCT business) > 1)")
        return int(rows), int(replaced)

    def close(self) -> None:
        """Close the database (the caller removes the folder)."""
        self._con.close()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

