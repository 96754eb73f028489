"""The environment a CLI subprocess runs in for tests: its own files, no settings of the shell."""

from __future__ import annotations

import os
from pathlib import Path


def cli_env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``os.environ`` with every place under ``tmp_path`` and the shell's settings gone."""
    env = {
        **os.environ,
        "CAMPAIGN_OPS_WAREHOUSE": str(tmp_path / "wh" / "warehouse.duckdb"),
        "CAMPAIGN_OPS_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "COLUMNS": "200",
    }
    for key in [k for k in env if k.startswith("CAMPAIGN_OPS_SANDBOX_URL_")]:
        del env[key]
    for key in ("PREFECT_API_URL", "CAMPAIGN_OPS_ENV", "CAMPAIGN_OPS_STORE_URL",
                "CAMPAIGN_OPS_REPORTING_CURRENCY"):
        env.pop(key, None)
    env.update(extra or {})
    return env
