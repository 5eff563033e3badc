"""Frontline learning (ODD 7.3): customer-facing staff learn their unit's reality.

Imperfect observation: a dimension learned first-hand is seen wrongly (set to minus
the unit's reality) with chance ``observation_error``. With 0 nothing more is drawn
and the week is as in model version 3.
"""

from __future__ import annotations

import numpy as np

from orgsim.submodels.base import ParamBlock, Submodel, Week, chances, parameter


class FrontlineParams(ParamBlock):
    """First-hand learning at the edge of the organisation."""

    frontline_learning: float = parameter(
        0.2,
        ge=0.0,
        le=1.0,
        symbol="e",
        meaning="chance frontline staff learn a dimension first-hand",
        source="judgement",
    )
    observation_error: float = parameter(
        0.05,
        ge=0.0,
        le=1.0,
        meaning="chance a dimension learned first-hand is seen wrongly",
        source="orgsim (Model 2), a judgement: one customer signal in 20 misread; "
        "noisy first-hand experience, Levinthal & March 1993",
    )


def _errors(t: object, d: object) -> tuple[int, int]:
    on = d.observation_error > 0.0  # type: ignore[attr-defined]
    return (t.frontline.size if on else 0, t.m)  # type: ignore[attr-defined]


def _seen(w: Week, blk: object, real: np.ndarray) -> np.ndarray:
    """The reality rows as this block's staff see them (flipped where they err)."""
    seen = blk.keyed(real)  # type: ignore[attr-defined]
    if w.draws.misread.shape[0]:
        wrong = blk.draws(w.draws.misread)  # type: ignore[attr-defined]
        seen = np.where(wrong, -seen, seen)
    return seen


def step(w: Week) -> None:
    """b + learn * (r - b), in int8 arithmetic (SIMD; a masked copy is several times slower)."""
    beliefs, real, learn = w.state.beliefs, w.state.realities, w.draws.frontline
    for blk in w.top.frontline_rows.blocks():
        b = blk.rows(beliefs)
        gap = _seen(w, blk, real) - b
        gap *= blk.draws(learn).view(np.int8)
        b += gap
        blk.put(beliefs, b)


def reference(w: Week) -> None:
    """Employee by employee, dimension by dimension."""
    real, top = w.state.realities, w.top
    for i, who in enumerate(top.frontline):
        for j in range(top.m):
            if w.draws.frontline[i, j]:  # learns this dimension (chance e, drawn)
                seen = real[top.unit_idx[who], j]
                if w.draws.misread.shape[0] and w.draws.misread[i, j]:
                    seen = -seen
                w.state.beliefs[who, j] = seen


SUBMODEL = Submodel(
    name="frontline",
    meaning="frontline staff set a belief to their unit's reality with chance e",
    params=FrontlineParams,
    draws=(
        chances(
            "frontline", lambda t, d: (t.frontline.size, t.m), lambda d: d.frontline_learning, "e"
        ),
        chances("misread", _errors, lambda d: d.observation_error, "observation_error"),
    ),
    step=step,
    reference=reference,
    odd="7.3",
)
