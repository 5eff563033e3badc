"""Socialisation (ODD 7.6, March 1991): the code's domain moves toward the code.

Mixed socialisation rates (March 1991, figure 2): a share ``fast_learners`` of the
members of the codes' domains learn at ``p1_fast`` instead of ``p1``. They are spread
evenly over the domain in employee order (exactly round(share x members) of them, the
same positions every run: March's individuals are interchangeable, and in a structured
organisation this gives every unit its share). With ``fast_learners = 0`` nothing more
is drawn and the week is as in model version 3.

Training takes time (ODD 7.13): with time modelled (``State.hours`` set), a member
who would learn something this week (some dimension moves) spends ``training_hours``
(:meth:`~orgsim.submodels.base.Week.take_hours`); a member without the time learns
nothing that week (recorded as ``training_waiting``). Without time, nobody runs out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orgsim.submodels.base import ParamBlock, Submodel, Week, chances, parameter

P1: Any = parameter(
    0.1,
    ge=0.0,
    le=1.0,
    symbol="p1",
    meaning="socialisation rate",
    source="March 1991: slow socialisation end of his range",
)


class SocialisationParams(ParamBlock):
    """How fast members adopt the code."""

    p1: float = P1
    fast_learners: float = parameter(
        0.0,
        ge=0.0,
        le=1.0,
        meaning="share of a code's domain socialised at p1_fast instead of p1",
        source="March 1991, figure 2 (mixed socialisation rates)",
    )
    p1_fast: float = parameter(
        0.9,
        ge=0.0,
        le=1.0,
        meaning="socialisation rate of the fast learners",
        source="March 1991, figure 2 (0.9 against 0.1)",
    )


def fast_positions(members: int, share: float) -> np.ndarray:
    """Positions (in the domain's order) of the fast learners: round(share x members),
    evenly spread.

    >>> fast_positions(10, 0.3).tolist(), fast_positions(4, 0.0).tolist()
    ([1, 5, 8], [])
    """
    k = round(share * members)
    return np.floor((np.arange(k) + 0.5) * members / max(k, 1)).astype(np.int64)


def _fast_count(t: object, d: object) -> int:
    return int(fast_positions(t.reporters.size, d.fast_learners).size)  # type: ignore[attr-defined]


def _social(w: Week) -> np.ndarray:
    """This week's socialisation outcomes, the fast learners' rows from their own draw."""
    social = w.draws.social
    fast = w.draws.social_fast
    if not fast.shape[0]:
        return social
    social = social.copy()
    social[fast_positions(social.shape[0], w.dyn.fast_learners)] = fast
    return social


_WIDE = ((8, np.uint64), (4, np.uint32), (2, np.uint16), (1, np.uint8))


def rows_changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows where int8 arrays ``a`` and ``b`` (n, m) differ, as a bool mask (n,).

    ``(a != b).any(axis=1)`` with a short m is a slow reduction; this compares each
    row in the widest words that fit (8 bytes when m >= 8), the last word overlapping
    the one before when m is not a multiple of the width (m = 30: 4 compares, not 5).

    >>> a = np.zeros((3, 10), np.int8); b = a.copy(); b[1, 9] = 1; b[2, 0] = -1
    >>> rows_changed(a, b).tolist()
    [False, True, True]
    """
    ua, ub = a.view(np.uint8), b.view(np.uint8)
    m = ua.shape[1]
    if not m:
        return np.zeros(ua.shape[0], dtype=bool)
    size, wide = next((s, t) for s, t in _WIDE if s <= m)
    starts = list(range(0, m - size + 1, size))
    if starts[-1] != m - size:
        starts.append(m - size)
    out = ua[:, :size].view(wide)[:, 0] != ub[:, :size].view(wide)[:, 0]
    for s in starts[1:]:
        out |= ua[:, s : s + size].view(wide)[:, 0] != ub[:, s : s + size].view(wide)[:, 0]
    return out


def _socialise(w: Week, social: np.ndarray) -> None:
    beliefs, codes = w.state.beliefs, w.codes_before
    for blk in w.top.reporter_rows.blocks():
        b = blk.rows(beliefs)
        b += blk.draws(social).view(np.int8) * blk.keyed(codes)
        np.clip(b, -1, 1, out=b)
        blk.put(beliefs, b)


def step(w: Week) -> None:
    """One step toward a non-zero start-of-week code c is clip(b + c, -1, 1).

    With time: everyone moves, then the members who moved but have no training
    hours left are put back (cheaper than finding the learners first)."""
    if w.state.hours is None or not w.top.reporters.size:
        _socialise(w, _social(w))
        return
    before = w.state.beliefs.copy()
    _socialise(w, _social(w))
    learnt = rows_changed(w.state.beliefs, before)  # most of the domain: a mask, not indices
    ok = w.take_hours_where(learnt, w.dyn.training_hours)
    learnt ^= ok  # who learnt without the time
    if not learnt.any():  # nothing to put back
        return
    back = np.flatnonzero(learnt)
    rows = np.dtype((np.void, before.shape[1]))  # whole rows at once: 3x a 2-d fancy copy
    w.state.beliefs.view(rows).reshape(-1)[back] = before.view(rows).reshape(-1)[back]
    w.rec.training_waiting = int(back.size)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def reference(w: Week) -> None:
    """Member by member, dimension by dimension."""
    top, beliefs = w.top, w.state.beliefs
    fast = {
        int(p): k for k, p in enumerate(fast_positions(top.reporters.size, w.dyn.fast_learners))
    }
    timed = w.state.hours is not None
    for i, who in enumerate(top.reporters):
        drawn = w.draws.social_fast[fast[i]] if i in fast else w.draws.social[i]
        code = w.codes_before[top.report_code[i]]
        learns = any(code[j] != 0 and beliefs[who, j] != code[j] and drawn[j] for j in range(top.m))
        if timed and learns and not w.take_hours(np.array([who]), w.dyn.training_hours)[0]:
            w.rec.training_waiting += 1  # no time: no learning this week
            continue
        for j in range(top.m):
            if code[j] != 0 and beliefs[who, j] != code[j] and drawn[j]:
                beliefs[who, j] += _sign(int(code[j]) - int(beliefs[who, j]))


SUBMODEL = Submodel(
    name="socialisation",
    meaning="members of a code's domain move one step toward the start-of-week code, chance p1",
    params=SocialisationParams,
    draws=(
        chances("social", lambda t, d: (t.reporters.size, t.m), lambda d: d.p1, "p1"),
        chances(
            "social_fast", lambda t, d: (_fast_count(t, d), t.m), lambda d: d.p1_fast, "p1_fast"
        ),
    ),
    step=step,
    reference=reference,
    records={
        "training_waiting": (
            0,
            "domain members who would have learnt from the code but had no time (time on)",
        )
    },
    odd="7.6",
)
