"""Code-channel news (ODD 7.6): initiatives travel along the report paths, one tie a week.

Not in the model specification (docs/model.md): an orgsim addition. The code channel
is the set of report paths: each member of a code's domain is tied to its *channel
parent*, the neighbour one hop closer to its nearest code holder over formal and
coordination ties (``Topology.channel_child`` / ``channel_parent``). Each week each
such tie carries news with chance ``code_news`` (the two talk, as reports go up and
socialisation comes down); when it does, each end learns every current initiative
the other knew at the start of the phase. So news needs h weeks to go h hops up or
down the channel, as on every other tie (ODD 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from orgsim.rows import row_words
from orgsim.submodels.base import ParamBlock, Submodel, Week, chances, parameter

if TYPE_CHECKING:
    from orgsim.dynamics import Topology


class CodeNewsParams(ParamBlock):
    """How fast news travels along the report paths."""

    code_news: float = parameter(
        0.1,
        ge=0.0,
        le=1.0,
        meaning="chance a report-path tie carries news (both ways) per step",
        source="orgsim addition, not in docs/model.md; judgement: p1's default "
        "(reports up and socialisation down use these ties)",
    )


def step(w: Week) -> None:
    """The ties that talk this week; both ends learn what the other knew."""
    top, know = w.top, w.state.know
    active = np.flatnonzero(w.draws.news)
    if not active.size:
        return
    child, parent = top.channel_child[active], top.channel_parent[active]
    targets = np.concatenate([child, parent])
    words = row_words(know)
    if words is not None:  # a row of know is one word: OR whole rows, 4x fewer steps
        heard = np.concatenate([words[parent], words[child]])  # all read before any write
        np.bitwise_or.at(words, targets, heard)
        return
    heard = np.concatenate([know[parent], know[child]])
    row, unit = np.nonzero(heard)
    know[targets[row], unit] = True


def reference(w: Week) -> None:
    """Tie by tie, unit by unit."""
    top, know = w.top, w.state.know
    before = know.copy()
    for x, (c, p) in enumerate(zip(top.channel_child, top.channel_parent, strict=True)):
        if not w.draws.news[x]:
            continue
        for u in range(top.units):
            if before[p, u]:
                know[c, u] = True
            if before[c, u]:
                know[p, u] = True


def _ties(t: Topology, d: object) -> tuple[int]:
    return (t.channel_child.size,)


SUBMODEL = Submodel(
    name="code_news",
    meaning="each report-path tie carries news of initiatives, both ways, with chance "
    "code_news a step",
    params=CodeNewsParams,
    draws=(chances("news", _ties, lambda d: d.code_news, "code_news"),),
    step=step,
    reference=reference,
    odd="7.6",
)
