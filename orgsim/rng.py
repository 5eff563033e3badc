"""Fast, exact random primitives for the weekly kernels.

Every function takes a ``numpy.random.Generator`` (spawned from the run's one
``SeedSequence``) and returns numbers with exactly the stated distribution; they are
faster than the plain ``Generator`` calls because they read the bit generator's raw
64-bit outputs directly.

Core objects
------------
random_bytes, uniform32
    Uniform bytes; float32 uniforms on [0, 1) with 24 random bits.
skip_positions, bernoulli, bernoulli_positions, geometric
    Successes among Bernoulli trials by geometric skipping; exact Bernoulli(p) trials
    from about one random byte each, as bools or as the successes' positions; numpy's
    geometric variates, vectorised.
seeds63
    Uniform integers in [0, 2^63), as numpy draws them, faster.
bulk_stream, BULK_BYTES
    The SFC64 stream a large step takes its bulk random bits from.
chance, chance_table, chance_table32
    1 - (1 - p)^k, the one formula of "at least one of k events", and its tables.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import numpy as np

BULK_BYTES = 1 << 18  # a step needing more random bytes takes them from an SFC64 stream
_BULK = threading.local()  # each thread's bulk generator (bulk_stream)


def random_bytes(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` uniform random bytes (uint8) straight from the bit generator.

    ``Generator.bytes`` costs about 8x more per byte than the raw 64-bit outputs.

    >>> random_bytes(np.random.default_rng(0), 5).dtype.name
    'uint8'
    """
    raw = rng.bit_generator.random_raw(-(-size // 8))
    return np.asarray(raw, dtype=np.uint64).view(np.uint8)[:size]


def uniform32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Float32 uniforms on [0, 1) with 24 random bits each, from raw 64-bit outputs.

    The same construction as ``Generator.random(dtype=np.float32)`` (top 24 bits of a
    32-bit word, times 2^-24), several times faster for large arrays. Each value is
    one of the 2^24 multiples of 2^-24 in [0, 1), all equally likely.

    >>> u = uniform32(np.random.default_rng(0), (3, 1000))
    >>> u.dtype.name, u.shape, bool(0.0 <= u.min() and u.max() < 1.0)
    ('float32', (3, 1000), True)
    """
    size = math.prod(shape)
    raw = rng.bit_generator.random_raw(-(-size // 2))
    words = np.asarray(raw, dtype=np.uint64).view(np.uint32)[:size]
    words >>= np.uint32(8)  # in place: the words are in cache
    out = words.astype(np.float32)
    out *= np.float32(1.0 / 16777216.0)
    return out.reshape(shape)


_INVERSION_BELOW = 1.0 / 3.0  # numpy draws geometric(p) by inversion below this p
_FAST_GAPS = 64  # from this many gaps on, the vectorised inversion is the faster
_INT64_MAX = np.iinfo(np.int64).max


def geometric(rng: np.random.Generator, p: float, size: int) -> np.ndarray:
    """``rng.geometric(p, size)``, the same numbers, about 2x faster for large ``size``.

    Below p = 1/3, numpy draws each variate by inversion, ceil(-E / log1p(-p)) with E
    a standard exponential, computing log1p(-p) again for every variate; here the
    exponentials are drawn as one array (the same ones, in the same order) and the
    same formula is applied to it (tests/test_rng.py checks both agree).

    >>> a = geometric(np.random.default_rng(5), 0.01, 500)
    >>> bool((a == np.random.default_rng(5).geometric(0.01, 500)).all())
    True
    """
    if size < _FAST_GAPS or not 0.0 < p < _INVERSION_BELOW:
        return rng.geometric(p, size=size)
    gaps = rng.standard_exponential(size)
    gaps /= -math.log1p(-p)
    np.ceil(gaps, out=gaps)
    if gaps.max() < 9.223372036854776e18:  # the smallest double above INT64_MAX
        return gaps.astype(np.int64)
    huge = gaps >= 9.223372036854776e18  # numpy returns INT64_MAX for these
    out = np.where(huge, 0.0, gaps).astype(np.int64)
    out[huge] = _INT64_MAX
    return out


def skip_positions(rng: np.random.Generator, q: float, size: int) -> np.ndarray:
    """Sorted indices of the successes among ``size`` Bernoulli(``q``) trials.

    Geometric skipping: the gaps between successes are Geometric(q), so the work is
    proportional to the successes (about q x size), not to the trials.

    >>> idx = skip_positions(np.random.default_rng(0), 0.01, 100_000)
    >>> bool(np.all(np.diff(idx) > 0)), bool(800 < idx.size < 1200), bool(idx[-1] < 100_000)
    (True, True, True)
    """
    if q <= 0.0 or size == 0:
        return np.empty(0, dtype=np.int64)
    found = []
    last = -1
    expected = size * q
    while True:
        gaps = geometric(rng, q, int(expected + 6.0 * math.sqrt(expected) + 16))
        pos = np.cumsum(gaps)
        pos += last
        if pos[-1] >= size:  # increasing: the ones inside are a prefix
            found.append(pos[: int(np.searchsorted(pos, size))])
            break
        found.append(pos)
        last = int(pos[-1])
        expected = (size - last) * q
    return found[0] if len(found) == 1 else np.concatenate(found)


def extra_chance(p: float) -> float:
    """The chance q of :func:`bernoulli`'s extra trial for a trial of chance ``p``.

    With k = floor(256 p): q = (256 p - k) / (256 - k), so 0 <= q < 1 / (256 - k):
    q = p below 1/256 (k = 0), under 1/128 up to p = 1/2, and up to nearly 1 only
    for p close to 1 (p = 0.99: k = 253, q = 0.147).

    >>> extra_chance(0.5), round(extra_chance(0.1), 6), round(extra_chance(0.99), 3)
    (0.0, 0.002597, 0.147)
    """
    k = int(p * 256.0)
    return (p - k / 256.0) / (1.0 - k / 256.0)


def bernoulli(rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> np.ndarray:
    """Independent Bernoulli(``p``) trials, exactly, from about one random byte each.

    With k = floor(256 p), a trial succeeds if its random byte is below k (chance
    k / 256) or, independently, if it wins an extra trial of chance
    q = :func:`extra_chance` (p) = (p - k / 256) / (1 - k / 256); so
    P(success) = k/256 + (1 - k/256) q = p, exactly (to float64 resolution). Every
    trial has its extra trial, but only the successful ones cost anything: their
    positions are drawn by :func:`skip_positions`, q x size of them on average
    (p = 0.1: q = 0.0026, about 2,600 per million trials; p = 0.3: 4,400; p = 1/2
    or any multiple of 1/256: none; p = 0.99: 147,000). For the model's usual
    chances (below 1/2) that is under 1 % of the trials, so the whole costs one
    random byte and one comparison per trial: a quarter of the random bits of a
    float32 uniform.

    >>> rng = np.random.default_rng(0)
    >>> x = bernoulli(rng, 0.3, (200_000,))
    >>> x.dtype.name, bool(abs(x.mean() - 0.3) < 0.005)
    ('bool', True)
    >>> bernoulli(rng, 0.0, (2, 2)).any(), bernoulli(rng, 1.0, (2, 2)).all()
    (np.False_, np.True_)
    """
    if p <= 0.0:
        return np.zeros(shape, dtype=bool)
    if p >= 1.0:
        return np.ones(shape, dtype=bool)
    size = math.prod(shape)
    k = int(p * 256.0)  # exact: a power-of-two scaling
    drawn = random_bytes(rng, size)
    out = np.less(drawn, k, out=drawn.view(np.bool_))  # in place: the bytes are in cache
    extra = skip_positions(rng, extra_chance(p), size)
    out[extra] = True
    return out.reshape(shape)


def bernoulli_positions(rng: np.random.Generator, p: float, size: int) -> np.ndarray:
    """Sorted positions of the successes of ``bernoulli(rng, p, (size,))``: the same
    trials from the same random numbers, for a rule that wants the few who succeed.

    Below p = 1/256 no random byte can succeed (k = 0), so the bytes are only skipped
    (the generator moves on as far) and the successes are the extra trials' positions:
    no array of ``size`` trials, no search through it.

    >>> a = bernoulli_positions(np.random.default_rng(4), 0.002, 10_000)
    >>> b = np.flatnonzero(bernoulli(np.random.default_rng(4), 0.002, (10_000,)))
    >>> bool(np.array_equal(a, b))
    True
    """
    if p <= 0.0 or p >= 1.0 or int(p * 256.0):
        return np.flatnonzero(bernoulli(rng, p, (size,)))
    rng.bit_generator.random_raw(-(-size // 8))  # the bytes bernoulli would draw
    return skip_positions(rng, extra_chance(p), size)


_RAW_IS_UINT64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)


def seeds63(rng: np.random.Generator, size: int) -> np.ndarray:
    """``rng.integers(0, 2**63, size, dtype=np.int64)``, the same numbers, without its
    microseconds of call overhead: with a bit generator whose raw output is its 64-bit
    output (not MT19937's 32 bits), numpy's bounded draw of [0, 2^63) is the raw word
    shifted right by one (Lemire's method never rejects for a power of two).

    >>> rng = np.random.default_rng(3)
    >>> bool(seeds63(rng, 4).tolist() == np.random.default_rng(3).integers(0, 2**63, 4).tolist())
    True
    """
    if not isinstance(rng.bit_generator, _RAW_IS_UINT64):
        return rng.integers(0, 2**63, size=size, dtype=np.int64)
    raw = np.asarray(rng.bit_generator.random_raw(size), dtype=np.uint64)
    return (raw >> np.uint64(1)).astype(np.int64)


def bulk_stream(rng: np.random.Generator, nbytes: int) -> np.random.Generator:
    """The generator for a step's bulk random bits, seeded from ``rng``.

    Small steps (under :data:`BULK_BYTES` bulk bytes) use ``rng`` itself; above, an
    SFC64 stream (numpy's fastest bit generator, about 1.5x PCG64's raw output) is
    seeded with four words of ``rng`` and mixed by 12 outputs, as SFC64's own seeding
    does. It is the calling thread's one bulk generator, reseeded at each call (use it
    before the next call): about 3 microseconds, a sixth of building a new one.

    >>> rng = np.random.default_rng(0)
    >>> bulk_stream(rng, 10) is rng, bulk_stream(rng, BULK_BYTES) is rng
    (True, False)
    """
    if nbytes < BULK_BYTES:
        return rng
    words = np.asarray(rng.bit_generator.random_raw(4), dtype=np.uint64)
    bulk = getattr(_BULK, "generator", None)
    if bulk is None:  # one per thread, reseeded at every call: 4x cheaper than a new one
        bulk = _BULK.generator = np.random.Generator(np.random.SFC64(0))
    sfc = bulk.bit_generator
    sfc.state = {
        "bit_generator": "SFC64",
        "state": {"state": words},
        "has_uint32": 0,
        "uinteger": 0,
    }
    sfc.random_raw(12)
    return bulk


def chance(p: float, k: int | float) -> float:
    """Chance that at least one of ``k`` independent events of chance ``p`` happens.

    The one formula both kernels use, so that they compare the same numbers.

    >>> chance(0.5, 2)
    0.75
    """
    return 1.0 - (1.0 - p) ** float(k)


@lru_cache(maxsize=64)
def chance_table(p: float, kmax: int) -> np.ndarray:
    """``chance(p, k)`` for k = 0..kmax, as float64 (bit-identical to :func:`chance`).

    Cached, hence read-only.

    >>> chance_table(0.5, 2).tolist()
    [0.0, 0.5, 0.75]
    """
    table = np.array([chance(p, k) for k in range(int(kmax) + 1)], dtype=np.float64)
    table.flags.writeable = False
    return table


@lru_cache(maxsize=64)
def chance_table32(p: float, kmax: int) -> np.ndarray:
    """:func:`chance_table` rounded to float32 (as ``np.float32(chance(p, k))``); read-only."""
    table = chance_table(p, kmax).astype(np.float32)
    table.flags.writeable = False
    return table
