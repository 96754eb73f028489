"""Acme Ads API connector (``/v1``, bearer token, OAuth refresh at ``/oauth/token``).

Endpoints covered:

* ``GET /v1/accounts`` - ``list_accounts``; ``GET /v1/accounts/{id}`` - stream ``accounts``
* ``GET /v1/accounts/{id}/campaigns`` - stream ``campaigns``
* ``GET /v1/accounts/{id}/ad_stats?since=&until=`` - stream ``ad_stats_daily``

Collections page with ``limit``/``cursor`` (``paging.next_cursor``).
"""

from __future__ import annotations

from .client import AcmeAdsConnector
from .config import AcmeAdsSettings

__all__ = ["AcmeAdsConnector", "AcmeAdsSettings"]
