"""Constants of the Google Data Manager connector. Constants only: no logic, no I/O."""

from __future__ import annotations

PLATFORM = "google_data_manager"

BASE_URL = "https://datamanager.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
INGEST_PATH = "/v1/events:ingest"
SCOPE = "https://www.googleapis.com/auth/datamanager"

# IngestEventsRequest limits (developers.google.com/data-manager/api/limits): 2,000 events,
# 10 user identifiers per event, 10 destinations; IngestionService 300 requests/min and
# 100,000/day per Cloud project (429 RESOURCE_EXHAUSTED beyond).
MAX_EVENTS_PER_REQUEST = 2000
# Google credits an offline conversion only inside the click-through window: at most 90 days.
MAX_EVENT_AGE_DAYS = 90
DEFAULT_REQUESTS_PER_SECOND = 5.0

# Google RPC error reasons (the statuses are read in ``connectors.google_rpc``).
EXPIRED_TOKEN_REASONS = frozenset({"ACCESS_TOKEN_EXPIRED"})
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
