"""The fast random primitives (orgsim.rng) have exactly the distributions they claim.

Statistical checks use fixed seeds (deterministic) and tolerances of 5 standard
errors, so they fail for a real bias of a few tenths of a percent, not by chance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgsim.rng import (
    BULK_BYTES,
    bernoulli,
    bernoulli_positions,
    bulk_stream,
    chance,
    chance_table,
    chance_table32,
    extra_chance,
    geometric,
    random_bytes,
    seeds63,
    skip_positions,
    uniform32,
)


@given(st.floats(0.0, 1.0, exclude_max=True))
def test_extra_chance_makes_p_exact(p: float) -> None:
    """k/256 + (1 - k/256) q = p, and q stays below 1 / (256 - k)."""
    k = int(p * 256.0)
    q = extra_chance(p)
    assert 0.0 <= q < 1.0 / (256 - k) + 1e-15
    assert abs(k / 256 + (1 - k / 256) * q - p) <= 1e-15


@pytest.mark.parametrize("p", [1e-4, 0.05, 0.1, 0.3000001, 0.5, 0.99, 25 / 256, 25.5 / 256])
def test_bernoulli_has_chance_p(p: float) -> None:
    size = 2_000_000
    x = bernoulli(np.random.default_rng(7), p, (size,))
    se = np.sqrt(p * (1 - p) / size)
    assert abs(x.mean() - p) < 5 * se


def test_bernoulli_is_a_byte_test_plus_rare_extra_trials() -> None:
    """p = (k + f) / 256: byte < k always succeeds; other trials succeed with chance
    q = (p - k/256) / (1 - k/256), independently of their byte."""
    p = (40 + 0.25) / 256
    size = 2_000_000
    x = bernoulli(np.random.default_rng(1), p, (size,))
    first = random_bytes(np.random.default_rng(1), size)  # the same stream's bytes
    assert x[first < 40].all()
    rest = x[first >= 40]
    q = extra_chance(p)
    assert abs(rest.mean() - q) < 5 * np.sqrt(q * (1 - q) / rest.size)
    for b in (40, 41, 200):  # the extra trials do not depend on the byte
        sub = x[first == b]
        assert abs(sub.mean() - q) < 5 * np.sqrt(q * (1 - q) / sub.size) + 1e-4


@pytest.mark.parametrize(("p", "per_million"), [(0.1, 2597), (0.3, 4444), (0.99, 146_667)])
def test_extra_trials_happen_as_often_as_documented(p: float, per_million: int) -> None:
    """The docstring's counts: q x size extra successes drawn by geometric skipping."""
    q = extra_chance(p)
    assert round(q * 1e6) == per_million
    size = 1_000_000
    idx = skip_positions(np.random.default_rng(3), q, size)
    assert abs(idx.size - q * size) < 5 * np.sqrt(q * (1 - q) * size)


def test_bernoulli_extremes_and_multiples_of_a_256th() -> None:
    rng = np.random.default_rng(0)
    assert not bernoulli(rng, 0.0, (3, 4)).any() and bernoulli(rng, 1.0, (3, 4)).all()
    assert extra_chance(0.5) == 0.0 and extra_chance(3 / 256) == 0.0
    x = bernoulli(rng, 0.5, (1000, 3))
    assert x.shape == (1000, 3) and x.dtype == bool


@pytest.mark.parametrize("p", [0.0, 1e-4, 0.0022, 1 / 256 - 1e-9, 1 / 256, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 10_000])
@pytest.mark.parametrize("bitgen", [np.random.PCG64, np.random.SFC64, np.random.MT19937])
def test_bernoulli_positions_are_bernoullis_successes_from_the_same_numbers(
    p: float, size: int, bitgen: type
) -> None:
    """The same trials and the generator left where bernoulli leaves it (the rest of
    the week's draws are unchanged), for rare chances (bytes skipped) and common ones."""
    fast, slow = np.random.Generator(bitgen(11)), np.random.Generator(bitgen(11))
    got = bernoulli_positions(fast, p, size)
    want = np.flatnonzero(bernoulli(slow, p, (size,)))
    assert got.dtype.kind == "i" and np.array_equal(got, want)
    assert fast.bit_generator.random_raw(3).tolist() == slow.bit_generator.random_raw(3).tolist()


