"""Constants of the LinkedIn Marketing API connector. Constants only: no logic, no I/O.

The API version lives here and nowhere else.
"""

from __future__ import annotations

PLATFORM = "linkedin_ads"

# ``LinkedIn-Version`` is mandatory (no default is applied); each version lives >= 1 year.
API_VERSION = "202607"
RESTLI_PROTOCOL_VERSION = "2.0.0"
BASE_URL = "https://api.linkedin.com"
OAUTH_BASE_URL = "https://www.linkedin.com"
TOKEN_PATH = "/oauth/v2/accessToken"
REST_PREFIX = "/rest"

VERSION_HEADER = "LinkedIn-Version"
PROTOCOL_HEADER = "X-Restli-Protocol-Version"
METHOD_HEADER = "X-RestLi-Method"
PARTIAL_UPDATE = "PARTIAL_UPDATE"

# LinkedIn reports days in UTC whatever the account; accounts carry no time zone.
REPORT_TIMEZONE = "UTC"

# Search finders page with pageSize/pageToken since 202401 (``metadata.nextPageToken``).
OBJECT_PAGE_SIZE = 100
ACCOUNT_PAGE_SIZE = 100

# adAnalytics: no pagination, at most 15,000 elements per answer and 20 fields per request.
ANALYTICS_ROW_CAP = 15_000
ANALYTICS_MAX_FIELDS = 20
ANALYTICS_KEY_FIELDS = ("dateRange", "pivotValues")
ANALYTICS_PIVOTS = ("CAMPAIGN", "CREATIVE")
ANALYTICS_METRICS = (
    "impressions",
    "clicks",
    "costInLocalCurrency",
    "externalWebsiteConversions",
    "conversionValueInLocalCurrency",
)

# URN prefixes.
ACCOUNT_URN = "urn:li:sponsoredAccount:"
CAMPAIGN_GROUP_URN = "urn:li:sponsoredCampaignGroup:"
CAMPAIGN_URN = "urn:li:sponsoredCampaign:"
CREATIVE_URN = "urn:li:sponsoredCreative:"

# Error ``code`` values of LinkedIn's error body {status, serviceErrorCode, code, message}.
EXPIRED_TOKEN_CODES = frozenset({"EXPIRED_ACCESS_TOKEN"})
TOKEN_ERROR_CODES = frozenset({"REVOKED_ACCESS_TOKEN", "INVALID_ACCESS_TOKEN"})
VERSION_ERROR_CODES = frozenset({"VERSION_MISSING", "NONEXISTENT_VERSION"})
# 426 is what LinkedIn answers for a version that is not (or no longer) active.
VERSION_STATUS = 426

CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT")
WRITABLE_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")

DEFAULT_LOOKBACK_DAYS = 30
DEFAULT_REQUESTS_PER_SECOND = 5.0
