"""Counter-based (hash) randomness for the market simulator.

Every random number is a pure function of a seed and a tuple of keys, so any
(ad, day) can be computed on its own, in any order, without precomputed arrays.
"""

from __future__ import annotations

import hashlib
import math
import struct

_SCALE = 2.0**-64


def uniform(seed: int, *keys: object) -> float:
    """Return a float in [0, 1) derived from ``seed`` and ``keys`` only."""
    material = repr((seed, *keys)).encode()
    digest = hashlib.blake2b(material, digest_size=8).digest()
    return float(struct.unpack("<Q", digest)[0]) * _SCALE


def between(seed: int, low: float, high: float, *keys: object) -> float:
    """Return a float uniformly spread over [low, high)."""
    return low + (high - low) * uniform(seed, *keys)


def integer(seed: int, low: int, high: int, *keys: object) -> int:
    """Return an integer in [low, high] (both ends included)."""
    return low + int(uniform(seed, *keys) * (high - low + 1))


def uniforms(seed: int, count: int, *keys: object) -> list[float]:
    """Return ``count`` (at most 8) independent floats in [0, 1) from one hash."""
    if not 1 <= count <= 8:
        raise ValueError("count must be within 1..8")
    material = repr((seed, *keys)).encode()
    digest = hashlib.blake2b(material, digest_size=8 * count).digest()
    return [float(x) * _SCALE for x in struct.unpack(f"<{count}Q", digest)]


def gauss(u1: float, u2: float) -> float:
    """Turn two uniforms into a standard normal variate (Box-Muller)."""
    return math.sqrt(-2.0 * math.log(max(u1, 1e-12))) * math.cos(2.0 * math.pi * u2)


def poisson_from(lam: float, u1: float, u2: float) -> int:
    """Return a Poisson variate with mean ``lam`` from two uniforms (inverse CDF)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(lam + math.sqrt(lam) * gauss(u1, u2)))
    k, p = 0, math.exp(-lam)
    cdf = p
    while u1 > cdf and k < 200:
        k += 1
        p *= lam / k
        cdf += p
    return k
