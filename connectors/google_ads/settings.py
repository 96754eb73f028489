"""Constants of the Google Ads API connector. Constants only: no logic, no I/O.

The API version lives here and nowhere else.
"""

from __future__ import annotations

PLATFORM = "google_ads"

API_VERSION = "v26"
BASE_URL = "https://googleads.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/adwords"

# Headers.
DEVELOPER_TOKEN_HEADER = "developer-token"
LOGIN_CUSTOMER_ID_HEADER = "login-customer-id"

# Conversion window re-read on every run (Airbyte's default is 14; Google's click-through
# conversion windows go up to 90 days, so restatements never reach further back).
DEFAULT_LOOKBACK_DAYS = 14
MAX_LOOKBACK_DAYS = 90
# A first load (no cursor) reads this many days, longer than the lookback: the attribution
# report prices 30 days of conversions (its default period), and spend that covers only
# the lookback would leave it unpriced. LinkedIn's lookback is already 30.
DEFAULT_INITIAL_DAYS = 30
DEFAULT_REQUESTS_PER_SECOND = 5.0

MICROS = 1_000_000
# Budgets must be a multiple of the currency's minimum unit: 10,000 micros for 2-decimal
# currencies (checked by the platform; the connector passes what it is given).
MIN_UNIT_MICROS = 10_000

# GAQL of every stream. The report's window is filled in per read.
ACCOUNTS_QUERY = (
    "SELECT customer.id, customer.descriptive_name, customer.currency_code, "
    "customer.time_zone, customer.status, customer.manager FROM customer"
)
CLIENTS_QUERY = (
    "SELECT customer_client.id, customer_client.descriptive_name, "
    "customer_client.currency_code, customer_client.time_zone, customer_client.manager, "
    "customer_client.status FROM customer_client WHERE customer_client.level <= 1"
)
CAMPAIGNS_QUERY = (
    "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, "
    "campaign.start_date, campaign_budget.id, campaign_budget.amount_micros "
    "FROM campaign ORDER BY campaign.id"
)
AD_GROUPS_QUERY = (
    "SELECT campaign.id, ad_group.id, ad_group.name, ad_group.status, ad_group.type "
    "FROM ad_group ORDER BY ad_group.id"
)
ADS_QUERY = (
    "SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, ad_group_ad.ad.name, "
    "ad_group_ad.ad.type, ad_group_ad.status FROM ad_group_ad ORDER BY ad_group_ad.ad.id"
)
PERFORMANCE_QUERY = (
    "SELECT customer.currency_code, campaign.id, ad_group.id, ad_group_ad.ad.id, "
    "segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, "
    "metrics.conversions, metrics.conversions_value FROM ad_group_ad "
    "WHERE segments.date BETWEEN '{start}' AND '{end}' ORDER BY segments.date"
)

# Ads error codes and Google RPC error reasons (the statuses: ``connectors.google_rpc``).
EXPIRED_TOKEN_CODES = frozenset({"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_INVALID"})
EXPIRED_TOKEN_REASONS = frozenset({"ACCESS_TOKEN_EXPIRED", "ACCESS_TOKEN_TYPE_UNSUPPORTED"})
FAILURE_TYPE_SUFFIX = ".errors.GoogleAdsFailure"
