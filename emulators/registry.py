"""Platform name -> emulator, found by walking the package (the CLI, tests, the sandbox).

Every ``emulators/<platform>/sandbox.py`` declares ``SANDBOX`` (an
``emulators.sandbox.SandboxPlatform``); nothing here names a platform. ``SANDBOXES`` holds
them all, ``EMULATORS`` the factories of the platforms a run extracts from (ads and sources;
destinations are written to, not read).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import emulators
from emulators._base import Emulator
from emulators.sandbox import SandboxPlatform

__all__ = ["EMULATORS", "SANDBOXES", "discover"]


def discover() -> dict[str, SandboxPlatform]:
    """Return every emulator package's ``SANDBOX``, by platform name (sorted)."""
    found: dict[str, SandboxPlatform] = {}
    for info in sorted(pkgutil.iter_modules(emulators.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"emulators.{info.name}.sandbox")
        except ModuleNotFoundError as exc:
            if exc.name != f"emulators.{info.name}.sandbox":
                raise
            continue
        sandbox = getattr(module, "SANDBOX", None)
        if isinstance(sandbox, SandboxPlatform):
            found[sandbox.platform] = sandbox
    return found


SANDBOXES: dict[str, SandboxPlatform] = discover()
EMULATORS: dict[str, Callable[..., Emulator]] = {
    name: sandbox.build for name, sandbox in SANDBOXES.items() if sandbox.role != "destination"
}
