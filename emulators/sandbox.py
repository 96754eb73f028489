"""What an emulator package declares about itself, so the sandbox finds it without a list.

Each platform's emulator package (``emulators/<platform>/__init__.py``) sets ``SANDBOX`` to a
:class:`SandboxPlatform`: how to build the emulator, the connector settings that reach it
(its sandbox credentials), whether it renders the seeded population, and what the in-process
sandbox adds. An ad platform's ``sandbox.py`` also sets ``TRAFFIC`` to an
``emulators.traffic.AdChannel``: how its clicks look to the shop, GA4 and the CRM, its account
layout and planted effect. ``emulators.registry`` collects them by walking the package, so a
new platform's emulator is found by copying a folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from emulators._base import Emulator

__all__ = ["Role", "SandboxPlatform"]

Role = Literal["ads", "source", "destination"]
"""``ads``: an ad platform (spend, campaigns); ``source``: CRM, analytics, shop;
``destination``: written to only (conversions, audiences)."""


def _none() -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class SandboxPlatform:
    """One platform as the sandbox serves it.

    Attributes:
        platform: the platform's name (the connector package's too).
        role: ``ads``, ``source`` or ``destination``.
        build: the emulator factory, ``build(market=..., faults=..., quota=..., **options)``.
        connector_settings: ``base_url -> fields`` of the platform connector's settings that
            reach this emulator (its sandbox tokens; ``base_url`` is the emulator's).
        renders_population: the emulator shows the seeded people (CRM, analytics, shop), so
            the sandbox passes it the shared population.
        in_process: options the in-process sandbox adds (e.g. a larger quota).

    """

    platform: str
    role: Role
    build: Callable[..., Emulator]
    connector_settings: Callable[[str], dict[str, Any]]
    renders_population: bool = False
    in_process: Callable[[], dict[str, Any]] = field(default=_none)
