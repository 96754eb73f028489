"""A read-only map built on first use, for maps derived from the declared platforms.

The emulator packages import the shared modules (``population``, ``entities``...), so those
cannot read the packages' declarations while being imported. A module-level map they derive
from them is a :class:`LazyMap`: a ``Mapping`` whose contents come from a (cached) builder the
first time it is read, when every package has loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

__all__ = ["LazyMap"]

K = TypeVar("K")
V = TypeVar("V")


class LazyMap(Mapping[K, V]):
    """``build()``'s mapping, read through (``build`` should be cached: it runs on every read)."""

    def __init__(self, build: Callable[[], Mapping[K, V]]) -> None:
        self._build = build

    def __getitem__(self, key: K) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __contains__(self, key: object) -> bool:
        return key in self._build()

    def __repr__(self) -> str:
        return f"LazyMap({dict(self._build())!r})"
