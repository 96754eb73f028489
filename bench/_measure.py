"""Peak memory of a benchmark step: the process RSS sampled by a thread while it runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

MB = 1024 * 1024


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Yield a dict that ends with the step's ``start`` and ``peak`` RSS (MB) and ``seconds``.

    RSS is sampled every 5 ms, so a spike shorter than that can be missed.
    """
    proc = psutil.Process()
    out = {"start": proc.memory_info().rss / MB, "peak": 0.0, "seconds": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            out["peak"] = max(out["peak"], proc.memory_info().rss / MB)
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    began = time.perf_counter()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - began
        stop.set()
        thread.join()
        out["peak"] = max(out["peak"], proc.memory_info().rss / MB)
