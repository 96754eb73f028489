"""The official ``hubspot-api-client`` works against the emulator with only the host changed."""

from __future__ import annotations

from datetime import date

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.exceptions import ApiException

from emulators.entities import LAYOUTS
from emulators.hubspot import PRIVATE_APP_TOKEN, hubspot
from emulators.market import Market
from emulators.serve import serve_in_thread


@pytest.fixture(scope="module")
def served():
    emulator = hubspot(market=Market(seed=5, today=date(2026, 11, 20), platforms=tuple(LAYOUTS)),
                       size=600)
    with serve_in_thread(emulator) as server:
        yield emulator, HubSpot(access_token=PRIVATE_APP_TOKEN, host=server.base_url)


def test_sdk_lists_contacts_page_by_page(served):
    emulator, client = served
    ids: list[str] = []
    after = None
    while True:
        page = client.crm.contacts.basic_api.get_page(limit=100, after=after,
                                                      properties=["email", "lifecyclestage"])
        ids += [c.id for c in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    assert len(ids) == len(set(ids)) == len(emulator.crm.contact_ids)


def test_sdk_search_and_batch_upsert(served):
    emulator, client = served
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ",
                                     "value": "customer"}]}],
        sorts=["lastmodifieddate"], properties=["email", "lifecyclestage"], limit=20)
    found = client.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert found.total > 0
    assert all(c.properties["lifecyclestage"] == "customer" for c in found.results)
    email = found.results[0].properties["email"]
    batch = BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        SimplePublicObjectBatchInputUpsert(id_property="email", id=email,
                                           properties={"lifecyclestage": "evangelist"}),
        SimplePublicObjectBatchInputUpsert(id_property="email", id="sdk.new@example.com",
                                           properties={"firstname": "Sdk"}),
    ])
    answer = client.crm.contacts.batch_api.upsert(
        batch_input_simple_public_object_batch_input_upsert=batch)
    assert answer.status == "COMPLETE"
    assert sorted(r.new for r in answer.results) == [False, True]
    read = client.crm.contacts.basic_api.get_by_id(email, id_property="email",
                                                   properties=["lifecyclestage"])
    assert read.properties["lifecyclestage"] == "evangelist"
    assert any(m.after == "evangelist" for m in emulator.mutation_log)


def test_sdk_sees_hubspot_errors(served):
    _, client = served
    with pytest.raises(ApiException) as info:
        client.crm.contacts.basic_api.get_by_id("nobody@example.com", id_property="email")
    assert info.value.status == 404 and "OBJECT_NOT_FOUND" in info.value.body
