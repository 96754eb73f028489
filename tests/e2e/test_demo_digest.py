"""The seeded demo gives the warehouse it gave before (issue 11: refactoring keeps behaviour).

``demo_digest.json`` was recorded from the demo on the sandbox's fixed day before the layers
were rebuilt; every table and view of ``core`` and ``marts`` must still have the same rows.
To record a new digest after a change that is meant to change numbers, run the demo as this
test does and ``python -m tests.e2e.demo_digest <warehouse> > tests/e2e/demo_digest.json``,
and say why in the commit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_env import cli_env
from tests.e2e.demo_digest import DEMO_DAY, digest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_the_seeded_demo_builds_the_recorded_warehouse(tmp_path):
    env = cli_env(tmp_path, {"CAMPAIGN_OPS_SANDBOX_TODAY": DEMO_DAY})
    done = subprocess.run([sys.executable, "-m", "cli", "demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    recorded = json.loads((Path(__file__).parent / "demo_digest.json").read_text())
    built = digest(tmp_path / "wh" / "warehouse.duckdb")
    changed = {t: (recorded.get(t), built.get(t)) for t in recorded.keys() | built.keys()
               if recorded.get(t) != built.get(t)}
    assert changed == {}, json.dumps(changed, indent=1)
