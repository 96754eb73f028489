"""Normalising the identifiers people type, the same way everywhere.

One rule per identifier, used by lead intake, the lifecycle flow and (later) audience syncs,
so a person typed as `` Ada@Example.COM `` in a form and ``ada@example.com`` in the shop
gets one person key. Platform-specific hashing rules (Google's gmail dots, Meta's phone
without ``+``) belong to the audience code, not here.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["InvalidIdentifier", "normalize_email", "normalize_phone", "person_key"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_NOISE = re.compile(r"[\s\-().]")


class InvalidIdentifier(ValueError):
    """An identifier that cannot be normalised (the message says which and why)."""


def normalize_email(raw: str) -> str:
    """Return the email trimmed and lower-cased.

    Raises:
        InvalidIdentifier: not of the form local@domain.tld.

    """
    email = raw.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidIdentifier(f"email {raw!r} is not an address of the form name@domain.tld")
    return email


def normalize_phone(raw: str, default_country_code: str | None = None) -> str:
    """Return the phone in E.164 form (``+`` and 8 to 15 digits).

    A number without ``+`` or ``00`` takes ``default_country_code`` (digits, e.g. ``49``)
    after dropping one leading trunk ``0``.

    Raises:
        InvalidIdentifier: letters, too few or too many digits, or no country code.

    """
    phone = _PHONE_NOISE.sub("", raw.strip())
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not phone.startswith("+"):
        if default_country_code is None:
            raise InvalidIdentifier(
                f"phone {raw!r} has no country code (+49...) and no default is configured"
            )
        phone = f"+{default_country_code}{phone.removeprefix('0')}"
    if not re.fullmatch(r"\+[1-9]\d{7,14}", phone):
        raise InvalidIdentifier(f"phone {raw!r} is not a number of 8 to 15 digits")
    return phone


def person_key(email: str) -> str:
    """Return the warehouse's person key of an email (as ``core.person_key`` computes it)."""
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()
    return f"em:{digest[:16]}"
