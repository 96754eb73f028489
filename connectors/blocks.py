"""Prefect credential blocks of every platform, found from the platforms' descriptions.

Each connector package keeps its block in ``block.py`` (the only connector modules that import
Prefect) and names the class in its ``description.PLATFORM``. This module hands them out by
class name, so ``from connectors.blocks import MetaAdsCredentials`` works for every platform
without a list here:

    from connectors.blocks import MetaAdsCredentials
    MetaAdsCredentials(access_token="EAAB…").save("meta-ads")
"""

from __future__ import annotations

from typing import Any

from connectors.description import platforms

__all__ = ["credential_blocks"]


def credential_blocks() -> dict[str, type[Any]]:
    """Return every platform's credentials block class by class name (imports Prefect)."""
    found: dict[str, type[Any]] = {}
    for description in platforms():
        cls = description.block_cls()
        if cls is not None:
            found[description.credentials_block or cls.__name__] = cls
    return found


def __getattr__(name: str) -> type[Any]:
    """Return the block class called `name` (``MetaAdsCredentials``)."""
    blocks = credential_blocks()
    if name in blocks:
        return blocks[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *credential_blocks()])
