"""Atomic file writes and the shared ``plotly.min.js`` written next to the reports."""

from __future__ import annotations

import contextlib
import os
import tempfile
from importlib import resources
from pathlib import Path

PLOTLY_JS = "plotly.min.js"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename.

    Readers (a browser, a Prefect artifact link) see either the old file or the new one,
    never a half-written page.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def plotly_js() -> bytes:
    """Return the plotly.js bundle shipped inside the installed plotly package."""
    bundle = resources.files("plotly").joinpath("package_data", PLOTLY_JS)
    try:
        return bytes(bundle.read_bytes())
    except FileNotFoundError:  # pragma: no cover - layout of older plotly releases
        from plotly.offline import get_plotlyjs

        return str(get_plotlyjs()).encode("utf-8")


def ensure_plotly_js(out_dir: Path) -> Path:
    """Write ``plotly.min.js`` into ``out_dir`` unless an identical copy is already there.

    One shared copy (about 5 MB) keeps every report small; reports load it by relative path,
    so they open offline from disk and from a file link alike.
    """
    target = out_dir / PLOTLY_JS
    bundle = plotly_js()
    try:
        if target.stat().st_size == len(bundle) and target.read_bytes() == bundle:
            return target
    except FileNotFoundError:
        pass
    atomic_write(target, bundle)
    return target
