"""Platform name -> connector class and settings class (CLI, contract tests, deployments).

Built from the platforms' descriptions (``connectors/<platform>/description.py``): every API
platform that is read from (ad platforms and sources reached over HTTP; not the file drop,
not the write-only destinations).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from connectors._base import BaseConnector
from connectors.description import PlatformDescription, platforms
from connectors.errors import ConfigurationError

__all__ = ["CONNECTORS", "ConnectorEntry", "get_connector"]


@dataclass(frozen=True)
class ConnectorEntry:
    """One registered platform.

    Attributes:
        platform: platform name (same as the emulator and warehouse schema).
        connector_cls: the connector class.
        settings_cls: its settings model.
        description: everything else its package declares.

    """

    platform: str
    connector_cls: type[BaseConnector]
    settings_cls: type[BaseModel]
    description: PlatformDescription


CONNECTORS: dict[str, ConnectorEntry] = {
    d.name: ConnectorEntry(d.name, d.connector_cls(), d.settings_cls(), d)
    for d in platforms("ads", "source")
    if d.live_base_url is not None
}


def get_connector(platform: str) -> ConnectorEntry:
    """Return the entry of ``platform``.

    Raises:
        ConfigurationError: unknown platform.

    """
    try:
        return CONNECTORS[platform]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise ConfigurationError(f"unknown platform {platform!r} (known: {known})") from None
