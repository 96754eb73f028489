"""Redaction of secrets from URLs, messages and log records.

Everything that leaves the connector layer as text (exception messages, recorded calls, log
lines) goes through :func:`redact`. Two mechanisms cooperate: patterns that catch the usual
secret-bearing parameters and headers whatever their value, and a process-wide registry of
known secret values (every credential the connectors hold is registered when its auth object
is built), so a token echoed back in an unexpected place is still masked.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

MASK = "***"

# Query/form parameters and JSON keys whose value is a secret.
_SECRET_KEYS = (
    "access_token",
    "refresh_token",
    "fb_exchange_token",
    "client_secret",
    "app_secret",
    "appsecret_proof",
    "api_key",
    "apikey",
    "key",
    "token",
    "password",
    "developer_token",
)
_KEYS = "|".join(_SECRET_KEYS)
_PARAM_RE = re.compile(rf"(?i)(?<![A-Za-z0-9_])({_KEYS})=([^&\s\"',;]+)")
_JSON_RE = re.compile(rf"(?i)(\"(?:{_KEYS})\"\s*:\s*\")([^\"]*)(\")")
_BEARER_RE = re.compile(r"(?i)(bearer\s+)([A-Za-z0-9\-._~+/=]{4,})")

_known_lock = threading.Lock()
_known_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that :func:`redact` masks it wherever it appears.

    Args:
        value: the plain secret; empty or very short values are ignored (masking them would
            mangle ordinary text).

    """
    if value and len(value) >= 6:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: Any) -> str:
    """Return ``text`` as a string with every secret masked.

    Args:
        text: anything; it is converted with ``str()`` first.

    Returns:
        The text with secret parameters, bearer tokens, JSON secret fields and every
        registered secret value replaced by ``***``.

    """
    out = str(text)
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for secret in known:
        if secret in out:
            out = out.replace(secret, MASK)
    out = _PARAM_RE.sub(lambda m: f"{m.group(1)}={MASK}", out)
    out = _JSON_RE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", out)
    return _BEARER_RE.sub(lambda m: f"{m.group(1)}{MASK}", out)


def redact_url(url: Any) -> str:
    """Return a URL without its query string (the query may carry tokens), for labels.

    Args:
        url: an ``httpx.URL`` or a string.

    Returns:
        ``scheme://host[:port]/path`` or just the path when the URL is relative, redacted.

    """
    text = str(url)
    return redact(text.split("?", 1)[0])


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        record.msg = redact(message)
        record.args = None
        return True


_installed_lock = threading.Lock()
_installed: set[str] = set()


# Logger filters do not apply to records of child loggers, so every logger that may format a
# URL is listed.
_DEFAULT_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "connectors",
    "connectors.meta_ads",
)


def install_log_redaction(logger_names: Iterable[str] = _DEFAULT_LOGGERS) -> None:
    """Attach a :class:`RedactingFilter` once to each named logger.

    httpx logs every request URL at INFO, and Meta carries the token in the query string, so
    its logger must be filtered before any request is sent.

    Args:
        logger_names: the loggers to protect.

    """
    with _installed_lock:
        for name in logger_names:
            if name in _installed:
                continue
            logging.getLogger(name).addFilter(RedactingFilter())
            _installed.add(name)
