from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from emulators import _rng


@given(seed=st.integers(0, 2**32), key=st.text(max_size=12), n=st.integers(1, 8))
def test_uniforms_are_pure_and_in_range(seed, key, n):
    first = _rng.uniforms(seed, n, key, 3)
    assert first == _rng.uniforms(seed, n, key, 3)
    assert len(first) == n and all(0.0 <= u < 1.0 for u in first)
    assert 0.0 <= _rng.uniform(seed, key) < 1.0


def test_distributions_have_the_right_moments():
    us = [_rng.uniform(1, "u", i) for i in range(4000)]
    assert abs(statistics.mean(us) - 0.5) < 0.02
    zs = [_rng.gauss(*_rng.uniforms(1, 2, "z", i)) for i in range(4000)]
    assert abs(statistics.mean(zs)) < 0.06 and abs(statistics.stdev(zs) - 1) < 0.05
    for lam in (0.3, 4.0, 80.0):
        ks = [_rng.poisson_from(lam, *_rng.uniforms(1, 2, "p", lam, i)) for i in range(4000)]
        assert abs(statistics.mean(ks) - lam) < 0.06 * max(1.0, lam)
    assert _rng.poisson_from(0.0, 0.5, 0.5) == 0
