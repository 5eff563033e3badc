"""March (1991) mutual learning, written from the paper, vectorised over runs.

A period (March 1991: 74-79; the order of Christensen's note as recreated by
Workiewicz 2019):

1. turnover: each individual leaves with chance p3 and is replaced by one with
   beliefs drawn uniformly from {-1, 0, +1};
2. turbulence: each dimension of reality flips with chance p4;
3. individuals act: a belief of 0 is replaced by a coin flip; performance is the
   number of dimensions acted right minus wrong;
4. socialisation: on each dimension where the code is not 0, a belief moves one
   step (-1 -> 0 -> +1) toward the code with the individual's chance p1;
5. the code learns from the individuals who outperform it (their actions): on each
   dimension where the majority of that group differs from the code, it adopts the
   majority with chance 1 - (1 - p2)^k, k = the majority's margin.

The code is judged by its own score sum(c * r), and socialisation uses the code as
it was at the start of the period. Equilibrium (runs without turnover or
turbulence): every belief equals the code and the code has no 0, so nothing can
change any more. Code knowledge is sum(c * r) / m.

Core objects
------------
simulate
    R runs at once for a fixed number of periods or to equilibrium; returns code
    knowledge per period (or at equilibrium) and per-group individual knowledge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Result:
    """What R runs produced.

    Attributes
    ----------
    code : ndarray, shape (R,) or (R, periods)
        Code knowledge sum(c * r) / m at equilibrium, or after each period.
    individuals : ndarray, shape (R, n)
        Each individual's knowledge sum(b * r) / m at the end.
    periods : ndarray, shape (R,)
        Periods run.
    """

    code: np.ndarray
    individuals: np.ndarray
    periods: np.ndarray


def simulate(
    p1: float | np.ndarray,
    p2: float,
    *,
    p3: float = 0.0,
    p4: float = 0.0,
    n: int = 50,
    m: int = 30,
    runs: int = 100,
    periods: int | None = None,
    max_periods: int = 20_000,
    seed: int = 0,
) -> Result:
    """``runs`` independent runs of March's model.

    ``p1`` may be one rate or one per individual (mixed socialisation rates).
    With ``periods`` the runs last that long and ``code`` has one column per
    period; without, they run to equilibrium (only when p3 = p4 = 0).
    """
    rng = np.random.default_rng(seed)
    rates = np.broadcast_to(np.asarray(p1, dtype=float), (n,))
    reality = rng.choice(np.array([-1, 1]), size=(runs, m))
    beliefs = rng.integers(-1, 2, size=(runs, n, m))
    code = np.zeros((runs, m), dtype=np.int64)
    keep = round(1.0 - p2, 12)
    to_equilibrium = periods is None
    if to_equilibrium and (p3 > 0 or p4 > 0):
        raise ValueError("runs with turnover or turbulence need a number of periods")
    limit = max_periods if to_equilibrium else int(periods)
    active = np.ones(runs, dtype=bool)
    ran = np.zeros(runs, dtype=np.int64)
    trace = np.zeros((runs, 0 if to_equilibrium else limit))
    for t in range(limit):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        b, c, r = beliefs[a], code[a], reality[a]
        if p3 > 0:
            leave = rng.random((a.size, n)) < p3
            b[leave] = rng.integers(-1, 2, size=(int(leave.sum()), m))
        if p4 > 0:
            r = np.where(rng.random((a.size, m)) < p4, -r, r)
        actions = np.where(b != 0, b, rng.choice(np.array([-1, 1]), size=b.shape))
        performance = np.einsum("anm,am->an", actions, r)
        social = (rng.random(b.shape) < rates[None, :, None]) & (c[:, None, :] != 0)
        b = np.where(social, np.clip(b + c[:, None, :], -1, 1), b)
        superior = performance > np.einsum("am,am->a", c, r)[:, None]
        votes = np.einsum("an,anm->am", superior.astype(np.int64), actions)
        k = np.abs(votes)
        majority = np.sign(votes)
        learn = rng.random((a.size, m)) > keep**k
        c = np.where((majority != 0) & (majority != c) & learn, majority, c)
        beliefs[a], code[a], reality[a] = b, c, r
        ran[a] += 1
        if not to_equilibrium:
            trace[:, t] = np.einsum("am,am->a", code, reality) / m
        else:
            settled = (c != 0).all(axis=1) & (b == c[:, None, :]).all(axis=(1, 2))
            active[a[settled]] = False
    knowledge = np.einsum("am,am->a", code, reality) / m
    individuals = np.einsum("anm,am->an", beliefs, reality) / m
    return Result(knowledge if to_equilibrium else trace, individuals, ran)
