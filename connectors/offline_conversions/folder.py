"""The drop folder as hostile ground: only regular files that are really inside it are read.

Partners write to drop folders (SFTP uploads, shared mounts), so anything in one may have been
put there to make the worker read something else. An entry is opened relative to the folder's
own descriptor with ``O_NOFOLLOW`` and checked with ``fstat`` on the descriptor that is then
read, so there is no gap between the check and the read for a swap to slip through:

* a symbolic link (to ``/proc/self/environ``, ``/etc/passwd``, a CSV elsewhere) is refused;
* a FIFO, socket, device or directory named like a data file is refused (opened
  non-blocking, so a FIFO cannot hang the run);
* hidden files (``.name``, e.g. an upload in progress) and other suffixes are skipped, as
  before.

A refused entry becomes a :class:`Refusal` naming the file, which the connector turns into a
reject; nothing of its content is read. The folder itself is configured by the operator and
may be a link (``/data/drop -> /mnt/sftp/partner``): it is resolved once.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from connectors.offline_conversions.excerpts import safe_name

__all__ = ["SUFFIXES", "DropFile", "Refusal", "drop_entries"]

SUFFIXES = (".csv", ".parquet")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass
class DropFile:
    """A regular file of the folder, open for reading (the caller closes ``fd``).

    Attributes:
        name: the entry's name as shown in messages (control characters escaped).
        suffix: ``.csv`` or ``.parquet``.
        fd: the open descriptor; read this, never the path.
        size: its size in bytes when opened.

    """

    name: str
    suffix: str
    fd: int
    size: int

    @property
    def fd_path(self) -> str:
        """A path that opens this very file (for readers that take paths, such as DuckDB)."""
        base = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
        return f"{base}/{self.fd}"

    def close(self) -> None:
        """Close the descriptor (idempotent)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


@dataclass(frozen=True)
class Refusal:
    """An entry that looks like a data file but is not read, and why."""

    name: str
    reason: str


def _data_suffix(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in SUFFIXES else None


def _open(name: str, folder_fd: int) -> DropFile | Refusal:
    shown = safe_name(name)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=folder_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            return Refusal(shown, "is a symbolic link; only regular files in the folder are "
                                  "read (copy the file in instead of linking it)")
        return Refusal(shown, f"cannot be opened: {exc.strerror or type(exc).__name__}")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = next((what for test, what in _KINDS if test(info.st_mode)), "not a regular file")
        return Refusal(shown, f"is {kind}, not a regular file")
    os.set_blocking(fd, True)
    suffix = _data_suffix(name)
    assert suffix is not None  # drop_entries only opens data files
    return DropFile(shown, suffix, fd, info.st_size)


def drop_entries(folder: Path) -> Iterator[DropFile | Refusal]:
    """Yield the folder's data files in name order, opened, or the refusal of each.

    Entries are the folder's direct children whose names end in ``.csv`` or ``.parquet``
    (any case) and do not start with a dot; sub-folders' contents are never read. Each yielded
    :class:`DropFile` must be closed by the caller (the next one is opened only when asked).

    Raises:
        OSError: the folder itself cannot be opened (the caller names it).

    """
    folder_fd = os.open(folder.resolve(), os.O_RDONLY | os.O_DIRECTORY
                        | getattr(os, "O_CLOEXEC", 0))
    try:
        names = sorted(
            entry.name for entry in os.scandir(folder_fd)
            if not entry.name.startswith(".") and _data_suffix(entry.name) is not None
        )
        for name in names:
            yield _open(name, folder_fd)
    finally:
        os.close(folder_fd)
