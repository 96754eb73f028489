"""What a message may quote of a drop-folder file: a position, and a short redacted excerpt.

Rejects are stored (landing and quarantine files, ``ops.quality_results`` samples) and shown
in logs and artifacts, so whatever a bad file holds must not travel with them: a file that is
not the export it claims to be may hold anything (environment variables, password lines, keys).
Every piece of file content in a reject or message goes through :func:`excerpt`: secrets the
process knows and ``NAME=value`` pairs are masked, control characters escaped, and the result
cut to a few dozen characters.
"""

from __future__ import annotations

import re

from connectors._redact import MASK, redact

__all__ = ["EXCERPT_CHARS", "column_label", "excerpt", "safe_name"]

EXCERPT_CHARS = 64
"""The most characters of one value a reject or message quotes."""

_NAME_CHARS = 120
# NAME=value as an environment, a .env or an INI file writes it: the value is masked.
_ASSIGNMENT = re.compile(r"\b([A-Za-z_][A-Za-z0-9_.-]{1,63})\s*=\s*(\S+)")
_COLUMN_NAME = re.compile(r"^[a-z0-9_ .()/-]{1,40}$")


def _escape_controls(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256
                   else f"\\u{ord(c):04x}" for c in text)


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """Return a bounded, redacted excerpt of ``value`` fit to store and show.

    Args:
        value: text read from a file (anything is converted with ``str``).
        limit: the most characters kept (before escaping), then ``…(+N)``.

    """
    text = str(value)
    cut = len(text) - limit
    text = text[: limit * 4]  # redact a little beyond the cut: a secret may straddle it
    text = redact(_ASSIGNMENT.sub(lambda m: f"{m.group(1)}={MASK}", text))
    text = _escape_controls(text[:limit])
    return f"{text}…(+{cut})" if cut > 0 else text


def safe_name(name: str) -> str:
    """Return a file name fit for a message: control characters escaped, length bounded."""
    return excerpt(name, _NAME_CHARS)


def column_label(name: str) -> str:
    """Return how a header column that is not declared is named in a message.

    A name that looks like a column (``emial``, ``order id``) is quoted so a typo is easy to
    find; anything else (a line of a file that is not an export) is described, not quoted.
    """
    if _COLUMN_NAME.match(name):
        return repr(name)
    return f"<not shown: {len(name)} characters that do not look like a column name>"
