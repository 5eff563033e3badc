"""Code-channel news (ODD 7.6): what the code holders know travels to their domain.

Not in the model specification (docs/model.md): an orgsim addition. Holders learn
units' initiatives from the reports they process (:mod:`orgsim.submodels.reports`);
each initiative known to any holder of a code becomes known to each member of the
code's domain with chance p1 (the socialisation channel).
"""

from __future__ import annotations

import numpy as np

from orgsim.submodels.base import ParamBlock, Submodel, Week, chances
from orgsim.submodels.socialisation import P1


class CodeNewsParams(ParamBlock):
    """How fast the holders' news reaches their domain."""

    p1: float = P1


def step(w: Week) -> None:
    """Each member hears each item its code's holders know with chance p1."""
    top, know, news = w.top, w.state.know, w.draws.news
    if not top.reporters.size:
        return
    holders_know = np.array([know[h].any(axis=0) for h in top.holders])
    for blk in top.reporter_rows.blocks():
        k = blk.rows(know)
        k |= blk.draws(news) & blk.keyed(holders_know)
        blk.put(know, k)


def reference(w: Week) -> None:
    """Member by member, unit by unit."""
    top, know = w.top, w.state.know
    holders_know = [
        [any(know[h, u] for h in top.holders[c]) for u in range(top.units)]
        for c in range(top.n_codes)
    ]
    for i, who in enumerate(top.reporters):
        for u in range(top.units):
            if holders_know[top.report_code[i]][u] and w.draws.news[i, u]:
                know[who, u] = True


SUBMODEL = Submodel(
    name="code_news",
    meaning="each initiative a code's holders know reaches each domain member with chance p1",
    params=CodeNewsParams,
    draws=(
        # not counted towards the bulk stream's size (as in model version 3)
        chances(
            "news", lambda t, d: (t.reporters.size, t.units), lambda d: d.p1, "p1", bulk_bytes=0.0
        ),
    ),
    step=step,
    reference=reference,
    odd="7.6",
)
