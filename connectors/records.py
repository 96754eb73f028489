"""Turning raw API records into rows: validate, check the window, de-duplicate, or reject.

Written once for every platform: a connector hands each raw record, its location and a
``to_row`` function (edge model -> row model) to a :class:`RecordCollector`; what comes out
is a :class:`~connectors.streams.StreamResult` whose rows all validated and have unique
primary keys, and whose rejects say where and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from connectors.streams import (
    DateWindow,
    RecordLocation,
    RejectedRecord,
    StreamResult,
    StreamSpec,
)

__all__ = ["RecordCollector", "validation_message"]


def validation_message(exc: ValidationError) -> str:
    """Summarise a pydantic error without echoing the input values."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        where = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{where}: {message}" if where else message)  # whole-record checks
    return "; ".join(parts)


def _raw_json(raw: Any) -> str:
    try:
        return json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return json.dumps(repr(raw))


class RecordCollector:
    """Collects the rows and rejects of one read of one stream and account.

    * a record whose model fails becomes a reject;
    * a report row outside ``window`` becomes a reject;
    * an exact duplicate of a key already seen is dropped; a duplicate key with different
      values becomes a reject (the first row is kept).

    Args:
        spec: the stream.
        account_id: the account read.
        window: the report window, for report streams.

    """

    def __init__(self, spec: StreamSpec, account_id: str, window: DateWindow | None = None):
        self.spec = spec
        self.window = window
        self.result = StreamResult(stream=spec.name, account_id=account_id, window=window)
        self._seen: dict[tuple[Any, ...], dict[str, Any]] = {}

    def location(self, page: int, index: int) -> RecordLocation:
        """Return the location of record ``index`` on page ``page``."""
        return RecordLocation(self.spec.name, self.result.account_id, page, index)

    def reject(self, where: RecordLocation, raw: Any, error: str) -> None:
        """Keep ``raw`` as a rejected record."""
        self.result.rejects.append(
            RejectedRecord(
                stream=self.spec.name, raw_json=_raw_json(raw), error=error, location=where
            )
        )

    def add(self, where: RecordLocation, raw: Any, to_row: Callable[[Any], BaseModel]) -> None:
        """Validate one raw record and keep it as a row or a reject.

        Args:
            where: the record's location.
            raw: the record as decoded from JSON.
            to_row: builds the stream's row model from the raw record; raises
                ``ValidationError`` or ``ValueError`` for a bad record.

        """
        try:
            row = to_row(raw).model_dump()
        except ValidationError as exc:
            self.reject(where, raw, validation_message(exc))
            return
        except ValueError as exc:
            self.reject(where, raw, str(exc))
            return
        cursor = self.spec.cursor_field
        if self.window is not None and cursor is not None and row[cursor] not in self.window:
            self.reject(where, raw, f"{cursor} {row[cursor]} is outside the window {self.window}")
            return
        key = tuple(row[k] for k in self.spec.primary_key)
        previous = self._seen.get(key)
        if previous is None:
            self._seen[key] = row
            self.result.rows.append(row)
        elif previous != row:
            shown = dict(zip(self.spec.primary_key, key, strict=True))
            self.reject(where, raw, f"duplicate primary key {shown} with different values")
