"""Constants of the HubSpot CRM connector. Constants only: no logic, no I/O.

HubSpot moved to date-based API versions in 2026 (``/crm/objects/2026-03/...``); the v3
paths keep working until September 2027 and answer the same JSON, so every CRM path prefix
is a setting whose default is the v3 path.
"""

from __future__ import annotations

PLATFORM = "hubspot"
BASE_URL = "https://api.hubapi.com"
TOKEN_PATH = "/oauth/v1/token"
ACCOUNT_INFO_PATH = "/account-info/v3/details"
FORMS_PATH = "/marketing/v3/forms"
SUBMISSIONS_PATH = "/form-integrations/v1/submissions/forms"

OBJECTS_PREFIX = "/crm/v3/objects"
LISTS_PREFIX = "/crm/v3/lists"
PIPELINES_PREFIX = "/crm/v3/pipelines"
ASSOCIATIONS_PREFIX = "/crm/v4/associations"

# Search: at most 200 per page and 10,000 results reachable per query (then re-anchor).
SEARCH_PAGE_SIZE = 200
SEARCH_RESULT_CAP = 10_000
OBJECT_PAGE_SIZE = 100
MEMBERSHIP_PAGE_SIZE = 250
SUBMISSION_PAGE_SIZE = 50
LIST_PAGE_SIZE = 100
BATCH_UPSERT_SIZE = 100
ASSOCIATION_BATCH_SIZE = 1_000

# Modified-date property per object type (contacts differ from the rest).
MODIFIED_PROPERTY = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}
CONTACT_PROPERTIES = (
    "email", "firstname", "lastname", "phone", "lifecyclestage", "associatedcompanyid",
    "ga_client_id", "gclid", "fbclid", "li_fat_id", "createdate", "lastmodifieddate",
    "hs_object_id",
)
COMPANY_PROPERTIES = ("name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id")
DEAL_PROPERTIES = (
    "dealname", "amount", "dealstage", "pipeline", "closedate", "createdate",
    "hs_lastmodifieddate", "hs_object_id", "deal_currency_code",
)
CLICK_ID_FIELDS = ("gclid", "fbclid", "li_fat_id")
LIFECYCLE_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
                    "opportunity", "customer", "evangelist", "other")

# Throttle policies named in HubSpot's 429 body (``policyName``).
POLICY_DAILY = "DAILY"
POLICY_SECONDLY = "SECONDLY"
POLICY_TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
EXPIRED_CATEGORY = "EXPIRED_AUTHENTICATION"

# Records are windowed by modification day: a short lookback covers records that become
# searchable a few seconds late and edits at the edges of the portal's day. A first load
# reads ten years (a CRM's whole history).
DEFAULT_LOOKBACK_DAYS = 3
DEFAULT_INITIAL_DAYS = 3650
# Private apps: 190 calls / 10 s (Professional); search: 5 / s per portal.
DEFAULT_REQUESTS_PER_SECOND = 15.0
DEFAULT_SEARCH_REQUESTS_PER_SECOND = 4.0
