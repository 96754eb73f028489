"""GA4 Data API connector (``v1beta``), with the Admin API reads it needs.

Endpoints covered:

* ``GET {admin}/v1beta/properties/{id}`` - ``list_accounts`` (the configured properties'
  time zone and currency) and stream ``properties``
* ``GET {admin}/v1beta/properties/{id}/customDimensions`` - stream ``custom_dimensions``
  (``pageSize``/``pageToken`` paging)
* ``POST /v1beta/properties/{id}:runReport`` - streams ``traffic_daily`` (date, source,
  medium, campaign, landing page) and ``sessions`` (client id custom dimension, session start
  minute, source, medium, campaign, landing page with query); ``offset``/``limit`` paging,
  ``returnPropertyQuota`` on every page
* ``POST {token_url}`` (``grant_type=refresh_token``) - token refresh
"""

from __future__ import annotations

from connectors.ga4.client import DailyQuotaExhaustedError, Ga4Connector, ReportPage
from connectors.ga4.config import Ga4Settings
from connectors.ga4.settings import API_VERSION, MAX_LOOKBACK_DAYS

__all__ = [
    "API_VERSION",
    "MAX_LOOKBACK_DAYS",
    "DailyQuotaExhaustedError",
    "Ga4Connector",
    "Ga4Settings",
    "ReportPage",
]
