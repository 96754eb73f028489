"""Constants of the GA4 Data API connector. Constants only: no logic, no I/O.

The API version lives here and nowhere else.
"""

from __future__ import annotations

PLATFORM = "ga4"

# v1beta is the Data API's stable surface (v1alpha carries previews); no dated sunsets.
API_VERSION = "v1beta"
BASE_URL = "https://analyticsdata.googleapis.com"
ADMIN_BASE_URL = "https://analyticsadmin.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"

# The registered custom dimension that carries the GA client id (the ``_ga`` cookie's id,
# sent as an event parameter by the site's tag): the join key to people and ad clicks.
CLIENT_ID_DIMENSION = "customEvent:ga_client_id"

# GA4 keeps processing a day for 24-72 hours, so the last days are re-read on every run. The
# maximum allows a month for the rarer late changes (imported cost or conversion data, a
# Google Ads link backfilling campaign names); nothing restates further back.
DEFAULT_LOOKBACK_DAYS = 3
MAX_LOOKBACK_DAYS = 30
DEFAULT_INITIAL_DAYS = 30
# Client-side pace per property: GA4 allows 10 concurrent requests per property and charges
# tokens, not calls; the token headroom in ``propertyQuota`` slows the client further.
DEFAULT_REQUESTS_PER_SECOND = 5.0

# runReport: offset/limit paging; the API returns at most 250,000 rows per answer.
MAX_REPORT_PAGE_SIZE = 250_000
REPORT_PAGE_SIZE = 100_000
# Admin API list pages (customDimensions): at most 200 per page.
ADMIN_PAGE_SIZE = 200

# Reports of each stream: (dimensions, metrics). ``{client_id}`` is the configured dimension.
TRAFFIC_DIMENSIONS = (
    "date",
    "sessionSource",
    "sessionMedium",
    "sessionCampaignName",
    "landingPage",
)
SESSION_DIMENSIONS = (
    "{client_id}",
    "dateHourMinute",
    "sessionSource",
    "sessionMedium",
    "sessionCampaignName",
    "landingPagePlusQueryString",
)
METRICS = ("sessions", "keyEvents", "totalRevenue")

# GA4's placeholder for a dimension without a value.
NOT_SET = "(not set)"

# Google RPC error reasons (the statuses are read in ``connectors.google_rpc``).
EXPIRED_TOKEN_REASONS = frozenset({"ACCESS_TOKEN_EXPIRED"})
# Quota buckets of ``propertyQuota`` whose remaining share is the throttle headroom.
TOKEN_BUCKETS = ("tokensPerDay", "tokensPerHour", "tokensPerProjectPerHour")
