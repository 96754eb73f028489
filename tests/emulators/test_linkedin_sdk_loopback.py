"""LinkedIn's official Python client (linkedin-api-client) reads campaign groups on loopback.

The client's Rest.li encoding of a finder (``search=(status:(values:List(...)),test:false)``,
path keys, ``pageSize``/``start``/``count``) must be what the emulator parses. The client is a
test dependency (``.[dev]``); its base URL is a module constant, patched here.
"""

from __future__ import annotations

import datetime as dt

from linkedin_api.clients.restli import client as restli
from linkedin_api.common import constants

from emulators.linkedin_ads import SANDBOX_TOKEN, linkedin_ads
from emulators.market import Market
from emulators.serve import serve_in_thread

ACCOUNT = 508001001


def test_the_official_client_finds_campaign_groups_across_pages(monkeypatch):
    market = Market(seed=7, today=dt.date(2026, 11, 20), platforms=("linkedin_ads",))
    with serve_in_thread(linkedin_ads(market=market)) as server:
        monkeypatch.setattr(constants, "VERSIONED_BASE_URL", server.base_url.rstrip("/") + "/rest")
        client = restli.RestliClient()
        found = client.finder(
            resource_path="/adAccounts/{id}/adCampaignGroups", path_keys={"id": ACCOUNT},
            finder_name="search", access_token=SANDBOX_TOKEN, version_string="202607",
            query_params={"search": {"status": {"values": ["ACTIVE", "PAUSED"]}, "test": False},
                          "pageSize": 2},
        )
        indexed = client.finder(
            resource_path="/adAccounts/{id}/adCampaignGroups", path_keys={"id": ACCOUNT},
            finder_name="search", access_token=SANDBOX_TOKEN, version_string="202607",
            query_params={"start": 0, "count": 100},
        )
    campaigns = market.campaigns("linkedin_ads", str(ACCOUNT))
    assert found.status_code == 200 and len(found.elements) == 2
    assert found.response.json()["metadata"]["nextPageToken"]
    assert indexed.paging.total == len(campaigns)
    assert [g["name"] for g in indexed.elements] == [c.name for c in campaigns]
