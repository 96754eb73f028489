"""Constants of the Acme Ads connector. Constants only: no logic, no I/O."""

from __future__ import annotations

PLATFORM = "acme_ads"

BASE_URL = "https://api.acme-ads.example"
TOKEN_PATH = "/oauth/token"
API_PREFIX = "/v1"

# Collections page with ``limit``/``cursor``; the next cursor is ``paging.next_cursor``.
OBJECT_PAGE_SIZE = 100
STATS_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000

# Usage headers on every answer: the quota of the account (or the app, for account listings).
LIMIT_HEADER = "X-RateLimit-Limit"
REMAINING_HEADER = "X-RateLimit-Remaining"

# ``error.code`` values of Acme's error body {"error": {"code", "message"}}.
EXPIRED_TOKEN_CODES = frozenset({"token_expired"})
THROTTLE_CODES = frozenset({"rate_limited", "quota_exhausted"})

MAX_LOOKBACK_DAYS = 28
DEFAULT_LOOKBACK_DAYS = 7
DEFAULT_INITIAL_DAYS = 30
DEFAULT_REQUESTS_PER_SECOND = 10.0
