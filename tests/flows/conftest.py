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
    monkeypatch.setenv("CAMPAIGN_OPS_ENV", "sandbox")
    monkeypatch.setenv("CAMPAIGN_OPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("CAMPAIGN_OPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CAMPAIGN_OPS_STORE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    for key in list(os.environ):
        if key.startswith("CAMPAIGN_OPS_SANDBOX_URL_"):
            monkeypatch.delenv(key)
    return tmp_path
