"""The declared schema of an offline-conversions file, and the row each line becomes.

A file has a header line naming its columns (any order, any case; unknown columns are an
error, so a typo never drops data silently). Required: ``conversion_id``, ``occurred_at``,
``kind``, ``value``, ``currency``, and at least one identifier that can match the conversion
to a person or an ad click: ``email``, ``email_sha256``, ``phone``, ``crm_id``, ``gclid``,
``fbclid`` or ``li_fat_id``. Optional: ``order_id``. Values are trimmed; an empty one is
missing.

* ``occurred_at``: ISO 8601, ``YYYY-MM-DD`` or ``YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]`` with an
  optional ``Z`` or ``±HH[:MM]``; a timestamp without an offset is in the source's time zone;
  a bare date means midnight there; years 2000 to 2099.
* ``kind``: ``deal`` (a closed-won deal) or ``store_sale`` (any case).
* ``value``: a decimal number >= 0, at most 14 digits before the point and 4 after (no
  exponent), in ``currency`` (ISO 4217, any case).
* ``email`` is lower-cased; ``email_sha256`` is the hex SHA-256 of a normalised email, for
  sources that may not hold plain addresses.
* ``phone``: 6 to 15 digits with an optional leading ``+`` (spaces, dashes, dots and
  brackets are removed).
* text is bounded: see :data:`MAX_LENGTHS`.

The rules are applied in bulk by ``spill.py`` (DuckDB); :class:`OfflineConversionRow`
declares the same columns and constraints as a model, and every row the reader produces
validates against it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "CLICK_ID_COLUMNS",
    "COLUMNS",
    "EARLIEST_YEAR",
    "IDENTIFIERS",
    "LATEST_YEAR",
    "MAX_LENGTHS",
    "REQUIRED",
    "OfflineConversionRow",
]

REQUIRED = ("conversion_id", "occurred_at", "kind", "value", "currency")
IDENTIFIERS = ("email", "email_sha256", "phone", "crm_id", "gclid", "fbclid", "li_fat_id")
CLICK_ID_COLUMNS = ("gclid", "fbclid", "li_fat_id")
COLUMNS = (*REQUIRED, *IDENTIFIERS, "order_id")
MAX_LENGTHS = {"conversion_id": 200, "email": 254, "crm_id": 200, "gclid": 500,
               "fbclid": 500, "li_fat_id": 500, "order_id": 200}
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class OfflineConversionRow(BaseModel):
    """One conversion as it lands in ``offline_conversions.conversions``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: str
    conversion_id: str = Field(min_length=1, max_length=200)
    occurred_at: datetime
    occurred_date: date
    kind: Literal["deal", "store_sale"]
    value: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    email: str | None = Field(default=None, max_length=MAX_LENGTHS["email"])
    email_sha256: str | None = None
    phone: str | None = None
    crm_id: str | None = Field(default=None, max_length=MAX_LENGTHS["crm_id"])
    click_id_type: Literal["gclid", "fbclid", "li_fat_id"] | None = None
    click_id: str | None = Field(default=None, max_length=500)
    order_id: str | None = Field(default=None, max_length=MAX_LENGTHS["order_id"])
    source_file: str
    source_line: int

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _EMAIL.match(value):
            raise ValueError("is not an email address")
        return value

    @field_validator("email_sha256")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        if value is not None and not _SHA256.match(value):
            raise ValueError("must be 64 lower-case hex digits (SHA-256 of the email)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"\+?\d{6,15}", value):
            raise ValueError("must be 6 to 15 digits with an optional leading +")
        return value

    @model_validator(mode="after")
    def _identified(self) -> OfflineConversionRow:
        if not any((self.email, self.email_sha256, self.phone, self.crm_id, self.click_id)):
            raise ValueError(
                "no identifier: give at least one of " + ", ".join(IDENTIFIERS)
                + " to match the conversion to a person or an ad click"
            )
        return self
