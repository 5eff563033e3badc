"""Turbulence (ODD 7.3, March 1991's p4): reality flips, dimension by dimension."""

from __future__ import annotations

from orgsim.submodels.base import ParamBlock, Submodel, Week, parameter, uniform


class TurbulenceParams(ParamBlock):
    """How fast the market changes."""

    p4: float = parameter(
        0.002,
        ge=0.0,
        le=1.0,
        symbol="p4",
        meaning="turbulence, chance reality flips per dimension per step",
        source="March 1991 (p4; 0.02 a period in his figure 5); default a judgement: "
        "about 10 % of what customers want changes in a year",
    )


def step(w: Week) -> None:
    """Each reality dimension flips with chance p4."""
    w.state.reality[w.draws.turbulence < w.dyn.p4] *= -1


def reference(w: Week) -> None:
    """Dimension by dimension."""
    for j in range(w.top.m):
        if w.draws.turbulence[j] < w.dyn.p4:
            w.state.reality[j] = -w.state.reality[j]


SUBMODEL = Submodel(
    name="turbulence",
    meaning="market reality flips, each dimension with chance p4",
    params=TurbulenceParams,
    draws=(uniform("turbulence", lambda t, d: (t.m,)),),
    step=step,
    reference=reference,
    odd="7.3",
)
