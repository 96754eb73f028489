"""The layers hold: imports point one way, no package or module imports itself in a circle.

``cli/deployments -> flows -> tasks -> resources -> connectors | warehouse | store |
marketing`` (docs in DESIGN.md). Read from the source with ``ast``: every ``import`` of a
project package, at module level or inside a function (a lazy import is still a dependency),
except under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cli", "deployments", "flows", "tasks", "resources", "config", "connectors",
            "warehouse", "store", "marketing", "reports", "gateway", "emulators", "loopback")

# What each package may import of the others (itself always).
ALLOWED: dict[str, set[str]] = {
    "cli": set(PACKAGES),
    "deployments": {"flows", "tasks", "resources", "config", "connectors", "warehouse", "store",
                    "emulators", "loopback", "marketing"},
    "flows": {"tasks", "resources", "config", "marketing"},
    "tasks": {"resources", "config", "connectors", "warehouse", "store", "marketing", "reports"},
    "resources": {"config", "connectors", "warehouse", "store", "emulators"},
    "config": set(),
    "connectors": set(),
    "warehouse": set(),
    "store": set(),
    "marketing": set(),
    "reports": {"marketing"},
    "gateway": {"store", "loopback", "config"},
    "emulators": {"loopback"},
    "loopback": set(),
}
# Only these modules may import the emulators: the sandbox branch of the composition root,
# the serving of `campaign-ops up`, and `campaign-ops simulate`, which scores the flows with
# the market's hidden curves (tests, bench and the CLI too, outside this list's reach).
EMULATOR_IMPORTERS = {"resources/sandbox.py", "deployments/local.py", "deployments/simulate.py",
                      "cli.py"}
# Third-party packages a layer must not import (marketing may take DuckDB relations).
FORBIDDEN_LIBRARIES = {
    "marketing": {"httpx", "prefect", "sqlalchemy"},
    "connectors": {"prefect"},
    "warehouse": {"prefect", "httpx"},
    "store": {"prefect", "httpx"},
    "gateway": {"duckdb"},
}
# Credential blocks are Prefect blocks: each platform's block.py is the one connectors module
# that imports Prefect (nothing imports it but connectors.blocks, on demand).
LIBRARY_EXCEPTIONS = {"connectors/*/block.py": {"prefect"}}
# Business code decides nothing by the environment's name: the composition root does.
NO_SANDBOX_BRANCH = ("flows", "tasks", "marketing", "connectors", "warehouse", "store",
                     "reports")


def _sources() -> list[Path]:
    files = [ROOT / "cli.py"]
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, TYPE_CHECKING blocks left out."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _graph() -> tuple[dict[str, set[str]], dict[str, Path]]:
    files = {_module(p): p for p in _sources()}
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in files.items():
        for name in _imports(path):
            # the longest known module the import names (a name from a module is the module)
            parts = name.split(".")
            while parts and ".".join(parts) not in files:
                parts.pop()
            if parts and ".".join(parts) != module:
                graph[module].add(".".join(parts))
    return graph, files


def _package(module: str) -> str:
    return module.split(".")[0]


def test_packages_import_only_the_layers_below_them():
    graph, files = _graph()
    wrong = {
        f"{files[a].relative_to(ROOT)} imports {b}"
        for a, targets in graph.items() for b in targets
        if _package(b) != _package(a) and _package(b) not in ALLOWED[_package(a)]
    }
    assert sorted(wrong) == [], "\n".join(sorted(wrong))


def test_only_the_sandbox_branch_and_serving_import_the_emulators():
    graph, files = _graph()
    wrong = sorted(
        f"{files[a].relative_to(ROOT)} imports {b}"
        for a, targets in graph.items() for b in targets
        if _package(b) == "emulators" and _package(a) != "emulators"
        and str(files[a].relative_to(ROOT)) not in EMULATOR_IMPORTERS
    )
    assert wrong == [], "\n".join(wrong)


def test_layers_do_not_import_the_libraries_they_must_stay_free_of():
    wrong = set()
    for path in _sources():
        package = _package(_module(path))
        relative = str(path.relative_to(ROOT))
        allowed = set().union(*(libraries for pattern, libraries in LIBRARY_EXCEPTIONS.items()
                                if fnmatch.fnmatch(relative, pattern)))
        for name in _imports(path):
            library = name.split(".")[0]
            if library in FORBIDDEN_LIBRARIES.get(package, set()) - allowed:
                wrong.add(f"{path.relative_to(ROOT)} imports {library}")
    assert sorted(wrong) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            strong(node)
    return found


def test_no_module_imports_itself_in_a_circle():
    graph, _ = _graph()
    # A package's __init__ re-exports its modules, and they import siblings through it: count
    # a module -> its own package's __init__ edge as no dependency.
    pruned = {a: {b for b in targets if not a.startswith(b + ".")} for a, targets in graph.items()}
    assert _cycles(pruned) == []


def test_no_package_imports_another_that_imports_it_back():
    graph, _ = _graph()
    packages: dict[str, set[str]] = defaultdict(set)
    for a, targets in graph.items():
        packages[_package(a)] |= {_package(b) for b in targets if _package(b) != _package(a)}
    assert _cycles(packages) == []


def test_business_code_never_branches_on_the_environments_name():
    wrong = []
    for path in _sources():
        if _package(_module(path)) not in NO_SANDBOX_BRANCH:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value in {"sandbox", "live"}
                for c in (node.left, *node.comparators)
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert wrong == []


def test_the_rules_see_the_project():
    """The graph is not empty and a known edge is in it (a broken reader would pass all)."""
    graph, files = _graph()
    assert len(files) > 150
    assert "tasks.writer" in graph["tasks.extract"]
    assert any(_package(b) == "connectors" for b in graph["tasks.extract"])
