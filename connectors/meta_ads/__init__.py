"""Meta Marketing API (Graph) connector.

Endpoints covered (``{v}`` = ``settings.api_version``, pinned in ``settings.API_VERSION``):

* ``GET /{v}/me/adaccounts`` - ``list_accounts``; ``GET /{v}/act_{id}`` - stream ``accounts``
* ``GET /{v}/act_{id}/campaigns`` | ``adsets`` | ``ads`` - streams ``campaigns``, ``ad_sets``,
  ``ads`` (cursor paging through ``paging.next``)
* ``POST /{v}/act_{id}/insights`` -> ``GET /{v}/{report_run_id}`` (poll) ->
  ``GET /{v}/{report_run_id}/insights`` - stream ``ad_insights_daily`` (async report, level
  ``ad``, ``time_increment=1``)
* ``GET /{v}/oauth/access_token?grant_type=fb_exchange_token`` - token refresh
"""

from __future__ import annotations

from connectors.meta_ads.client import MetaAdsConnector
from connectors.meta_ads.config import MetaAdsSettings
from connectors.meta_ads.settings import API_VERSION

__all__ = ["API_VERSION", "MetaAdsConnector", "MetaAdsSettings"]
