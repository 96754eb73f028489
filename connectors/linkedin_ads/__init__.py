"""LinkedIn Marketing API connector (``/rest``, ``LinkedIn-Version`` pinned in settings).

Endpoints covered:

* ``GET /rest/adAccounts?q=search`` - ``list_accounts``; ``GET /rest/adAccounts/{id}`` -
  stream ``accounts``
* ``GET /rest/adAccounts/{id}/adCampaigns?q=search`` - stream ``campaigns``;
  ``GET /rest/adAccounts/{id}/creatives?q=criteria`` - stream ``creatives``
  (``pageSize``/``pageToken`` paging, ``metadata.nextPageToken``)
* ``GET /rest/adAnalytics?q=statistics&pivots=List(CAMPAIGN,CREATIVE)&timeGranularity=DAILY``
  - stream ``ad_analytics_daily`` (no paging; 15,000-element cap handled by splitting)
* ``POST /rest/adAccounts/{id}/adCampaigns/{id}`` (``X-RestLi-Method: PARTIAL_UPDATE``) -
  daily budget and status writes
* ``POST /oauth/v2/accessToken`` (``grant_type=refresh_token``) - token refresh
"""

from __future__ import annotations

from connectors.linkedin_ads.client import LinkedInAdsConnector, ReportTooLargeError
from connectors.linkedin_ads.config import LinkedInAdsSettings
from connectors.linkedin_ads.settings import API_VERSION

__all__ = ["API_VERSION", "LinkedInAdsConnector", "LinkedInAdsSettings", "ReportTooLargeError"]
