"""Signed webhooks start deployments: gateway → inbox → Prefect event → trigger → flow run.

Runs the real commands as a user would: `campaign-ops up` (its own Prefect server on SQLite,
the sandbox emulators on loopback, every deployment of prefect.yaml served, triggers
included) and `campaign-ops gateway` pointed at that server. A lead posted to the gateway
with a Standard Webhooks signature must start exactly one sync-leads run that creates the
contact in the loopback HubSpot sandbox; ten concurrent copies of one delivery must still
start exactly one run; a badly signed one starts none. A signed Shopify order (an
offline-conversions event) starts one attribution report that first re-reads the conversion
sources, over a warehouse seeded with hand-built journeys.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.test_up import ROOT, _free_port, _post_retrying_busy, _wait
from tests.flows.attribution_data import build_warehouse
from tests.gateway.senders import (
    SHOP_DOMAIN,
    SHOPIFY_SECRET,
    WEBFORM_SECRET,
    WRONG_WEBFORM_SECRET,
    form_body,
    order_body,
    sign_shopify,
    sign_webform,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("up")]

HUBSPOT_TOKEN_ENV = "PRIVATE_APP_TOKEN"


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("webhook-e2e")
    port, sandbox_port, gateway_port = _free_port(), _free_port(), _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "CAMPAIGN_OPS_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "CAMPAIGN_OPS_DATA_DIR": str(tmp / "data"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    # Journeys of the last weeks, so the event-started attribution report has some.
    build_warehouse(tmp / "warehouse.duckdb",
                    base=datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
                    - timedelta(days=20))
    up_log, gateway_log = tmp / "up.log", tmp / "gateway.log"
    with up_log.open("wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "cli", "up", "--port", str(port), "--sandbox-port",
             str(sandbox_port), "--prefect-home", str(tmp / "prefect")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    gateway = None
    try:
        client = httpx.Client(base_url=api, timeout=10)

        def sync_leads_deployment() -> dict[str, Any] | None:
            try:
                found = client.post("/deployments/filter",
                                    json={"deployments": {"name": {"any_": ["sync-leads"]}}})
            except httpx.HTTPError:
                return None
            return found.json()[0] if found.status_code == 200 and found.json() else None

        deployment = _wait(sync_leads_deployment, 240, "the sync-leads deployment", up, up_log)
        hubspot_url = _wait(
            lambda: (re.search(r"Sandbox hubspot: (\S+)", up_log.read_text()) or [None, None])[1],
            60, "the HubSpot sandbox URL", up, up_log,
        )
        gateway_env = {
            **env,
            "PREFECT_API_URL": api,
            "CAMPAIGN_OPS_STORE_URL": f"sqlite:///{tmp / 'store.sqlite'}",
            "CAMPAIGN_OPS_GATEWAY_WEBFORM_SECRETS": WEBFORM_SECRET,
            "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SECRETS": SHOPIFY_SECRET,
            "CAMPAIGN_OPS_GATEWAY_SHOPIFY_SHOPS": SHOP_DOMAIN,
        }
        with gateway_log.open("wb") as out:
            gateway = subprocess.Popen(
                [sys.executable, "-m", "cli", "gateway", "--port", str(gateway_port)],
                cwd=ROOT, env=gateway_env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{gateway_port}"

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(healthy, 60, "the gateway", gateway, gateway_log)
        yield {"api": client, "gateway": base, "hubspot": hubspot_url,
               "deployment": deployment, "logs": (up_log, gateway_log)}
    finally:
        if gateway is not None:
            _stop(gateway)
        _stop(up)


def _runs_for(stack: dict[str, Any], email: str) -> list[dict[str, Any]]:
    runs = _post_retrying_busy(stack["api"], "/flow_runs/filter", json={
        "deployments": {"id": {"any_": [stack["deployment"]["id"]]}}}).json()
    return [r for r in runs if (r["parameters"].get("lead") or {}).get("email") == email]


def _wait_for_run(stack: dict[str, Any], email: str) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        runs = _runs_for(stack, email)
        done = [r for r in runs if r["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED"}]
        return done[0] if done else None

    up_log, _ = stack["logs"]
    return _wait(finished, 180, f"a sync-leads run for {email}", None, up_log)  # type: ignore[no-any-return]


def _crm_contact(stack: dict[str, Any], email: str) -> dict[str, Any]:
    from emulators.hubspot import PRIVATE_APP_TOKEN

    answer = httpx.get(
        f"{stack['hubspot']}/crm/v3/objects/contacts/{email}",
        params={"idProperty": "email", "properties": "email,lifecyclestage,gclid,phone"},
        headers={"Authorization": f"Bearer {PRIVATE_APP_TOKEN}"}, timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["properties"]  # type: ignore[no-any-return]


def _post_form(stack: dict[str, Any], body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{stack['gateway']}/webhooks/forms", content=body, headers=headers,
                      timeout=30)


def test_a_signed_web_form_starts_one_run_that_creates_the_contact(stack):
    email = "webhook.lead.one@example.com"
    body = form_body(email=email)
    answer = _post_form(stack, body, sign_webform(body))
    assert answer.status_code == 200, answer.text
    assert [d["status"] for d in answer.json()["deliveries"]] == ["accepted"]
    run = _wait_for_run(stack, email)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    props = _crm_contact(stack, email)
    assert props["lifecyclestage"] == "lead" and props["gclid"] == "Cj0KCQ-test-gclid"
    assert props["phone"] == "+4930123456"
    time.sleep(3)  # a second, wrongly started run would show up by now
    assert len(_runs_for(stack, email)) == 1


def test_ten_concurrent_copies_of_one_delivery_start_one_run(stack):
    email = "webhook.lead.ten@example.com"
    body = form_body(email=email)
    headers = sign_webform(body, msg_id="msg_e2e_duplicate_delivery")
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: _post_form(stack, body, headers), range(10)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    statuses = sorted(d["status"] for a in answers for d in a.json()["deliveries"])
    assert statuses == ["accepted"] + ["duplicate"] * 9  # stored once, answered ten times
    run = _wait_for_run(stack, email)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    time.sleep(5)
    assert len(_runs_for(stack, email)) == 1


def test_a_badly_signed_form_is_refused_and_starts_nothing(stack):
    email = "webhook.lead.forged@example.com"
    body = form_body(email=email)
    answer = _post_form(stack, body, sign_webform(body, secret=WRONG_WEBFORM_SECRET))
    assert answer.status_code == 401
    assert WEBFORM_SECRET not in answer.text
    time.sleep(5)
    assert _runs_for(stack, email) == []


def test_a_signed_shop_order_starts_one_attribution_report_that_refreshes_first(stack):
    body = order_body(order_id=777000111)
    answer = httpx.post(f"{stack['gateway']}/webhooks/shopify", content=body,
                        headers=sign_shopify(body), timeout=30)
    assert answer.status_code == 200, answer.text
    up_log, _ = stack["logs"]

    def report_runs() -> list[dict[str, Any]]:
        return [r for r in _post_retrying_busy(stack["api"], "/flow_runs/filter", json={
            "deployments": {"name": {"any_": ["build-attribution-report"]}}}).json()
            if r["parameters"].get("refresh_conversions") is True]

    def finished() -> dict[str, Any] | None:
        done = [r for r in report_runs()
                if r["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED"}]
        return done[0] if done else None

    run = _wait(finished, 300, "an event-started attribution report", None, up_log)
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert len(report_runs()) == 1
    children = _post_retrying_busy(stack["api"], "/flow_runs/filter", json={
        "flow_runs": {"parent_flow_run_id": {"any_": [run["id"]]}}}).json()
    assert [c["parameters"].get("platforms") for c in children] == [
        ["shopify", "hubspot", "offline_conversions"]]  # the sources were re-read first
    artifacts = _post_retrying_busy(stack["api"], "/artifacts/filter", json={
        "artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
    assert {"attribution-summary", "attribution-report"} <= {a["key"] for a in artifacts}
