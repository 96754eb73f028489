"""Fixtures of the flow tests: a sandbox environment in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def sandbox_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_server: str) -> Path:
    """Point the flows at the in-process sandbox, with warehouse, data and store under tmp_path.

    Loopback emulator URLs from the surrounding environment are dropped, so every platform is
    served in process. Returns tmp_path.
    """
    point_at_sandbox(tmp_path, monkeypatch)
    return tmp_path


def point_at_sandbox(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set the environment for an in-process sandbox with warehouse, data and store in root."""
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(root / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("CAMPAIGN_OPS_STORE_URL", f"sqlite:///{root / 'store.sqlite'}")
    for key in list(os.environ):
        if key.startswith("CAMPAIGN_OPS_SANDBOX_URL_"):
            monkeypatch.delenv(key)