def test_skip_positions_are_bernoulli_trials() -> None:
    rng = np.random.default_rng(5)
    for q, size in ((0.003, 1_000_000), (0.2, 50_000), (0.5, 1000), (1e-6, 10)):
        idx = skip_positions(rng, q, size)
        assert np.all(np.diff(idx) > 0) and (idx.size == 0 or (idx[0] >= 0 and idx[-1] < size))
        assert abs(idx.size - q * size) < 6 * np.sqrt(q * (1 - q) * size) + 1
    # uniform over positions: first and second half get the same share
    idx = skip_positions(rng, 0.01, 2_000_000)
    half = (idx < 1_000_000).mean()
    assert abs(half - 0.5) < 5 * np.sqrt(0.25 / idx.size)
    assert skip_positions(rng, 0.0, 100).size == 0 and skip_positions(rng, 0.5, 0).size == 0


@pytest.mark.parametrize(
    "p", [1e-300, 1e-12, 1e-6, 0.0026, 0.01, 0.1, 0.3, 0.3333333333333333, 0.5, 0.9, 1.0]
)
def test_geometric_is_numpys_geometric(p: float) -> None:
    """The same variates as ``Generator.geometric``, at every size (both paths), on both
    bit generators, including numpy's cap at INT64_MAX for the tiniest p."""
    for size in (0, 1, 63, 64, 5000):
        for bits in (np.random.PCG64, np.random.SFC64):
            want = np.random.Generator(bits(11)).geometric(p, size=size)
            got = geometric(np.random.Generator(bits(11)), p, size)
            assert got.dtype == want.dtype and np.array_equal(got, want), (size, bits)
    if p == 1e-300:
        assert (geometric(np.random.default_rng(1), p, 100) == np.iinfo(np.int64).max).all()


def test_seeds63_are_numpys_integers() -> None:
    """The same numbers as ``Generator.integers(0, 2**63)`` on every bit generator
    (the raw shortcut, or numpy itself where raw output is 32 bits)."""
    for bits in (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox):
        for size in (0, 1, 1000):
            want = np.random.Generator(bits(4)).integers(0, 2**63, size=size, dtype=np.int64)
            assert np.array_equal(seeds63(np.random.Generator(bits(4)), size), want), bits
    mt = np.random.Generator(np.random.MT19937(4))
    want = np.random.Generator(np.random.MT19937(4)).integers(0, 2**63, size=9, dtype=np.int64)
    assert np.array_equal(seeds63(mt, 9), want)


def test_skip_positions_continue_past_a_short_first_batch() -> None:
    """More successes than the first batch of gaps holds: later batches carry on from
    the last position (a generator whose every gap is 1 or 2 makes all, or every other,
    trial a success)."""

    class Gaps:
        def __init__(self, gap: int) -> None:
            self.gap = gap

        def geometric(self, q: float, size: int) -> np.ndarray:
            return np.full(size, self.gap, dtype=np.int64)

    every = skip_positions(Gaps(1), 0.01, 1000)  # type: ignore[arg-type]
    assert every.tolist() == list(range(1000))
    other = skip_positions(Gaps(2), 0.01, 999)  # type: ignore[arg-type]
    assert other.tolist() == list(range(1, 999, 2))


def test_uniform32_is_uniform_on_unit_interval() -> None:
    u = uniform32(np.random.default_rng(3), (1000, 1000))
    assert u.dtype == np.float32 and u.min() >= 0.0 and u.max() < 1.0
    counts, _ = np.histogram(u, bins=16, range=(0.0, 1.0))
    expected = u.size / 16
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 50  # 15 degrees of freedom: P(chi2 > 50) < 1e-5
    assert np.all(u * 2**24 == np.floor(u * 2**24))  # multiples of 2^-24


def test_random_bytes_are_uniform() -> None:
    b = random_bytes(np.random.default_rng(9), 2_560_000)
    counts = np.bincount(b, minlength=256)
    expected = b.size / 256
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 360  # 255 degrees of freedom: P(chi2 > 360) < 1e-4


def test_bulk_stream_is_the_generator_below_the_threshold_and_reproducible_above() -> None:
    rng = np.random.default_rng(1)
    assert bulk_stream(rng, BULK_BYTES - 1) is rng
    a = bulk_stream(np.random.default_rng(1), BULK_BYTES).random(5)
    b = bulk_stream(np.random.default_rng(1), BULK_BYTES).random(5)
    c = bulk_stream(np.random.default_rng(2), BULK_BYTES).random(5)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_chance_tables_are_the_scalar_formula() -> None:
    for p in (0.0, 0.05, 0.3000001, 1.0):
        table = chance_table(p, 40)
        assert [chance(p, k) for k in range(41)] == table.tolist()
        assert np.array_equal(chance_table32(p, 40), np.float32(table))
        assert not table.flags.writeable
    assert chance(0.5, 2) == 0.75 and chance(0.3, 0) == 0.0
