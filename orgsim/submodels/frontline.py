"""Frontline learning (ODD 7.3): customer-facing staff learn their unit's reality.

Imperfect observation: a dimension learned first-hand is seen wrongly (set to minus
the unit's reality) with chance ``observation_error``. With 0 nothing more is drawn
and the week is as in model version 3.

Drawn as two independent events per (employee, dimension) so that the cost follows
the rare one: "learns it wrongly" with chance e x err (sparse positions), and
otherwise "learns it" with chance e (1 - err) / (1 - e x err). Then a dimension is
learned wrongly with chance e x err and rightly with chance e (1 - err), exactly as
"learn with chance e, and then misread with chance err"; with err = 0 the draws are
those of model version 3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgsim.submodels.base import (
    ParamBlock,
    Submodel,
    Week,
    chances,
    parameter,
    plan,
    sparse_chances,
)

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


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


def _trials(t: object, d: object) -> tuple[int, int]:
    return (t.frontline.size, t.m)  # type: ignore[attr-defined]


def _learns_right(d: object) -> float:
    """Chance of the "learns it" event among trials not already learned wrongly."""
    e, err = d.frontline_learning, d.observation_error  # type: ignore[attr-defined]
    if err <= 0.0:
        return float(e)
    wrong = e * err
    return float(e * (1.0 - err) / (1.0 - wrong)) if wrong < 1.0 else 0.0


def _learns_wrong(d: object) -> float:
    return float(d.frontline_learning * d.observation_error)  # type: ignore[attr-defined]


def step(w: Week) -> None:
    """b + learn * (r - b), in int8 arithmetic (SIMD; a masked copy is several times slower);
    then the few dimensions learned wrongly are set to minus the reality."""
    beliefs, real, learn = w.state.beliefs, w.state.realities, w.draws.frontline
    for blk in w.top.frontline_rows.blocks():
        b = blk.rows(beliefs)
        gap = blk.keyed(real) - b
        gap *= blk.draws(learn).view(np.int8)
        b += gap
        blk.put(beliefs, b)
    pos = w.draws.misread
    if pos.size:  # flat positions: (frontline i, dimension j) -> beliefs and reality rows
        to_belief, to_real = _shifts(w.top)
        i = pos // w.top.m
        wrong = np.take(real, pos + np.take(to_real, i))
        np.negative(wrong, out=wrong)
        np.put(beliefs, pos + np.take(to_belief, i), wrong)


def _shifts(top: Topology) -> tuple[np.ndarray, np.ndarray]:
    """Per frontline position i, what turns a flat draw position i x m + j into the flat
    position of its belief (employee frontline[i]) and of its reality row: flat takes
    and puts, instead of two-dimensional fancy indexing."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        at = np.arange(top.frontline.size)
        return (top.frontline - at) * top.m, (top.unit_idx[top.frontline] - at) * top.m

    return plan(top, ("frontline shifts",), build)


def reference(w: Week) -> None:
    """Employee by employee, dimension by dimension."""
    real, top = w.state.realities, w.top
    misread = set(w.draws.misread.tolist())  # (frontline position, dimension), flattened
    for i, who in enumerate(top.frontline):
        for j in range(top.m):
            if i * top.m + j in misread:  # learns it wrongly (chance e x err, drawn)
                w.state.beliefs[who, j] = -real[top.unit_idx[who], j]
            elif w.draws.frontline[i, j]:  # learns it (drawn)
                w.state.beliefs[who, j] = real[top.unit_idx[who], j]


SUBMODEL = Submodel(
    name="frontline",
    meaning="frontline staff set a belief to their unit's reality with chance e",
    params=FrontlineParams,
    draws=(
        chances("frontline", _trials, _learns_right, "e (1 - err) / (1 - e err)"),
        sparse_chances("misread", _trials, _learns_wrong, "e x observation_error"),
    ),
    step=step,
    reference=reference,
    odd="7.3",
)
