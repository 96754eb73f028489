"""Google's formatting of user identifiers before hashing (Data Manager, Enhanced Conversions).

Email: NFC, remove every whitespace character, lowercase; for gmail.com and googlemail.com
only, remove dots and any ``+suffix`` before the ``@``. Phone: E.164 **with** ``+``. Then
SHA-256, hex encoded. These differ from Meta's rules (no gmail rule there, no ``+``), so a
person hashes differently per platform.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from connectors.google_data_manager import settings as C

__all__ = ["google_email", "google_phone", "sha256_hex"]

_DIGITS = re.compile(r"\d+")


def sha256_hex(value: str) -> str:
    """Return the lowercase hex SHA-256 of ``value`` (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def google_email(raw: str | None) -> str | None:
    """Format an email per Google; None when it is not an email."""
    if raw is None:
        return None
    value = "".join(unicodedata.normalize("NFC", raw).split()).lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or "@" in domain:
        return None
    if domain in C.GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        if not local:
            return None
    return f"{local}@{domain}"


def google_phone(raw: str | None, default_country_code: str | None = None) -> str | None:
    """Format a phone as E.164 with ``+``; None when it cannot be one.

    A number written with ``+`` or ``00`` is international; otherwise the national trunk
    zero is dropped and ``default_country_code`` prepended (without one the digits are taken
    as already international). E.164 allows at most 15 digits; fewer than 8 is refused.
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    digits = "".join(_DIGITS.findall(text))
    if text.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif default_country_code:
        digits = default_country_code.lstrip("+0") + digits.lstrip("0")
    digits = digits.lstrip("0")
    return f"+{digits}" if 8 <= len(digits) <= 15 else None
