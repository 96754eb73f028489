"""Seeded fault injection shared by every emulator.

A ``FaultConfig`` says how often (``rate``) and which ``kinds`` of faults to inject; a
``FaultInjector`` draws them from its own ``random.Random(seed)`` so a sequential run is
reproducible. Each emulator decides how a kind looks on its wire (``throttle`` is the
platform's own throttle error, ``bad_record`` corrupts one row of a data page).
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass, field

HTTP_429 = "http_429"
HTTP_500 = "http_500"
HTTP_503 = "http_503"
TIMEOUT = "timeout"
EXPIRED_TOKEN = "expired_token"
REPEATED_CURSOR = "repeated_cursor"
MALFORMED_JSON = "malformed_json"
BAD_RECORD = "bad_record"
THROTTLE = "throttle"

KINDS: tuple[str, ...] = (
    HTTP_429, HTTP_500, HTTP_503, TIMEOUT, EXPIRED_TOKEN,
    REPEATED_CURSOR, MALFORMED_JSON, BAD_RECORD, THROTTLE,
)
# Kinds that only make sense on a page of data (and on a follow-up page for the cursor).
DATA_KINDS = frozenset({BAD_RECORD, REPEATED_CURSOR})


@dataclass(frozen=True)
class FaultConfig:
    """How an emulator misbehaves.

    Args:
        rate: probability in [0, 1] that an eligible request gets a fault.
        kinds: which kinds to draw from (uniformly among those eligible).
        seed: seeds the draw, so a run is reproducible.
        timeout_delay: seconds a loopback server waits before answering a ``timeout``
            request (in process, ``httpx.ReadTimeout`` is raised at once instead).
        retry_after: seconds announced in ``Retry-After`` on ``http_429``.
        max_faults: stop injecting after this many faults (None: no limit).
        skip_first: let this many requests through untouched before injecting.
        paths: a regular expression; only requests whose path matches it get faults
            (e.g. ``"/insights$"`` for report pages only). None: every path.

    """

    rate: float = 0.0
    kinds: Collection[str] = field(default_factory=lambda: KINDS)
    seed: int = 0
    timeout_delay: float = 5.0
    retry_after: int = 1
    max_faults: int | None = None
    skip_first: int = 0
    paths: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if self.paths is not None:
            try:
                re.compile(self.paths)
            except re.error as exc:
                raise ValueError(f"paths is not a regular expression: {exc}") from None

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """Build from ``"rate=0.1,kinds=http_500+timeout,seed=3"`` (CLI syntax)."""
        values: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, value = part.partition("=")
            values[key.strip()] = value.strip()
        kinds = tuple(values["kinds"].split("+")) if "kinds" in values else KINDS
        return cls(
            rate=float(values.get("rate", "0")),
            kinds=kinds,
            seed=int(values.get("seed", "0")),
            timeout_delay=float(values.get("timeout_delay", "5")),
            retry_after=int(values.get("retry_after", "1")),
            max_faults=int(values["max_faults"]) if "max_faults" in values else None,
            skip_first=int(values.get("skip_first", "0")),
            paths=values.get("paths"),
        )


class FaultInjector:
    """Draws faults for requests, thread-safely and reproducibly."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._random = random.Random(self.config.seed)
        self._lock = threading.Lock()
        self._seen = 0
        self.injected: list[str] = []

    def draw(self, eligible: Collection[str], path: str = "") -> str | None:
        """Return the fault kind for the next request, or None.

        ``eligible`` lists the kinds this request can carry (a first page cannot repeat
        a cursor). One random number is consumed per request whatever the outcome, so
        the sequence of faults depends only on the seed and the order of requests.
        """
        cfg = self.config
        with self._lock:
            self._seen += 1
            roll = self._random.random()
            pick = self._random.random()
            if cfg.rate <= 0 or self._seen <= cfg.skip_first:
                return None
            if cfg.max_faults is not None and len(self.injected) >= cfg.max_faults:
                return None
            if cfg.paths is not None and not re.search(cfg.paths, path):
                return None
            choices = [k for k in KINDS if k in cfg.kinds and k in eligible]
            if not choices or roll >= cfg.rate:
                return None
            kind = choices[int(pick * len(choices))]
            self.injected.append(kind)
            return kind
