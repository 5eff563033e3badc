"""An example orgsim plugin: a structure, a metric and a rule of the week (a submodel).

A scenario loads it with ``plugins = ["my_rules.py"]`` (a path relative to the
scenario file); ``orgsim list structures --plugin my_rules.py`` shows what it adds.
The code runs in every worker as it is here: keep it self-contained (import orgsim
and libraries, not files next to it).
"""

from __future__ import annotations

import numpy as np

import orgsim
from orgsim.structures.common import enable_posters, skeleton, unit_leads
from orgsim.submodels import ParamBlock, Submodel, Week, chances, parameter


@orgsim.register_structure(
    "federation",
    "each unit's lead holds its code and budget; the leads coordinate in a ring",
    caption="example plugin: units run themselves,\nleads meet in a ring",
)
def federation(params, rng, chart=None):
    """Federation: a band whose units each have a lead holding code and budget."""
    org = skeleton("federation", params, rng, team=False, chart=chart)
    leads = unit_leads(org, chart)
    org.code[leads] = np.arange(leads.size)
    org.budget_owner[leads] = True
    if leads.size > 1:  # a ring of coordination ties (one tie for two units)
        ring = np.column_stack([leads, np.roll(leads, -1)])
        org.coordination = np.sort(ring[: leads.size if leads.size > 2 else 1], axis=1)
    enable_posters(org, params.poster_fraction, rng)
    return org


@orgsim.register_metric(
    "posts_per_poster",
    label="Posts per poster",
    unit="posts",
    lower=0.0,
    description="posts this week per employee who may post",
)
def posts_per_poster(run):
    posters = int(run.organisation.may_post.sum())
    return run.record.posts / posters if posters else float("nan")


class DoubtParams(ParamBlock):
    """How fast employees lose confidence in what they believe."""

    doubt: float = parameter(
        0.0,
        ge=0.0,
        le=1.0,
        meaning="chance a belief dimension returns to 0 (no view) per week",
        source="example plugin",
    )


def doubt_step(w: Week) -> None:
    """Vectorised: row block by row block over everyone's beliefs."""
    for blk in w.top.unit_rows.blocks():
        beliefs = blk.rows(w.state.beliefs)
        beliefs *= ~blk.draws(w.draws.doubted)  # 0 where doubted
        blk.put(w.state.beliefs, beliefs)
    w.rec.doubted = int(np.count_nonzero(w.draws.doubted))


def doubt_reference(w: Week) -> None:
    """Agent by agent: the same rule, the same draws."""
    for i in range(w.top.n):
        for j in range(w.top.m):
            if w.draws.doubted[i, j]:
                w.state.beliefs[i, j] = 0
    w.rec.doubted = int(np.count_nonzero(w.draws.doubted))


orgsim.register_submodel(
    Submodel(
        name="doubt",
        meaning="each belief dimension returns to 0 with chance doubt",
        params=DoubtParams,
        draws=(chances("doubted", lambda t, d: (t.n, t.m), lambda d: d.doubt, "doubt"),),
        step=doubt_step,
        reference=doubt_reference,
        records={"doubted": (0, "belief dimensions doubted this week")},
        odd="plugin",
    ),
    after="socialisation",
)
