"""Socialisation (ODD 7.6, March 1991): the code's domain moves toward the code."""

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


def step(w: Week) -> None:
    """One step toward a non-zero start-of-week code c is clip(b + c, -1, 1)."""
    beliefs, social, codes = w.state.beliefs, w.draws.social, w.codes_before
    for blk in w.top.reporter_rows.blocks():
        b = blk.rows(beliefs)
        b += blk.draws(social).view(np.int8) * blk.keyed(codes)
        np.clip(b, -1, 1, out=b)
        blk.put(beliefs, b)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def reference(w: Week) -> None:
    """Member by member, dimension by dimension."""
    top, beliefs = w.top, w.state.beliefs
    for i, who in enumerate(top.reporters):
        code = w.codes_before[top.report_code[i]]
        for j in range(top.m):
            if code[j] != 0 and beliefs[who, j] != code[j] and w.draws.social[i, j]:
                beliefs[who, j] += _sign(int(code[j]) - int(beliefs[who, j]))


SUBMODEL = Submodel(
    name="socialisation",
    meaning="members of a code's domain move one step toward the start-of-week code, chance p1",
    params=SocialisationParams,
    draws=(chances("social", lambda t, d: (t.reporters.size, t.m), lambda d: d.p1, "p1"),),
    step=step,
    reference=reference,
    odd="7.6",
)
