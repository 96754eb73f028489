"""Walk the platform packages: what each ``emulators/<platform>/<module>.py`` declares.

The registry (``SANDBOX``) and the market's traffic (``TRAFFIC``) both read the platform
packages' declarations without naming a platform. Modules are imported by name when walked,
so nothing below the packages imports them (they import the shared modules, not the reverse).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import emulators

__all__ = ["platform_modules"]


def platform_modules(module: str) -> Iterator[tuple[str, ModuleType]]:
    """Yield (package name, ``emulators.<package>.<module>``) of every package that has it.

    Packages come in name order; ``_private`` packages and plain modules are skipped.
    """
    for info in sorted(pkgutil.iter_modules(emulators.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        name = f"emulators.{info.name}.{module}"
        try:
            found = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        yield info.name, found
