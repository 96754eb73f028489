"""Every deployment in prefect.yaml loads, its entrypoint imports, and its parameters fit."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from deployments.local import deployments_from_yaml, read_prefect_yaml

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"
SPECS = read_prefect_yaml(PREFECT_YAML)


def test_prefect_yaml_declares_deployments():
    assert {spec.name for spec in SPECS} >= {"extract-ads"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_entrypoint_imports_and_parameters_fit_the_flow(spec):
    from prefect.flows import load_flow_from_entrypoint

    file_part, _, function = spec.entrypoint.partition(":")
    flow: Any = load_flow_from_entrypoint(
        f"{PREFECT_YAML.parent / file_part}:{function}", use_placeholder_flow=False
    )
    signature = inspect.signature(flow.fn)
    declared = set(spec.raw.get("parameters") or {})
    for schedule in spec.raw.get("schedules") or []:
        declared |= set(schedule.get("parameters") or {})
    assert declared <= set(signature.parameters), (
        f"{spec.name}: unknown parameters {declared - set(signature.parameters)}"
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_schedule_has_a_stable_slug(spec):
    slugs = [s.get("slug") for s in spec.raw.get("schedules") or []]
    assert all(slugs), (
        f"{spec.name}: a schedule without slug is recreated on each deploy (duplicate runs)"
    )
    assert len(set(slugs)) == len(slugs)


def test_runner_deployments_build_with_schedules_and_parameters():
    deployments = {d.name: d for d in deployments_from_yaml(PREFECT_YAML)}
    extract = deployments["extract-ads"]
    assert {s.slug for s in extract.schedules} == {"daily-full-lookback", "hourly-recent"}
    hourly = next(s for s in extract.schedules if s.slug == "hourly-recent")
    assert hourly.parameters == {"lookback_days": 3}
    assert extract.parameters["platforms"] == ["meta_ads", "google_ads", "linkedin_ads"]
    assert extract.enforce_parameter_schema
    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    flow: Any = load_flow_from_entrypoint(
        str(PREFECT_YAML.parent / "flows/extract_ads.py") + ":extract_ads"
    )
    schema = parameter_schema(flow).model_dump()
    # The UI form: platforms is a multi-select of known platforms; dates are date pickers.
    assert set(schema["properties"]) == {
        "platforms",
        "accounts",
        "start_date",
        "end_date",
        "lookback_days",
        "full_refresh",
    }
    items = schema["properties"]["platforms"]["items"]
    assert items.get("const") == "meta_ads" or "meta_ads" in items.get("enum", [])
    assert "date" in str(schema["properties"]["start_date"])


def test_manual_runs_get_typed_forms_for_leads_and_lifecycle():
    """The UI's "Custom run" form is the flow's parameter schema: a Lead is a typed object."""
    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    leads: Any = load_flow_from_entrypoint(str(PREFECT_YAML.parent / "flows/sync_leads.py")
                                           + ":sync_leads")
    schema = parameter_schema(leads).model_dump()
    assert schema["required"] == ["lead"]
    lead = schema["definitions"]["Lead"]
    assert {"email", "crm_contact_id", "phone", "marketing_consent", "gclid"} <= set(
        lead["properties"])
    assert set(lead["properties"]["source"]["enum"]) == {"web_form", "hubspot",
                                                         "meta_lead_ad", "manual"}
    lifecycle: Any = load_flow_from_entrypoint(str(PREFECT_YAML.parent / "flows/lifecycle.py")
                                               + ":update_lifecycle_stages")
    props = parameter_schema(lifecycle).model_dump()["properties"]
    assert props["scoring_days"]["minimum"] == 1 and props["scoring_days"]["maximum"] == 365
    assert props["dry_run"]["type"] == "boolean"


def test_event_triggers_name_the_gateways_events():
    from gateway.events import LEAD_RECEIVED, OFFLINE_CONVERSIONS_RECEIVED

    deployments = {d.name: d for d in deployments_from_yaml(PREFECT_YAML)}
    leads = [t.expect for t in deployments["sync-leads"].triggers]
    assert leads == [{LEAD_RECEIVED}, {LEAD_RECEIVED}]
    report = deployments["build-attribution-report"]
    assert [t.expect for t in report.triggers] == [{OFFLINE_CONVERSIONS_RECEIVED}]
    # An event-started run re-reads the conversion sources before it attributes.
    assert report.triggers[0].parameters == {"refresh_conversions": True}
    assert report.concurrency_options.collision_strategy == "CANCEL_NEW"
    assert {s.slug for s in report.schedules} == {"daily-attribution"}


def test_the_attribution_form_is_typed():
    """Models are a multi-select of the known names; windows and shares are bounded."""
    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    from marketing.attribution.model_set import MODEL_NAMES

    report: Any = load_flow_from_entrypoint(str(PREFECT_YAML.parent / "flows/attribution.py")
                                            + ":build_attribution_report")
    schema = parameter_schema(report).model_dump()
    props = schema["properties"]
    assert set(props["models"]["items"]["enum"]) == set(MODEL_NAMES)
    assert props["models"]["default"] == list(MODEL_NAMES)
    assert props["lookback_days"]["default"] == 90
    assert props["lookback_days"]["maximum"] == 365
    assert props["acquisition_lookback_days"]["default"] == 30
    assert "date" in str(props["period_start"])
    assert props["position_first"]["maximum"] == 1
    kinds = str(props["conversion_kinds"])
    assert "store_sale" in kinds and "key_event" in kinds
