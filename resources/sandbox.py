"""The sandbox branch of the composition root: the emulators, their market and people.

One seeded market and one population per process, so every platform's emulator tells the
same story (a person's click, session, lead and order agree). The only module of
``resources`` that imports ``emulators``, always lazily: a live run never loads them. Each
emulator package declares how it is built and which connector settings reach it
(``emulators/<platform>/sandbox.py``); nothing here names a platform.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resources.errors import EnvironmentConfigError

if TYPE_CHECKING:
    from emulators._base import Emulator
    from emulators.market import Market
    from emulators.population import Population
    from emulators.sandbox import SandboxPlatform

__all__ = [
    "connector_settings",
    "export_offline_deals",
    "fix_sandbox_day",
    "sandbox_clock",
    "sandbox_emulator",
    "sandbox_market",
    "sandbox_population",
    "use_sandbox_emulator",
]


def connector_settings(platform: str, base_url: str) -> dict[str, Any]:
    """Return the fields of `platform`'s connector settings that reach its emulator.

    Each emulator package declares them (its sandbox tokens, ``emulators/<p>/sandbox.py``).

    Raises:
        EnvironmentConfigError: no emulator package declares `platform`.

    """
    return _sandbox(platform).connector_settings(base_url)


def _sandbox(platform: str) -> SandboxPlatform:
    from emulators.registry import SANDBOXES

    try:
        return SANDBOXES[platform]
    except KeyError:
        raise EnvironmentConfigError(
            f"the sandbox has no emulator of {platform!r} (known: {', '.join(SANDBOXES)})"
        ) from None


_emulators: dict[str, Emulator] = {}
_market: Market | None = None
_market_today: dt.date | None = None
_population: Population | None = None
_emulators_lock = threading.RLock()  # re-entered: emulator -> population -> market


def sandbox_emulator(platform: str) -> Emulator:
    """Return the in-process emulator of `platform`, one per process (state lives as long)."""
    sandbox = _sandbox(platform)
    market = sandbox_market()
    with _emulators_lock:
        if platform not in _emulators:
            options = {"population": sandbox_population()} if sandbox.renders_population else {}
            options.update(sandbox.in_process())
            _emulators[platform] = sandbox.build(market=market, **options)
        return _emulators[platform]


def sandbox_market() -> Market:
    """Return the sandbox's one seeded company on every ad platform (one per process)."""
    from emulators.entities import LAYOUTS
    from emulators.market import Market

    global _market
    with _emulators_lock:
        if _market is None:
            # One seeded company on every platform, so cross-channel numbers agree.
            _market = Market(seed=7, today=_market_today, platforms=tuple(LAYOUTS))
        return _market


def fix_sandbox_day(day: dt.date | None) -> None:
    """Freeze the sandbox market at noon UTC of ``day`` (None: it follows the wall clock).

    A seeded sandbox on a fixed day gives the same warehouse on every run: the demo's digest
    test relies on it.

    Raises:
        EnvironmentConfigError: the market already runs on another day in this process.

    """
    global _market_today
    with _emulators_lock:
        if _market is not None and day != _market_today:
            raise EnvironmentConfigError(
                f"CAMPAIGN_OPS_SANDBOX_TODAY={day} comes after the sandbox started on "
                f"{_market_today or 'the wall clock'}")
        _market_today = day


def sandbox_population() -> Population:
    """Return the people behind the sandbox market (one per process).

    The CRM, GA4, the shop and the offline exports all render this one population, so a
    person's click, session, lead and order agree.
    """
    from emulators.population import SANDBOX_PEOPLE, Population

    global _population
    market = sandbox_market()
    with _emulators_lock:
        if _population is None:
            _population = Population(market, size=SANDBOX_PEOPLE)
        return _population


@contextlib.contextmanager
def use_sandbox_emulator(platform: str, emulator: Emulator) -> Iterator[Emulator]:
    """Make `emulator` the in-process sandbox of `platform` for a while (tests, demo faults)."""
    with _emulators_lock:
        previous = _emulators.get(platform)
        _emulators[platform] = emulator
    try:
        yield emulator
    finally:
        with _emulators_lock:
            if previous is None:
                _emulators.pop(platform, None)
            else:
                _emulators[platform] = previous


def sandbox_clock(platform: str) -> dt.datetime:
    """Return the instant as `platform`'s in-process emulator sees it.

    A source without an emulator (the drop folder) reads the market's clock; a platform's own
    emulator may run on another (tests swap in one with a controlled clock).
    """
    from emulators.registry import SANDBOXES

    if platform in SANDBOXES:
        return sandbox_emulator(platform).market.now()
    return sandbox_market().now()


def export_offline_deals(folder: Path) -> None:
    """Write the sandbox CRM's closed deals of today into the drop folder, once a day."""
    from emulators.offline_conversions import export_closed_deals

    now = sandbox_market().now()
    if not (folder / f"deals-{now.date().isoformat()}.csv").exists():
        export_closed_deals(sandbox_population(), folder, as_of=now)
