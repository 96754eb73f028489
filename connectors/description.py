"""What a connector package declares about its platform, so nothing else needs a list.

Each platform's connector package has a ``description.py`` that sets ``PLATFORM`` to a
:class:`PlatformDescription`: its connector and settings classes, its credentials block, where
its live API is, what its rate quota is counted against, how far back it restates data, and,
for an ad platform, the channel it credits in attribution, the click-id parameter its ads add
to landing URLs and its colour in charts. :func:`platforms` finds them by walking the
``connectors`` package, so a new platform is found by adding its folder.

Everything shared derives from these: the connector registry, the environment's wiring
(``resources``), the credential blocks (``connectors.blocks``), the flows' platform
parameters, the charts' colours and the warehouse's click-id map (``core.click_id_channels``).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from connectors.errors import ConfigurationError

__all__ = [
    "PlatformDescription",
    "QuotaScope",
    "Role",
    "click_id_params",
    "describe",
    "platforms",
]

Role = Literal["ads", "source", "destination"]
"""``ads``: an ad platform (campaigns, spend; read by the ``extract-ads`` flow); ``source``:
a CRM, analytics property, shop or file drop (read by ``extract-sources``); ``destination``:
written to only (offline conversions, audiences)."""

QuotaScope = Literal["account", "app"]
"""What a platform's rate quota is counted against: each ad account, or the whole app."""


@dataclass(frozen=True)
class PlatformDescription:
    """One platform, as its connector package declares it.

    Attributes:
        name: the platform's name: its connector package, warehouse schema and emulator.
        title: how people write it (``"Meta Ads"``).
        role: ``ads``, ``source`` or ``destination``.
        connector: the connector class's name, exported by the package.
        settings: the settings class's name, exported by the package.
        credentials_block: the Prefect block class's name in the package's ``block`` module
            (the block is saved under the platform's name, dashed: ``meta-ads``); None where
            the platform needs no credentials (a file drop).
        live_base_url: the live API's base URL (None for a file drop).
        quota_scope: what the rate quota is counted against.
        max_lookback_days: the furthest back the platform restates data; a run asking for a
            longer lookback is refused.
        order: position in lists (flows' defaults, CLI help); ties by name.
        channel: the attribution channel its clicks and spend credit (ad platforms).
        click_id_param: the query parameter its ads add to landing URLs (``gclid``).
        chart_color: its colour in every chart (hex).
        click_id_on_organic: its click id is also added to unpaid clicks (Meta puts
            ``fbclid`` on organic posts' links too), so a click id under an organic,
            social or referral medium does not make the visit a paid one.
        traffic_sources: ``LIKE`` patterns of the (lower-case) utm source or GA4 source of
            its paid traffic, for visits without a click id (``%linkedin%``).
        paid_mediums: the (lower-case) mediums its paid traffic arrives with (``cpc``).

    """

    name: str
    title: str
    role: Role
    connector: str
    settings: str
    quota_scope: QuotaScope
    max_lookback_days: int
    credentials_block: str | None = None
    live_base_url: str | None = None
    order: int = 100
    channel: str | None = None
    click_id_param: str | None = None
    chart_color: str | None = None
    click_id_on_organic: bool = False
    traffic_sources: tuple[str, ...] = ()
    paid_mediums: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        """The connector package's import path."""
        return f"{__package__}.{self.name}"

    @property
    def block_name(self) -> str:
        """The default name its credentials block is saved under (``meta-ads``)."""
        return self.name.replace("_", "-")

    def connector_cls(self) -> type[Any]:
        """Return the connector class (imports the package)."""
        cls: type[Any] = getattr(importlib.import_module(self.package), self.connector)
        return cls

    def settings_cls(self) -> type[Any]:
        """Return the connector's settings class (imports the package)."""
        cls: type[Any] = getattr(importlib.import_module(self.package), self.settings)
        return cls

    def block_cls(self) -> type[Any] | None:
        """Return the credentials block class (imports Prefect), or None if it has none."""
        if self.credentials_block is None:
            return None
        module = importlib.import_module(f"{self.package}.block")
        cls: type[Any] = getattr(module, self.credentials_block)
        return cls


@functools.cache
def _discovered() -> tuple[PlatformDescription, ...]:
    found: list[PlatformDescription] = []
    for module in pkgutil.iter_modules(importlib.import_module(__package__).__path__):
        if not module.ispkg or module.name.startswith("_"):
            continue
        try:
            described = importlib.import_module(f"{__package__}.{module.name}.description")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{module.name}.description":
                raise
            continue
        description = described.PLATFORM
        if not isinstance(description, PlatformDescription) or description.name != module.name:
            raise TypeError(
                f"{described.__name__}.PLATFORM must be a PlatformDescription named "
                f"{module.name!r}"
            )
        found.append(description)
    return tuple(sorted(found, key=lambda d: (d.order, d.name)))


def platforms(*roles: Role) -> tuple[PlatformDescription, ...]:
    """Return every declared platform (of the given roles), in their declared order."""
    return tuple(d for d in _discovered() if not roles or d.role in roles)


def click_id_params() -> tuple[str, ...]:
    """Return the click-id query parameters of the ad platforms (``gclid``, ``fbclid``...)."""
    return tuple(d.click_id_param for d in platforms("ads") if d.click_id_param)


def describe(name: str) -> PlatformDescription:
    """Return the description of platform `name`.

    Raises:
        ConfigurationError: no connector package declares it (the message lists those that do).

    """
    for description in _discovered():
        if description.name == name:
            return description
    raise ConfigurationError(f"unknown platform {name!r} (known: {_names(_discovered())})")


def _names(descriptions: Iterable[PlatformDescription]) -> str:
    return ", ".join(sorted(d.name for d in descriptions))
