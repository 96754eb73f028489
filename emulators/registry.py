"""Platform name -> emulator, found by walking the package (the CLI, tests, the sandbox).

Every ``emulators/<platform>/sandbox.py`` declares ``SANDBOX`` (an
``emulators.sandbox.SandboxPlatform``), an ad platform's also ``TRAFFIC`` (an
``emulators.traffic.AdChannel``, which ``emulators.traffic`` collects); nothing here names a
platform. ``SANDBOXES`` holds them all, ``EMULATORS`` the factories of the platforms a run
extracts from (ads and sources; destinations are written to, not read).
"""

from __future__ import annotations

from collections.abc import Callable

from emulators._base import Emulator
from emulators._discover import platform_modules
from emulators.sandbox import SandboxPlatform
from emulators.traffic import AdChannel

__all__ = ["EMULATORS", "SANDBOXES", "discover"]


def discover() -> dict[str, SandboxPlatform]:
    """Return every emulator package's ``SANDBOX``, by platform name (sorted).

    Raises:
        ValueError: an ad platform declares no ``TRAFFIC`` named after it, or another
            platform declares one.

    """
    found: dict[str, SandboxPlatform] = {}
    for _, module in platform_modules("sandbox"):
        sandbox = getattr(module, "SANDBOX", None)
        if isinstance(sandbox, SandboxPlatform):
            traffic = getattr(module, "TRAFFIC", None)
            named = isinstance(traffic, AdChannel) and traffic.platform == sandbox.platform
            if named != (sandbox.role == "ads"):
                raise ValueError(f"{module.__name__}: an ad platform, and only an ad platform, "
                                 "declares TRAFFIC, an AdChannel named after it")
            found[sandbox.platform] = sandbox
    return found


SANDBOXES: dict[str, SandboxPlatform] = discover()
EMULATORS: dict[str, Callable[..., Emulator]] = {
    name: sandbox.build for name, sandbox in SANDBOXES.items() if sandbox.role != "destination"
}
