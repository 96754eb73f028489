"""Constants of the Meta Marketing (Graph) API connector. Constants only: no logic, no I/O.

The API version lives here and nowhere else.
"""

from __future__ import annotations

PLATFORM = "meta_ads"

API_VERSION = "v26.0"
BASE_URL = "https://graph.facebook.com"

# Page sizes (Graph caps ``limit`` at 5000; large pages of objects with many fields are slow).
OBJECT_PAGE_SIZE = 200
ACCOUNT_PAGE_SIZE = 100
INSIGHTS_PAGE_SIZE = 500

ACCOUNT_FIELDS = ("id", "account_id", "name", "currency", "timezone_name", "account_status")
CAMPAIGN_FIELDS = (
    "id",
    "account_id",
    "name",
    "status",
    "effective_status",
    "objective",
    "daily_budget",
    "lifetime_budget",
    "created_time",
    "updated_time",
)
AD_SET_FIELDS = (
    "id",
    "account_id",
    "campaign_id",
    "name",
    "status",
    "effective_status",
    "daily_budget",
    "created_time",
    "updated_time",
)
AD_FIELDS = (
    "id",
    "account_id",
    "campaign_id",
    "adset_id",
    "name",
    "status",
    "effective_status",
    "creative",
    "created_time",
    "updated_time",
)
INSIGHT_FIELDS = (
    "account_id",
    "account_currency",
    "campaign_id",
    "adset_id",
    "ad_id",
    "spend",
    "impressions",
    "clicks",
    "actions",
    "action_values",
)
INSIGHTS_LEVEL = "ad"

# Graph error codes.
TOKEN_ERROR_CODES = frozenset({190, 102})
EXPIRED_TOKEN_SUBCODES = frozenset({463, 467})
PERMISSION_ERROR_CODES = frozenset({10, 200, 294})
MISSING_TOKEN_CODE = 104
VERSION_ERROR_CODES = frozenset({2635, 2500})
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
# Temporary failures that are not throttles: 1 unknown, 2 service unavailable.
TRANSIENT_CODES = frozenset({1, 2})

# Async insights job statuses.
JOB_COMPLETED = "Job Completed"
JOB_FAILED = "Job Failed"
JOB_SKIPPED = "Job Skipped"
JOB_FAILED_STATUSES = frozenset({JOB_FAILED, JOB_SKIPPED})

# Defaults for the settings model.
DEFAULT_LOOKBACK_DAYS = 28
# A first load (no cursor) reads this many days, longer than the lookback: the attribution
# report prices 30 days of conversions (its default period), and spend that covers only
# the lookback would leave it unpriced. LinkedIn's lookback is already 30.
DEFAULT_INITIAL_DAYS = 30
DEFAULT_ATTRIBUTION_WINDOWS = ("7d_click", "1d_view")
DEFAULT_CONVERSION_ACTION_TYPES = ("purchase",)
DEFAULT_REQUESTS_PER_SECOND = 5.0

# Usage headers.
BUC_USAGE_HEADER = "X-Business-Use-Case-Usage"
APP_USAGE_HEADER = "X-App-Usage"
AD_ACCOUNT_USAGE_HEADER = "X-Ad-Account-Usage"
INSIGHTS_THROTTLE_HEADER = "x-fb-ads-insights-throttle"

# Statuses a write may set (the emulator and the connector accept these two; ARCHIVED and
# DELETED are one-way on Graph and belong to no flow of ours).
WRITABLE_STATUSES = ("ACTIVE", "PAUSED")
