"""Google Ads API (REST transport) connector.

Endpoints covered (``{v}`` = ``settings.api_version``, pinned in ``settings.API_VERSION``):

* ``POST /{v}/customers/{manager}/googleAds:search`` (``customer_client``) - ``list_accounts``;
  ``GET /{v}/customers:listAccessibleCustomers`` without a manager
* ``POST /{v}/customers/{cid}/googleAds:search`` (``pageToken`` paging) - streams
  ``accounts`` (``customer``), ``campaigns`` (with ``campaign_budget``), ``ad_groups``, ``ads``
  (``ad_group_ad``)
* ``POST /{v}/customers/{cid}/googleAds:searchStream`` - stream ``ad_performance_daily``
  (``ad_group_ad`` with ``segments.date`` and metrics)
* ``POST /{v}/customers/{cid}/campaignBudgets:mutate``, ``adGroups:mutate``,
  ``adGroupAds:mutate`` - budget amounts and statuses (``validateOnly``, ``partialFailure``)
* ``POST https://oauth2.googleapis.com/token`` - OAuth2 refresh
"""

from __future__ import annotations

from connectors.google_ads.client import GoogleAdsConnector, MutateError, MutateResult
from connectors.google_ads.config import GoogleAdsSettings
from connectors.google_ads.settings import API_VERSION

__all__ = ["API_VERSION", "GoogleAdsConnector", "GoogleAdsSettings", "MutateError", "MutateResult"]
