from __future__ import annotations

from datetime import timedelta

import httpx

from emulators.meta_ads import APP_ID, APP_SECRET, SANDBOX_TOKEN, appsecret_proof

from .conftest import GRAPH, graph_client

V = "/v26.0"


def exchange(
    client: httpx.Client, token: str = SANDBOX_TOKEN, secret: str = APP_SECRET
) -> httpx.Response:
    return client.get(f"{V}/oauth/access_token", params={
        "grant_type": "fb_exchange_token", "client_id": APP_ID, "client_secret": secret,
        "fb_exchange_token": token})


def test_token_as_query_parameter_or_bearer(emulator):
    with httpx.Client(transport=emulator.transport(), base_url=GRAPH) as c:
        assert c.get(f"{V}/me", params={"access_token": SANDBOX_TOKEN}).status_code == 200
        assert c.get(f"{V}/me", headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}).is_success
        assert c.post(f"{V}/act_1001/insights", data={"access_token": SANDBOX_TOKEN}).is_success


def test_appsecret_proof_is_verified(client):
    good = appsecret_proof(SANDBOX_TOKEN, APP_SECRET)
    assert client.get(f"{V}/me", params={"appsecret_proof": good}).status_code == 200
    bad = client.get(f"{V}/me", params={"appsecret_proof": "0" * 64})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100
    assert "appsecret_proof" in bad.json()["error"]["message"]


def test_exchanged_token_works_then_expires(emulator, clock):
    with graph_client(emulator, token=None) as anon:
        r = exchange(anon)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 60 * 24 * 3600
    with graph_client(emulator, token=body["access_token"]) as c:
        assert c.get(f"{V}/me/adaccounts").status_code == 200
        clock.now += timedelta(days=61)
        expired = c.get(f"{V}/me/adaccounts")
    err = expired.json()["error"]
    assert (expired.status_code, err["code"], err["error_subcode"]) == (400, 190, 463)
    # The sandbox token never expires.
    with graph_client(emulator) as c:
        assert c.get(f"{V}/me/adaccounts").status_code == 200


def test_exchange_rejects_wrong_secret_and_unknown_tokens(emulator):
    with graph_client(emulator, token=None) as anon:
        assert exchange(anon, secret="nope").json()["error"]["code"] == 1
        assert exchange(anon, token="forged").json()["error"]["code"] == 190


def test_request_log_redacts_secrets(client, emulator):
    client.get(f"{V}/me", params={"access_token": SANDBOX_TOKEN, "fields": "id"})
    entry = emulator.request_log[-1]
    assert entry.params == {"access_token": "***", "fields": "id"}
    assert SANDBOX_TOKEN not in repr(emulator.request_log)
    assert entry.who and entry.who.startswith(f"app:{APP_ID}/sandbox:")
