"""The gateway imports Prefect only when it forwards (most of its import time otherwise)."""

from __future__ import annotations

import subprocess
import sys


def _imports_prefect(code: str) -> bool:
    probe = f"import sys; {code}; print('prefect' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=120)
    return out.stdout.strip() == "True"


def test_building_the_app_does_not_import_prefect():
    assert not _imports_prefect(
        "from gateway.app import create_app; from gateway.settings import GatewaySettings; "
        "create_app(GatewaySettings(store_url='sqlite://'))"
    )


def test_a_forwarding_gateway_imports_prefect_before_it_serves():
    assert _imports_prefect(
        "from gateway.forwarder import PrefectEventSink; "
        "PrefectEventSink('http://127.0.0.1:9/api')"
    )
