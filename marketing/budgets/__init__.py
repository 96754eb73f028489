"""Budget reallocation, pure: response curves, water-filling allocation, guardrails, pacing.

No Prefect, no HTTP, no connector: entities come in as plain values (curves, bounds, platform
limits as data) and a plan of per-entity changes with reason codes and evidence comes out.
"""
