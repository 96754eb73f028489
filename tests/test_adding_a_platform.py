"""docs/adding-a-platform.md, followed: a platform added by folders alone is found everywhere.

``tests/platform_fixture`` holds a throwaway ad platform, ``acme_ads``, laid out as its folders
would be in the repo (connector package, emulator package, warehouse table module, migration,
core model, contract target). The module fixture copies the project's source packages and its
``tests`` folder into a temporary folder, then copies the fixture's files in, refusing to
overwrite any file. The tests
run against that copy in subprocesses (``cwd`` and ``PYTHONPATH`` = the copy):

* no file the copy had before the fixture arrived changed (hash comparison);
* discovery finds acme_ads in every derived place (connectors, emulators, warehouse, flows,
  resources, config);
* the project's own shared tests, unchanged, take it in: the connector contract suite and
  the shared settings and connector tests run for acme_ads (each finds it by discovery), and
  the import-direction test holds with it;
* the ``extract-ads`` flow (Prefect test harness, in-process sandbox) lands acme_ads rows in a
  fresh DuckDB file through the quality gate, equal to the emulator's market truth.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "platform_fixture"
PLATFORM = "acme_ads"

# The project as a deployment has it (pyproject's packages, the CLI module, the build file).
SOURCES = ("cli.py", "config", "connectors", "deployments", "emulators", "flows", "gateway",
           "loopback", "marketing", "reports", "resources", "store", "tasks", "warehouse",
           "pyproject.toml")
CONTRACT = "tests/connectors/contract.py"
# The shared tests that must take the platform in without a line changed.
SHARED_TESTS = ("tests/connectors/test_contract.py", "tests/connectors/test_http_settings.py",
                "tests/connectors/test_platform.py")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")
TESTS_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "platform_fixture")
SANDBOX_DAY = "2026-11-20"


@dataclass(frozen=True)
class ProjectCopy:
    """The copy, the hashes of its files before the fixture came in, and the fixture's files."""

    root: Path
    before: dict[str, str]
    added: tuple[str, ...]


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ProjectCopy:
    root = tmp_path_factory.mktemp("project")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=IGNORED)
        else:
            shutil.copy2(source, root / name)
    shutil.copytree(ROOT / "tests", root / "tests", ignore=TESTS_IGNORED)
    before = _hashes(root)
    added = []
    for path in sorted(FIXTURE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(FIXTURE)
        target = root / relative
        assert not target.exists(), f"the fixture would overwrite {relative}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        added.append(relative.as_posix())
    return ProjectCopy(root, before, tuple(added))


def _environment(copy: Path, home: Path) -> dict[str, str]:
    """The process environment of a run in the copy: its own Prefect home, a sandbox."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAMPAIGN_OPS_", "PREFECT_", "PYTEST_"))}
    env.update({
        "PYTHONPATH": str(copy),
        "PREFECT_HOME": str(home / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "CAMPAIGN_OPS_ENV": "sandbox",
        "CAMPAIGN_OPS_DATA_DIR": str(home / "data"),
        "CAMPAIGN_OPS_WAREHOUSE": str(home / "warehouse.duckdb"),
        "CAMPAIGN_OPS_SANDBOX_TODAY": SANDBOX_DAY,
    })
    return env


def _run(project: ProjectCopy, home: Path, *args: str, timeout: float = 300
         ) -> subprocess.CompletedProcess[str]:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, *args], cwd=project.root, env=_environment(project.root, home),
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def _json_line(done: subprocess.CompletedProcess[str]) -> dict:
    output = f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}"
    assert done.returncode == 0, f"exit {done.returncode}:\n{output}"
    last = [line for line in done.stdout.splitlines() if line.startswith("{")][-1]
    result: dict = json.loads(last)
    return result


def test_the_platform_is_folders_alone_and_touches_no_shared_file(project: ProjectCopy):
    # Every fixture file sits in a folder or file named after the platform...
    assert project.added
    for relative in project.added:
        assert any(PLATFORM in part for part in Path(relative).parts), relative
    # ... and every file the copy had before is byte for byte what it was.
    after = _hashes(project.root)
    changed = sorted(f for f, digest in project.before.items() if after.get(f) != digest)
    assert changed == [], f"shared files touched: {changed}"
    assert set(project.added) <= set(after)


DISCOVERY = """
import json

import connectors
from config import load_settings
from connectors.blocks import credential_blocks
from connectors.description import click_id_params, describe, platforms
from connectors.registry import CONNECTORS
from emulators.entities import LAYOUTS
from emulators.registry import EMULATORS, SANDBOXES
from emulators.traffic import declared_ad_channels
from flows.parameters import MAX_LOOKBACK_DAYS, PLATFORMS, parse_extract_request
from resources.environment import current
from resources.platforms import ad_channels, channel_colours
from warehouse.migrate import load_migrations
from warehouse.platforms import TABLES, core_model_sql

connector = current().connector("acme_ads")
try:
    accounts = [a.id for a in connector.list_accounts()]
finally:
    connector.close()
print(json.dumps({
    "connectors_file": connectors.__file__,
    "descriptions": [d.name for d in platforms("ads")],
    "title": describe("acme_ads").title,
    "registry": sorted(CONNECTORS),
    "registry_class": CONNECTORS["acme_ads"].connector_cls.__name__,
    "blocks": sorted(credential_blocks()),
    "click_ids": list(click_id_params()),
    "sandboxes": sorted(SANDBOXES),
    "emulators": sorted(EMULATORS),
    "traffic": [c.name for c in declared_ad_channels()],
    "layouts": sorted(LAYOUTS),
    "tables": sorted(t for t in TABLES if t.startswith("acme_ads.")),
    "migrations": [m.name for m in load_migrations()],
    "core_model": core_model_sql("acme_ads") is not None,
    "flow_platforms": list(PLATFORMS),
    "lookback": MAX_LOOKBACK_DAYS["acme_ads"],
    "request": list(parse_extract_request(platforms=["acme_ads"]).platforms),
    "ad_channels": [c.channel for c in ad_channels()],
    "colours": channel_colours().get("acme_ads"),
    "sandbox_url_setting": dict(load_settings(
        {"CAMPAIGN_OPS_SANDBOX_URL_ACME_ADS": "http://127.0.0.1:9"}).sandbox_urls),
    "environment_connector": type(connector).__name__,
    "sandbox_accounts": accounts,
}))
"""


def test_discovery_finds_the_platform_everywhere(project: ProjectCopy, tmp_path: Path):
    found = _json_line(_run(project, tmp_path, "-c", DISCOVERY))

    assert Path(found["connectors_file"]).is_relative_to(project.root)  # the copy, not the repo
    assert PLATFORM in found["descriptions"] and found["title"] == "Acme Ads"
    assert PLATFORM in found["registry"] and found["registry_class"] == "AcmeAdsConnector"
    assert "AcmeAdsCredentials" in found["blocks"]
    assert "acmeclid" in found["click_ids"]
    assert PLATFORM in found["sandboxes"] and PLATFORM in found["emulators"]
    assert PLATFORM in found["traffic"] and PLATFORM in found["layouts"]
    assert found["tables"] == ["acme_ads.accounts", "acme_ads.ad_stats_daily",
                               "acme_ads.campaigns"]
    assert "acme_ads" in found["migrations"] and found["core_model"]
    assert PLATFORM in found["flow_platforms"] and found["lookback"] == 28
    assert found["request"] == [PLATFORM]
    assert PLATFORM in found["ad_channels"] and found["colours"] == "#B45309"
    assert found["sandbox_url_setting"] == {PLATFORM: "http://127.0.0.1:9"}
    assert found["environment_connector"] == "AcmeAdsConnector"
    assert found["sandbox_accounts"] == ["7700001", "7700002", "7700003"]


def test_the_shared_tests_take_the_platform_in_unchanged(
    project: ProjectCopy, tmp_path: Path
):
    report = tmp_path / "shared.xml"
    done = _run(project, tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-p", "no:xdist", f"--junitxml={report}", "-k",
                f"{PLATFORM} or every_registered_connector_is_under_contract", *SHARED_TESTS)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("failures", "errors", "skipped")} == {
        "failures": "0", "errors": "0", "skipped": "0"}
    ran: dict[str, set[str]] = {}
    for case in suite.iter("testcase"):
        module = case.get("classname", "").split(".")[2]
        ran.setdefault(module, set()).add(case.get("name", ""))
    contract = {name.split("[")[0] for name in ran["test_contract"]}
    assert contract == _contract_tests(project.root / CONTRACT) | {
        "test_every_registered_connector_is_under_contract"}
    assert all(PLATFORM in name for name in ran["test_contract"]
               if name != "test_every_registered_connector_is_under_contract")
    assert ran["test_http_settings"] == {
        f"test_every_platform_takes_an_http_base_url_without_its_trailing_slash[{PLATFORM}]",
        f"test_every_platform_refuses_a_naive_token_expiry[{PLATFORM}]"}
    assert ran["test_platform"] == {
        f"test_streams_are_looked_up_by_name[{PLATFORM}]",
        f"test_a_read_window_ends_at_the_last_complete_day_in_the_account_zone[{PLATFORM}]"}


@pytest.mark.parametrize("tests", [
    ("tests/test_layers.py",),
    # The pins of the seeded market's channels hold for the channels they knew.
    ("tests/emulators/test_traffic.py", "tests/emulators/test_population.py"),
], ids=["layers", "market-pins"])
def test_whole_shared_test_files_pass_with_the_platform(
    project: ProjectCopy, tmp_path: Path, tests: tuple[str, ...]
):
    done = _run(project, tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "-p", "no:xdist", *tests)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def _contract_tests(contract: Path) -> set[str]:
    """The names of the tests of ``ConnectorContract`` (every one must run for the platform)."""
    tree = ast.parse(contract.read_text("utf-8"))
    suite = next(node for node in tree.body
                 if isinstance(node, ast.ClassDef) and node.name == "ConnectorContract")
    return {node.name for node in suite.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


EXTRACT = """
import json
from datetime import timedelta

import duckdb
from prefect.testing.utilities import prefect_test_harness

with prefect_test_harness(server_startup_timeout=180):
    from flows.extract_ads import extract_ads
    from resources.environment import current
    from resources.sandbox import sandbox_emulator

    summary = extract_ads(platforms=["acme_ads"])
    market = sandbox_emulator("acme_ads").market
    warehouse = current().warehouse_path

# What the emulator's market says the first load holds: each account's delivered ad-days of
# the connector's initial window (30 days) ending yesterday in the account's time zone.
expected = {}
for account in market.accounts("acme_ads"):
    last = market.local_today("acme_ads", account.id) - timedelta(days=1)
    for ad in market.ads("acme_ads", account.id):
        for back in range(30):
            day = last - timedelta(days=back)
            if day >= ad.start_day:
                truth = market.truth("acme_ads", ad.id, day)
                if truth.delivered:
                    expected[(ad.id, day.isoformat())] = truth
with duckdb.connect(str(warehouse), read_only=True) as con:
    stored = con.execute(
        "SELECT ad_id, CAST(date AS VARCHAR), spend, impressions, clicks, conversions, "
        "conversion_value FROM acme_ads.ad_stats_daily").fetchall()
mismatches = []
for ad_id, day, spend, impressions, clicks, conversions, value in stored:
    truth = expected.get((ad_id, day))
    got = (spend, impressions, clicks, conversions, value)
    want = None if truth is None else (
        truth.spend, truth.impressions, truth.clicks, truth.conversions, truth.value)
    if got != want:
        mismatches.append([ad_id, day, str(got), str(want)])
print(json.dumps({
    "ok": summary.ok,
    "warehouse": str(warehouse),
    "expected_rows": len(expected),
    "expected_spend": str(sum(t.spend for t in expected.values())),
    "accounts": len(market.accounts("acme_ads")),
    "campaigns": sum(len(market.campaigns("acme_ads", a.id))
                     for a in market.accounts("acme_ads")),
    "mismatches": mismatches[:5],
}))
"""


def test_one_extract_lands_rows_through_the_quality_gate(project: ProjectCopy, tmp_path: Path):
    found = _json_line(_run(project, tmp_path, "-c", EXTRACT))

    assert found["ok"]
    assert found["mismatches"] == []
    warehouse = Path(found["warehouse"])
    assert warehouse == tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        def one(sql: str) -> tuple:
            row = con.execute(sql).fetchone()
            assert row is not None
            return tuple(row)

        assert one("SELECT count(*) FROM acme_ads.accounts") == (found["accounts"],)
        assert one("SELECT count(*) FROM acme_ads.campaigns") == (found["campaigns"],)
        rows, spend = one("SELECT count(*), CAST(sum(spend) AS VARCHAR) "
                          "FROM acme_ads.ad_stats_daily")
        assert rows == found["expected_rows"] > 0
        assert Decimal(spend) == Decimal(found["expected_spend"])
        # The optional core model ran: core mirrors the platform table.
        assert one("SELECT count(*) FROM core.ad_performance_daily "
                   "WHERE platform = 'acme_ads'") == (rows,)
        # Every batch passed its ERROR checks and was published; nothing was set aside.
        assert one("SELECT count(DISTINCT table_name), count(*) FILTER (WHERE NOT passed) "
                   "FROM ops.quality_results WHERE platform = 'acme_ads' "
                   "AND severity = 'ERROR'") == (3, 0)
        assert one("SELECT count(*), count(*) FILTER (WHERE status <> 'published') "
                   "FROM ops.loads WHERE platform = 'acme_ads'") == (3 * found["accounts"], 0)
        assert one("SELECT count(*) FROM ops.quarantine") == (0,)
        assert one("SELECT count(DISTINCT account_id) FROM ops.extract_state "
                   "WHERE platform = 'acme_ads' AND stream = 'ad_stats_daily'") == (
                       found["accounts"],)
