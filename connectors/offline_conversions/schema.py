"""The declared schema of an offline-conversions file, and the row each line becomes.

A file has a header line naming its columns (any order; unknown columns are an error, so a
typo never drops data silently). Required: ``conversion_id``, ``occurred_at``, ``kind``,
``value``, ``currency``, and at least one identifier that can match the conversion to a
person or an ad click: ``email``, ``email_sha256``, ``phone``, ``crm_id``, ``gclid``,
``fbclid`` or ``li_fat_id``. Optional: ``order_id``.

* ``occurred_at``: ISO 8601; a timestamp without an offset is in the source's time zone; a
  bare date means midnight there.
* ``kind``: ``deal`` (a closed-won deal) or ``store_sale``.
* ``value``: a decimal number >= 0 with at most 4 decimals, in ``currency`` (ISO 4217).
* ``email`` is normalised (trimmed, lower-cased); ``email_sha256`` is the hex SHA-256 of a
  normalised email, for sources that may not hold plain addresses.
* ``phone``: digits with an optional leading ``+`` (spaces, dashes, dots and brackets are
  removed).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CLICK_ID_COLUMNS", "COLUMNS", "REQUIRED", "OfflineConversionRow", "parse_row"]

REQUIRED = ("conversion_id", "occurred_at", "kind", "value", "currency")
IDENTIFIERS = ("email", "email_sha256", "phone", "crm_id", "gclid", "fbclid", "li_fat_id")
CLICK_ID_COLUMNS = ("gclid", "fbclid", "li_fat_id")
COLUMNS = (*REQUIRED, *IDENTIFIERS, "order_id")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PHONE_NOISE = re.compile(r"[\s\-().]")


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
    email: str | None = None
    email_sha256: str | None = None
    phone: str | None = None
    crm_id: str | None = None
    click_id_type: str | None = None
    click_id: str | None = None
    order_id: str | None = None
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


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _timestamp(text: str, zone: ZoneInfo) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), zone)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"occurred_at {text!r} is not an ISO 8601 date or timestamp") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def parse_row(
    raw: dict[str, str | None], *, account_id: str, zone: ZoneInfo, file: str, line: int
) -> OfflineConversionRow:
    """Turn one file record (column -> text) into a row, or raise ``ValueError``.

    Raises:
        ValueError: a missing or malformed value (pydantic's ValidationError is a ValueError).

    """
    values = {k: _blank_to_none(v) for k, v in raw.items()}
    missing = [c for c in REQUIRED if values.get(c) is None]
    if missing:
        raise ValueError(f"missing value(s) for {', '.join(missing)}")
    occurred = _timestamp(str(values["occurred_at"]), zone)
    click_type = next((c for c in CLICK_ID_COLUMNS if values.get(c)), None)
    email = values.get("email")
    phone = values.get("phone")
    try:
        amount = Decimal(str(values["value"]))
    except ArithmeticError:
        raise ValueError(f"value {values['value']!r} is not a decimal number") from None
    if not amount.is_finite():
        raise ValueError(f"value {values['value']!r} is not a finite number")
    return OfflineConversionRow(
        account_id=account_id,
        conversion_id=str(values["conversion_id"]),
        occurred_at=occurred,
        occurred_date=occurred.astimezone(zone).date(),
        kind=str(values["kind"]).lower(),  # type: ignore[arg-type]  # validated by the model
        value=amount,
        currency=str(values["currency"]).upper(),
        email=email.lower() if email else None,
        email_sha256=(values.get("email_sha256") or "").lower() or None,
        phone=_PHONE_NOISE.sub("", phone) if phone else None,
        crm_id=values.get("crm_id"),
        click_id_type=click_type,
        click_id=values.get(click_type) if click_type else None,
        order_id=values.get("order_id"),
        source_file=file,
        source_line=line,
    )
